// serve(): loopback by default, refuses public addresses without a token, shuts down on SIGTERM.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInputError } from '../../pipeline/errors.js';
import { isLoopback, serve } from '../../server/main.js';
import { RELAUNCHED_ENV, SERVER_NODE_ENV } from '../../server/node-flags.js';
import { tempRunsDir, writeFixtureRun } from './fixtures.js';
import { request } from './http.js';

const BIN = fileURLToPath(new URL('../../bin/latentmap.js', import.meta.url));
let runs: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  runs = await tempRunsDir();
  await writeFixtureRun(runs.dir, { id: 'served', rows: 10 });
});
afterAll(async () => runs.cleanup());

describe('isLoopback', () => {
  it('knows loopback addresses from the others', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopback(h), h).toBe(false);
  });
});

describe('serve', () => {
  it('binds 127.0.0.1 and serves the runs', async () => {
    const s = await serve({ runsDir: runs.dir, port: 0, host: '127.0.0.1', token: null, handleSignals: false, log: () => {} });
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await request(s.url, '/api/runs/served')).status).toBe(200);
      // Loopback only answers loopback host names (DNS rebinding).
      expect((await request(s.url, '/api/runs', { headers: { host: 'attacker.example' } })).status).toBe(421);
    } finally {
      await s.close();
    }
  });

  it('refuses a non-loopback address without a token, with an InputError', async () => {
    for (const host of ['0.0.0.0', '::']) {
      const err = await serve({ runsDir: runs.dir, port: 0, host, token: null, handleSignals: false, log: () => {} }).catch((e: unknown) => e);
      expect(isInputError(err), String(err)).toBe(true);
      expect(String((err as Error).message)).toMatch(/token/);
    }
  });

  it('binds a non-loopback address when a token is set, and then writes need it', async () => {
    const s = await serve({ runsDir: runs.dir, port: 0, host: '0.0.0.0', token: 'secret-token-123', handleSignals: false, log: () => {} });
    try {
      const port = new URL(s.url).port;
      const local = `http://127.0.0.1:${port}`;
      expect((await request(local, '/api/runs/served')).status).toBe(200);
      const r = await request(local, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(r.status).toBe(401);
    } finally {
      await s.close();
    }
  });

  it('says which port is taken', async () => {
    const a = await serve({ runsDir: runs.dir, port: 0, host: '127.0.0.1', token: null, handleSignals: false, log: () => {} });
    try {
      const port = Number(new URL(a.url).port);
      const err = await serve({ runsDir: runs.dir, port, host: '127.0.0.1', token: null, handleSignals: false, log: () => {} }).catch((e: unknown) => e);
      expect(isInputError(err)).toBe(true);
      expect((err as Error).message).toMatch(new RegExp(`port ${port} is in use`));
    } finally {
      await a.close();
    }
  });
});

describe('latentmap serve (the CLI around serve())', () => {
  const start = (args: string[], env: Record<string, string> = {}) =>
    spawn(process.execPath, [BIN, 'serve', '--runs-dir', runs.dir, ...args], {
      env: { ...process.env, LATENTMAP_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('exits 2 with one clear line when asked to bind a public address without a token', async () => {
    const child = start(['--host', '0.0.0.0', '--port', '0']);
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(2);
    expect(err).toMatch(/token/);
  });

  /** Starts `latentmap serve` on a free port; resolves with its URL once it listens, and what it wrote to stderr by then. */
  const listening = (child: ReturnType<typeof start>): Promise<{ url: string; err: () => string }> => {
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    return new Promise((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve({ url: m[1]!, err: () => err });
      });
      child.on('close', () => reject(new Error(`serve exited early: ${out} ${err}`)));
    });
  };

  it("serves from a Node started with --expose-gc and glibc's allocator settings, and passes SIGINT on to it", async () => {
    const child = start(['--port', '0']);
    const { url, err } = await listening(child);
    expect(err()).toMatch(/full garbage collections when past it: on \(Node started with --expose-gc\); allocator: MALLOC_MMAP_THRESHOLD_=131072 MALLOC_ARENA_MAX=2/);
    expect((await request(url, '/api/health')).json().status).toBe('ok');
    const closed = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
    child.kill('SIGINT');
    expect(await closed).toEqual({ code: 0, signal: null });
    expect(err()).toMatch(/SIGINT: shutting down/);
  });

  it('never starts a second child: a Node marked as the relaunched one serves in-process and says the cache gives way alone', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(k in SERVER_NODE_ENV))) as Record<string, string>;
    const child = spawn(process.execPath, [BIN, 'serve', '--runs-dir', runs.dir, '--port', '0'], { env: { ...env, LATENTMAP_TOKEN: '', [RELAUNCHED_ENV]: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const { url, err } = await listening(child);
    expect(err()).toMatch(/full garbage collections when past it: off \(Node started without --expose-gc/);
    expect(err()).toMatch(/allocator: MALLOC_MMAP_THRESHOLD_=unset MALLOC_ARENA_MAX=unset/);
    expect((await request(url, '/api/health')).json().status).toBe('ok');
    const closed = new Promise<number | null>((r) => child.on('close', r));
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
  });

  it('shuts down cleanly on SIGTERM, finishing in-flight work', async () => {
    const child = start(['--port', '0']);
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('close', () => reject(new Error(`serve exited early: ${out}`)));
    });
    expect((await request(url, '/api/health')).json().status).toBe('ok');
    const closed = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
    child.kill('SIGTERM');
    const { code, signal } = await closed;
    expect(signal).toBeNull();
    expect(code).toBe(0);
  });
});
