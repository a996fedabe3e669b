// The autoencoder stage: options from a run configuration, training, the trained model, save and load.
export { autoencoderOptions } from './options.js';
export type { AutoencoderOptions, AutoencoderShape, CodeActivation, NoiseOptions, SparsityOptions } from './options.js';
export { MIN_IMPROVEMENT, trainAutoencoder } from './train.js';
export type { Autoencoder } from './autoencoder.js';
export { INFERENCE_BATCH } from './autoencoder.js';
export { loadAutoencoder, MODEL_FILE, OPTIONS_FILE, WEIGHTS_FILE } from './io.js';
export { ACTIVE_THRESHOLD } from './sparse.js';
export { splitRows } from './split.js';
export type { RowSplit } from './split.js';
