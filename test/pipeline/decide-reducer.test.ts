// The rule of reducer auto, on given figures (no training): which reducer it picks and what it says.
import { describe, expect, it } from 'vitest';
import {
  decideReducer,
  DENOISE_MIN_CUT,
  KEEP_MIN,
  NOISE_SHARE_MIN,
  pairedShare,
  TRUST_TOLERANCE,
  type CandidateFigures,
  type DecisionContext,
  type LabelShare,
} from '../../pipeline/reduce/choose.js';
import { rowLabelShares } from '../../pipeline/metrics.js';

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

describe('decideReducer: PCA where it denoises the prepared columns', () => {
  // mlbench's DNA as reducer auto measured it (bench/QUALITY-NOTES.md, session 17): 3,186 x 180 0/1 columns,
  // reducing does not pay, PCA-32 keeps trustworthiness 0.9216 (below KEEP_MIN)
  const dna: DecisionContext = { rows: 3186, columns: 180, codeSize: 32, canReduce: true, pays: false, labelled: true, aeSkipped: null };
  const share = (codes: number, input: number, se: number): LabelShare => ({ codes, input, gain: codes - input, se });
  const pca = (labelShare: LabelShare | null, trust = 0.9216): CandidateFigures => ({ name: 'pca', trustworthiness: trust, labelAgreement: 0.817, labelShare });

  it('takes PCA when its codes\' neighbours share the label more often than the input\'s, beyond the margin, though reducing does not pay', () => {
    const d = decideReducer([pca(share(0.695, 0.6198, 0.0076))], dna);
    expect(d.name).toBe('pca');
    expect(d.reason).toBe(
      "PCA's 32 components denoise the 180 prepared columns: a sampled row's nearest neighbours share its label 0.695 of the time in PCA's codes against 0.620 in the input " +
        `(+0.075, standard error 0.0076; 0.198 of the input's neighbours with another label left out), at least ${DENOISE_MIN_CUT} of them left out and a gain over 2 standard errors, ` +
        "so t-SNE runs on the codes though they keep trustworthiness 0.9216 of the input's neighbourhoods",
    );
    // ionosphere: a cut of 0.117, 6 standard errors
    expect(decideReducer([pca(share(0.8379, 0.8165, 0.0034), 0.9955)], { ...dna, rows: 351, columns: 34, codeSize: 17 }).name).toBe('pca');
  });

  it('takes PCA below KEEP_MIN where reducing pays, when the labels say it denoises', () => {
    expect(decideReducer([pca(share(0.695, 0.6198, 0.0076))], { ...dna, rows: 6000, pays: true }).name).toBe('pca');
    expect(decideReducer([pca(share(0.63, 0.6198, 0.0076))], { ...dna, rows: 6000, pays: true })).toMatchObject({
      name: 'none',
      reason: expect.stringMatching(/^the best reducer \(pca\) keeps trustworthiness 0\.9216 of the input's neighbourhoods, below 0\.97: t-SNE runs on the prepared columns; PCA would not denoise: /),
    });
  });

  it('keeps the prepared columns when the gain is within twice its standard error, or leaves out less than DENOISE_MIN_CUT of the other-label neighbours', () => {
    const noisy = decideReducer([pca(share(0.70, 0.60, 0.06))], dna);
    expect(noisy.name).toBe('none');
    expect(noisy.reason).toContain(
      "pca would keep trustworthiness 0.9216; PCA would not denoise: a sampled row's nearest neighbours share its label 0.700 of the time in PCA's codes against 0.600 in the input " +
        "(+0.100, standard error 0.0600; 0.250 of the input's neighbours with another label left out), not at least 0.1 of them left out and a gain over 2 standard errors",
    );
    // Fashion-MNIST's 1,000-row slice: 3.6 standard errors, a cut of 0.041 (its maps lost label accuracy on PCA's codes)
    expect(decideReducer([pca(share(0.6918, 0.6786, 0.0037), 0.9974)], { ...dna, rows: 1000, columns: 784 }).name).toBe('none');
    // satellite-like: significant but tiny
    expect(decideReducer([pca(share(0.8335, 0.8315, 0.0008))], dna).name).toBe('none');
    // worse in the codes
    expect(decideReducer([pca(share(0.6198, 0.695, 0.0076))], dna).reason).toContain('(-0.075, standard error 0.0076; 0.247 of the input\'s neighbours with another label added)');
  });

  it('without labels, takes PCA when more than half of the variance is left out and spreads over at least the code\'s components', () => {
    const unlabelled = { ...dna, labelled: false };
    const d = decideReducer([pca(null)], { ...unlabelled, pcaLeftOut: { share: 0.6294, components: 71.18 } });
    expect(d.name).toBe('pca');
    expect(d.reason).toBe(
      'PCA denoises the 180 prepared columns: its 32 components keep 37.1% of the variance and the 62.9% left out spreads over at least 71 components (none larger than the smallest kept), ' +
        `a flat bulk as independent noise in many columns gives (more than ${NOISE_SHARE_MIN} left out, over at least the code's 32 components), so t-SNE runs on the codes though they keep trustworthiness 0.9216 of the input's neighbourhoods`,
    );
    // a few strong left-out directions (structure PCA would lose), or most of the variance kept: the prepared columns
    expect(decideReducer([pca(null)], { ...unlabelled, pcaLeftOut: { share: 0.6294, components: 12 } }).name).toBe('none');
    const kept = decideReducer([pca(null)], { ...unlabelled, pcaLeftOut: { share: 0.3445, components: 40 } });
    expect(kept.name).toBe('none');
    expect(kept.reason).toContain('PCA would not denoise: its 32 components keep 65.5% of the variance and the 34.5% left out spreads over at least 40 components');
  });

  it('lets the labels decide over the spectrum when the run has them', () => {
    const d = decideReducer([pca(share(0.70, 0.70, 0.005))], { ...dna, pcaLeftOut: { share: 0.6294, components: 71.18 } });
    expect(d.name).toBe('none');
  });

  it('does not override a choice among candidates that keep the neighbourhoods (the autoencoder on image-like data stays)', () => {
    const d = decideReducer(
      [
        { name: 'pca', trustworthiness: 0.9975, labelAgreement: 0.88, labelShare: share(0.95, 0.90, 0.002) },
        { name: 'autoencoder', trustworthiness: 0.994, labelAgreement: 0.91, labelShare: share(0.96, 0.90, 0.002) },
      ],
      { ...wide, labelled: true },
    );
    expect(d.name).toBe('autoencoder');
  });

  it('never fails on figures it cannot use (no PCA, NaN shares, an empty spectrum)', () => {
    expect(decideReducer([], dna).name).toBe('none');
    expect(decideReducer([pca(share(NaN, NaN, NaN))], dna).name).toBe('none');
    expect(decideReducer([pca(null)], { ...dna, labelled: false, pcaLeftOut: { share: NaN, components: NaN } }).name).toBe('none');
  });
});

describe('rowLabelShares and pairedShare', () => {
  it('give each row the share of its labelled neighbours carrying its label, and the paired difference with its standard error', () => {
    // 4 rows, 2 neighbours each
    const graph = { n: 4, k: 2, indices: Int32Array.from([1, 2, 0, 3, 3, 0, 2, 1]), distances: new Float32Array(8) };
    const shares = rowLabelShares(graph, ['a', 'a', 'b', null]);
    expect(Array.from(shares.subarray(0, 3))).toEqual([0.5, 1, 0]); // row 1: neighbour 3 has no label
    expect(shares[3]).toBeNaN();
    const p = pairedShare(Float64Array.from([1, 1, 0.5, NaN]), shares);
    expect(p.codes).toBeCloseTo(2.5 / 3, 12);
    expect(p.input).toBeCloseTo(0.5, 12);
    expect(p.gain).toBeCloseTo(1 / 3, 12);
    // differences 0.5, 0, 0.5: sd sqrt(1/12), se sqrt(1/12) / sqrt(3)
    expect(p.se).toBeCloseTo(Math.sqrt(1 / 12) / Math.sqrt(3), 12);
  });
});
