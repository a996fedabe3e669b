import { describe, expect, it } from 'vitest';
import { InputError } from '../../../pipeline/errors.js';
import { INPUT_ERROR_PREFIX, inputErrorReason, shardInputError } from '../../../pipeline/queue/dispatch.js';

describe('a shard job failed by bad rows', () => {
  it('reaches the coordinator as the worker\'s InputError, located in the shard once (not its message inside another)', () => {
    const shard = '/data/shards/part-2.npy';
    const worker = new InputError('missing or non-finite value in row 1501, column "col_7"', { file: shard, field: 'col_7' });
    const reason = inputErrorReason(worker);
    expect(reason.startsWith(INPUT_ERROR_PREFIX)).toBe(true);
    const err = shardInputError(reason, shard);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(worker.message);
    expect(err.message.split(shard)).toHaveLength(2);
    expect(err.location).toEqual({ file: shard, field: 'col_7' });
  });

  it('keeps a reason written in the older plain form, located in the shard', () => {
    const err = shardInputError(`${INPUT_ERROR_PREFIX}row 3: not a number`, '/data/part-0.csv');
    expect(err.reason).toBe('row 3: not a number');
    expect(err.location).toEqual({ file: '/data/part-0.csv' });
  });
});
