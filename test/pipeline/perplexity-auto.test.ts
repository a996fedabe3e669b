import { describe, expect, it } from 'vitest';
import { AUTO_MAX_ROWS, decidePerplexity, DEFAULT_PERPLEXITY, MIN_ACCURACY_GAIN, planPerplexity, SMALL_PERPLEXITY, TRUST_TOLERANCE } from '../../pipeline/perplexity-auto.js';

describe('perplexity auto: which maps are made', () => {
  it('an explicit perplexity is the only one, and is not auto', () => {
    expect(planPerplexity(50, 200, true)).toEqual({ candidates: [50], auto: false });
  });

  it('a small labelled map tries the standard 30 first, then 10', () => {
    expect(planPerplexity('auto', 200, true)).toEqual({ candidates: [DEFAULT_PERPLEXITY, SMALL_PERPLEXITY], auto: true });
    expect(planPerplexity('auto', AUTO_MAX_ROWS, true).candidates).toEqual([30, 10]);
  });

  it('without labels, or beyond the row limit, only the standard 30, saying why', () => {
    const unlabelled = planPerplexity('auto', 200, false);
    expect(unlabelled.candidates).toEqual([30]);
    expect(unlabelled.reason).toMatch(/no labels/);
    const large = planPerplexity('auto', AUTO_MAX_ROWS + 1, true);
    expect(large.candidates).toEqual([30]);
    expect(large.reason).toMatch(/5,001 rows \(more than 5,000\)/);
  });
});

describe('perplexity auto: which map is kept', () => {
  it('the smaller perplexity wins when its labels agree better at nearly the same trustworthiness (crabs)', () => {
    const pick = decidePerplexity([
      { perplexity: 30, trustworthiness: 0.9949, labelAccuracy: 0.67 },
      { perplexity: 10, trustworthiness: 0.9942, labelAccuracy: 0.745 },
    ]);
    expect(pick.index).toBe(1);
    expect(pick.reason).toBe(
      '10: its map agrees better with the labels (by 0.03 or more) at trustworthiness within 0.01 of the best (30: trustworthiness 0.9949, label accuracy 0.670; 10: trustworthiness 0.9942, label accuracy 0.745)',
    );
  });

  it('a gain in label accuracy below MIN_ACCURACY_GAIN keeps the standard map (vowel: near-copies favour tight neighbourhoods)', () => {
    expect(MIN_ACCURACY_GAIN).toBe(0.03);
    const pick = decidePerplexity([
      { perplexity: 30, trustworthiness: 0.9948, labelAccuracy: 0.906 },
      { perplexity: 10, trustworthiness: 0.9962, labelAccuracy: 0.919 },
    ]);
    expect(pick.index).toBe(0);
  });

  it("vowel's largest gain over five row orders (0.022) keeps the standard map; crabs' smallest (0.035) keeps 10", () => {
    // bench/quality-seeds.ts, seed 4: at 10 the judge's 5-fold accuracy was 0.339, at 30 0.422
    const vowel = decidePerplexity([
      { perplexity: 30, trustworthiness: 0.9955, labelAccuracy: 0.901 },
      { perplexity: 10, trustworthiness: 0.9961, labelAccuracy: 0.923 },
    ]);
    expect(vowel.index).toBe(0);
    const crabs = decidePerplexity([
      { perplexity: 30, trustworthiness: 0.9951, labelAccuracy: 0.71 },
      { perplexity: 10, trustworthiness: 0.9936, labelAccuracy: 0.745 },
    ]);
    expect(crabs.index).toBe(1);
  });

  it('a loss of trustworthiness within the spread between row orders does not keep the standard map (birthwt)', () => {
    // bench/quality-seeds.ts, session 19, birthwt in its file's order: the judge's 5-fold accuracy 0.699 at 10 against 0.662 at 30
    expect(TRUST_TOLERANCE).toBe(0.01);
    const pick = decidePerplexity([
      { perplexity: 30, trustworthiness: 0.9702, labelAccuracy: 0.6349 },
      { perplexity: 10, trustworthiness: 0.962, labelAccuracy: 0.6772 },
    ]);
    expect(pick.index).toBe(1);
  });

  it('a gain of exactly the margin keeps the smaller perplexity, whatever the rounding of shares of rows (6 of 200 rows)', () => {
    // 58/200 - 52/200 is 0.0299999... in floating point, where 145/200 - 139/200 is 0.03000...
    expect(58 / 200 - 52 / 200).toBeLessThan(MIN_ACCURACY_GAIN);
    expect(decidePerplexity([
      { perplexity: 30, trustworthiness: 0.99, labelAccuracy: 52 / 200 },
      { perplexity: 10, trustworthiness: 0.99, labelAccuracy: 58 / 200 },
    ]).index).toBe(1);
    expect(decidePerplexity([
      { perplexity: 30, trustworthiness: 0.99, labelAccuracy: 139 / 200 },
      { perplexity: 10, trustworthiness: 0.99, labelAccuracy: 145 / 200 },
    ]).index).toBe(1);
  });

  it('says why the standard map was kept: which condition the smaller perplexity missed, by how much', () => {
    const small = decidePerplexity([
      { perplexity: 30, trustworthiness: 0.9475, labelAccuracy: 0.664 },
      { perplexity: 10, trustworthiness: 0.9413, labelAccuracy: 0.687 },
    ]);
    expect(small.index).toBe(0);
    expect(small.reason).toContain('(10 agreed with the labels better by only 0.023, under 0.03)');
    const lost = decidePerplexity([
      { perplexity: 30, trustworthiness: 0.95, labelAccuracy: 0.6 },
      { perplexity: 10, trustworthiness: 0.938, labelAccuracy: 0.7 },
    ]);
    expect(lost.reason).toContain('(10 lost 0.0120 trustworthiness, more than 0.01)');
  });

  it('a larger loss of trustworthiness keeps the standard map, however much better the labels agree (sonar)', () => {
    const pick = decidePerplexity([
      { perplexity: 30, trustworthiness: 0.9209, labelAccuracy: 0.5328 },
      { perplexity: 10, trustworthiness: 0.9209 - TRUST_TOLERANCE - 0.0001, labelAccuracy: 0.5861 },
    ]);
    expect(pick.index).toBe(0);
    expect(pick.reason).toMatch(/^the standard 30: no smaller perplexity/);
  });

  it('equal label accuracy keeps the standard map (iris)', () => {
    expect(
      decidePerplexity([
        { perplexity: 30, trustworthiness: 0.9898, labelAccuracy: 0.9467 },
        { perplexity: 10, trustworthiness: 0.9897, labelAccuracy: 0.9467 },
      ]).index,
    ).toBe(0);
  });

  it('a smaller perplexity with higher trustworthiness and better labels wins; without label accuracy the first stays', () => {
    expect(
      decidePerplexity([
        { perplexity: 30, trustworthiness: 0.95, labelAccuracy: 0.7 },
        { perplexity: 10, trustworthiness: 0.96, labelAccuracy: 0.73 },
      ]).index,
    ).toBe(1);
    expect(
      decidePerplexity([
        { perplexity: 30, trustworthiness: 0.95, labelAccuracy: null },
        { perplexity: 10, trustworthiness: 0.96, labelAccuracy: null },
      ]).index,
    ).toBe(0);
    expect(() => decidePerplexity([])).toThrow(/no maps/);
  });
});
