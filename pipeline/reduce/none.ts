// Reducer none: the codes are the prepared rows themselves (t-SNE runs on the scaled input). Keeps no model.
import type { Matrix } from '../types.js';
import type { Reducer, ReducerMethod } from './reducer.js';

function identity(width: number): Reducer {
  return {
    name: 'none',
    codeSize: width,
    encode: (x: Matrix) => x,
    reconstruct: () => null,
    decode: () => null,
    rowErrors: () => null,
    save: async () => ({}),
    report: {
      backend: 'none',
      history: [],
      reconstruction: { loss: null, train: null, validation: null },
      notes: [],
      description: `none (the ${width} prepared columns)`,
    },
    dispose: () => {},
  };
}

export const noneReducer: ReducerMethod = {
  name: 'none',
  fit: async (x) => identity(x.cols),
  // the width is only descriptive here; encode is the identity whatever it is
  load: async () => identity(0),
};
