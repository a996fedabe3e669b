// File paths out of text a client sees (error messages, job errors and logs, free text of manifests). One rule
// for every answer: an absolute file path (`/srv/data/x.csv`, `C:\data\x.csv`) becomes `<path>`, or a
// shorter public name when it lies under a directory the caller names (`<runs>`, `data-root:`); what is not a
// file path of a machine stays as written:
//   - URL paths: a request line ("GET /api/uploads"), this server's own routes (`/api/...`), and the path of
//     a URL (`http://host/x.csv` is kept, minus any `user:password@`; a `file://` URL names a file: its path
//     goes);
//   - names: relative text with slashes (a column "km/h", "1/2 of the rows", "and/or"), and a slash that
//     starts no path segment.

import { posix } from 'node:path';

/**
 * A directory whose paths get a public name. `as` is what the directory itself becomes: a prefix ending in `:`
 * (`data-root:`) is followed by the path relative to it (`data-root:a/b.csv`); another (`<runs>`) by `/` and
 * the relative path; `<path>` stands for the whole path (nothing about it is told).
 */
export interface ScrubRoot {
  dir: string;
  as: string;
}

const METHOD = /(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\s+$/;
/** A URL: scheme://, optional userinfo, host and path up to the next space or quote. */
const URL_TEXT = /\b([a-z][a-z0-9+.-]*):\/\/(?:[^\s"'@/]*@)?[^\s"')]*/gi;
/** A path starting at the beginning or after a space, quote, bracket, = or :. */
const ABSOLUTE = /(^|[\s"'(=:[,])(\/[^\s"'()<>,:]+|[A-Za-z]:\\[^\s"'()<>,]+)/g;
/** A POSIX absolute path at a boundary (as ABSOLUTE), for the named directories. */
const ROOTED = /(^|[\s"'(=:[,])(\/[^\s"'()<>,:]*)/g;

/**
 * `message` with the given roots replaced (longest first) and, unless `anyPath` is false (text the server
 * composed from URL paths and ids only), every other absolute file path as `<path>`. URL paths and names are
 * kept (see the top of this file).
 */
export function scrubPaths(message: string, roots: readonly ScrubRoot[] = [], anyPath = true): string {
  const named = [...roots].filter((r) => r.dir.length > 1).map((r) => ({ ...r, dir: r.dir.replace(/\/+$/, '') })).sort((a, b) => b.dir.length - a.dir.length);
  // A named directory counts only as a whole path's beginning, at a path boundary, and only when the path,
  // with its `..` resolved, stays inside it: `/srv/dataX/a.csv` and `/srv/data/../etc/x` are not under
  // `/srv/data`, and a relative text that contains the directory's name is the writer's own text.
  let out = named.length === 0 ? message : message.replace(ROOTED, (match, before: string, p: string) => {
    const normal = posix.normalize(p);
    for (const { dir, as } of named) {
      if (normal !== dir && !normal.startsWith(`${dir}/`)) continue;
      const rest = normal.slice(dir.length + 1);
      if (as === '<path>') return `${before}<path>`;
      return `${before}${as.endsWith(':') ? `${as}${rest}` : rest ? `${as}/${rest}` : as}`;
    }
    return match;
  });
  if (!anyPath) return out;
  // URLs are set aside first, so their paths are not taken for file paths; their passwords are dropped.
  const urls: string[] = [];
  out = out.replace(URL_TEXT, (url) => {
    urls.push(/^file:/i.test(url) ? 'file://<path>' : url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^\s"'@/]*@/i, '$1'));
    return `\u0000${urls.length - 1}\u0000`;
  });
  out = out.replace(ABSOLUTE, (match, before: string, p: string, offset: number, whole: string) => {
    if (p.startsWith('/api/') || p === '/api') return match;
    if (METHOD.test(whole.slice(Math.max(0, offset - 8), offset + before.length))) return match;
    return `${before}<path>`;
  });
  return out.replace(/\u0000(\d+)\u0000/g, (_, i: string) => urls[Number(i)]!);
}
