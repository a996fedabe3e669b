// Where the shard queue lives: a Redis URL (redis://[user:password@]host:port[/db]) turned into the
// connection options BullMQ takes, and the queue's name.

import { InputError } from '../errors.js';

/** The BullMQ queue every coordinator and worker of one Redis use; jobs carry their run's id. */
export const QUEUE_NAME = 'latentmap-shards';

export interface RedisConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** Required by BullMQ workers (blocking commands must not be retried by the client). */
  maxRetriesPerRequest: null;
}

/** Parses a queue URL; InputError (field `queue`) for anything but redis://host:port[/db]. */
export function parseQueueUrl(url: string): RedisConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(`queue must be a URL like redis://host:6379, got ${JSON.stringify(url)}`, { field: 'queue' });
  }
  if (u.protocol !== 'redis:') throw new InputError(`queue must be a redis:// URL (BullMQ on Redis), got ${JSON.stringify(url)}`, { field: 'queue' });
  if (!u.hostname) throw new InputError(`queue URL names no host: ${JSON.stringify(url)}`, { field: 'queue' });
  const port = u.port ? Number(u.port) : 6379;
  const dbPart = u.pathname.replace(/^\//, '');
  const db = dbPart ? Number(dbPart) : 0;
  if (!Number.isInteger(db) || db < 0) throw new InputError(`queue URL's database must be a whole number, got ${JSON.stringify(dbPart)}`, { field: 'queue' });
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    maxRetriesPerRequest: null,
  };
}
