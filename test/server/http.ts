// A raw HTTP client for the tests: no URL normalisation (so "/../" reaches the server as sent),
// no automatic decompression, full control of headers.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: () => any;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The source address to send from (any 127.x.y.z works on loopback). */
  localAddress?: string;
}

export function request(base: string, path: string, o: RequestOptions = {}): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method: o.method ?? 'GET', headers: o.headers ?? {}, localAddress: o.localAddress },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

export async function listen(app: Express): Promise<{ base: string; server: Server; close: () => Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads a server-sent event stream until it ends (or `until` returns true); returns the events. */
export function readEvents(
  base: string,
  path: string,
  until?: (e: { event: string; data: any }) => boolean,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string; events: { event: string; data: any }[] }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, headers }, (res) => {
      const events: { event: string; data: any }[] = [];
      let buf = '';
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), events });
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let at: number;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length === 0) continue;
          let parsed: unknown = data.join('\n');
          try {
            parsed = JSON.parse(parsed as string);
          } catch {
            // leave as text
          }
          const e = { event, data: parsed };
          events.push(e);
          if (until?.(e)) {
            req.destroy();
            finish();
            return;
          }
        }
      });
      res.on('end', finish);
      res.on('close', finish);
    });
    req.on('error', (err) => (isOwnAbort(err) ? undefined : reject(err)));
    req.end();
  });
}

function isOwnAbort(err: Error): boolean {
  // req.destroy() after `until` matched raises ECONNRESET/abort on some Node versions: not a failure.
  return /aborted|socket hang up|ECONNRESET/i.test(err.message);
}
