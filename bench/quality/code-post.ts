// Code post-processing candidates for the autoencoder experiments (what t-SNE sees instead of the raw codes).
//   standardize: each code unit to mean 0, standard deviation 1
//   l2: each code vector to unit length (euclidean distance becomes a monotone function of cosine distance)
//   whiten: rotate to the codes' principal axes and scale each to variance 1 (PCA whitening)
//   center-l2: subtract the mean code, then unit length
import type { Matrix } from '../../pipeline/types.js';
import { fitPca, pcaTransform } from '../../pipeline/reduce/pca.js';

export type CodePost = 'none' | 'standardize' | 'l2' | 'whiten' | 'center-l2';

export function postProcess(codes: Matrix, post: CodePost): Matrix {
  const { rows, cols } = codes;
  if (post === 'none') return codes;
  if (post === 'whiten') {
    const pca = fitPca(codes, cols, 0);
    const z = pcaTransform(pca, codes);
    return standardize(z);
  }
  if (post === 'standardize') return standardize(codes);
  const v = Float32Array.from(codes.values);
  if (post === 'center-l2') {
    const mean = columnMeans(codes);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) v[r * cols + c] = v[r * cols + c]! - mean[c]!;
  }
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += v[r * cols + c]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < cols; c++) v[r * cols + c] = v[r * cols + c]! * inv;
  }
  return { rows, cols, values: v };
}

function columnMeans(m: Matrix): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) mean[c]! += m.values[r * m.cols + c]!;
  for (let c = 0; c < m.cols; c++) mean[c]! /= m.rows;
  return mean;
}

function standardize(m: Matrix): Matrix {
  const { rows, cols } = m;
  const mean = columnMeans(m);
  const sd = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) sd[c]! += (m.values[r * cols + c]! - mean[c]!) ** 2;
  const v = new Float32Array(rows * cols);
  for (let c = 0; c < cols; c++) sd[c] = Math.sqrt(sd[c]! / rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) v[r * cols + c] = sd[c]! > 0 ? (m.values[r * cols + c]! - mean[c]!) / sd[c]! : 0;
  }
  return { rows, cols, values: v };
}
