// The rule of reducer auto, on given figures (no training): which reducer it picks and what it says.
import { describe, expect, it } from 'vitest';
import { decideReducer, KEEP_MIN, TRUST_TOLERANCE, type CandidateFigures, type DecisionContext } from '../../pipeline/reduce/choose.js';

const wide: DecisionContext = { rows: 10000, columns: 784, codeSize: 32, canReduce: true, pays: true, labelled: false, aeSkipped: null };
const c = (name: 'pca' | 'autoencoder', trustworthiness: number, labelAgreement: number | null = null): CandidateFigures => ({ name, trustworthiness, labelAgreement });

describe('decideReducer', () => {
  it('keeps the prepared columns when a code would not reduce them, naming the width', () => {
    const d = decideReducer([], { ...wide, columns: 4, codeSize: 4, canReduce: false });
    expect(d.name).toBe('none');
    expect(d.reason).toMatch(/^the input has 4 columns; a code of 4 would not reduce it/);
  });

  it('keeps the prepared columns when reducing does not pay, quoting what PCA would keep', () => {
    const d = decideReducer([c('pca', 0.991)], { ...wide, rows: 1797, columns: 64, pays: false });
    expect(d.name).toBe('none');
    expect(d.reason).toContain('1797 x 64 = 115,008 values');
    expect(d.reason).toContain('pca would keep trustworthiness 0.9910');
  });

  it('uses no reducer when the best keeps less than KEEP_MIN', () => {
    const d = decideReducer([c('pca', KEEP_MIN - 0.01), c('autoencoder', KEEP_MIN - 0.02)], wide);
    expect(d.name).toBe('none');
    expect(d.reason).toMatch(/^the best reducer \(pca\) keeps trustworthiness 0\.9600/);
  });

  it('takes the clearly more trustworthy candidate, whatever the labels say', () => {
    const d = decideReducer([c('pca', 0.99, 0.5), c('autoencoder', 0.99 - 2 * TRUST_TOLERANCE, 0.9)], { ...wide, labelled: true });
    expect(d.name).toBe('pca');
    expect(d.reason).toBe(
      `pca keeps trustworthiness 0.9900 of the input's neighbourhoods (at least ${KEEP_MIN}) against 0.9800 for autoencoder, more than ${TRUST_TOLERANCE} apart with a far narrower input for t-SNE (32 of 784 columns)`,
    );
  });

  it('lets the labels decide between candidates that keep the neighbourhoods equally well', () => {
    const pcaWins = decideReducer([c('pca', 0.9975, 0.91), c('autoencoder', 0.994, 0.88)], { ...wide, labelled: true });
    expect(pcaWins.name).toBe('pca');
    expect(pcaWins.reason).toContain("pca's codes agree better with the labels (10-NN label agreement 0.910 against 0.880 for autoencoder)");
    const aeWins = decideReducer([c('pca', 0.9975, 0.88), c('autoencoder', 0.994, 0.91)], { ...wide, labelled: true });
    expect(aeWins.name).toBe('autoencoder');
    expect(aeWins.reason).toMatch(/^pca 0\.9975 and autoencoder 0\.9940 keep the input's neighbourhoods equally well/);
    const tie = decideReducer([c('pca', 0.9975, 0.9), c('autoencoder', 0.994, 0.9)], { ...wide, labelled: true });
    expect(tie.name).toBe('autoencoder');
    expect(tie.reason).toContain('agree as well with the labels');
  });

  it('without labels, prefers the trained autoencoder among equals and says why', () => {
    const d = decideReducer([c('pca', 0.9975), c('autoencoder', 0.994)], wide);
    expect(d.name).toBe('autoencoder');
    expect(d.reason).toContain('without labels to tell them apart, autoencoder, trained to be used');
  });

  it('uses PCA alone when the autoencoder was not trained, and says why it was not', () => {
    const skipped = 'not trained: PCA already keeps trustworthiness 1.0000 (at least 0.999), so the input is nearly linear';
    const d = decideReducer([c('pca', 1)], { ...wide, aeSkipped: skipped });
    expect(d.name).toBe('pca');
    expect(d.reason).toContain(`(the autoencoder was ${skipped})`);
  });
});
