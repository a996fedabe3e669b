// How the server's process is started (server/node-flags.ts): when a Node must start a child Node to serve,
// and with which environment. The child itself is tested through the CLI in main.test.ts.
import { describe, expect, it } from 'vitest';
import { needsRelaunch, RELAUNCHED_ENV, SERVER_NODE_ENV, serverEnv, withoutServerEnv } from '../../server/node-flags.js';

const gc = (): void => {};
const settings = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_ARENA_MAX: '2' };

describe('needsRelaunch', () => {
  it('asks for a child Node when gc is not exposed or an allocator setting is missing, and never in the child', () => {
    expect(needsRelaunch({ ...settings }, gc)).toBe(false);
    expect(needsRelaunch({ ...settings }, null)).toBe(true);
    expect(needsRelaunch({ MALLOC_ARENA_MAX: '2' }, gc)).toBe(true);
    expect(needsRelaunch({}, gc)).toBe(true);
    // the child never starts another, whatever it lacks
    expect(needsRelaunch({ [RELAUNCHED_ENV]: '' }, null)).toBe(false);
    expect(needsRelaunch({ [RELAUNCHED_ENV]: 'MALLOC_ARENA_MAX' }, null)).toBe(false);
  });
});

describe('serverEnv', () => {
  it("adds glibc's allocator settings and keeps the ones the environment already sets", () => {
    expect(SERVER_NODE_ENV).toEqual(settings);
    expect(serverEnv({ PATH: '/bin' })).toEqual({ PATH: '/bin', ...settings });
    expect(serverEnv({ MALLOC_ARENA_MAX: '4' })).toEqual({ MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '131072' });
  });
});

describe('withoutServerEnv', () => {
  it("gives a job the environment without the settings the server's launch added, keeping the ones the user set", () => {
    // the user set MALLOC_ARENA_MAX=4; the launch added the mapping threshold only
    const server = { PATH: '/bin', MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '131072', [RELAUNCHED_ENV]: 'MALLOC_MMAP_THRESHOLD_' };
    expect(withoutServerEnv(server)).toEqual({ PATH: '/bin', MALLOC_ARENA_MAX: '4' });
    expect(withoutServerEnv({ PATH: '/bin', ...settings, [RELAUNCHED_ENV]: 'MALLOC_MMAP_THRESHOLD_,MALLOC_ARENA_MAX' })).toEqual({ PATH: '/bin' });
    // a server not relaunched (started with everything, or in-process) passes its environment on as it is
    expect(withoutServerEnv({ PATH: '/bin', ...settings })).toEqual({ PATH: '/bin', ...settings });
  });
});
