// What every reader of a job sees (/api/jobs, its event stream): its configuration as manifests show one, and
// messages (errors, log lines) without a server path or more than a glimpse of a file's contents.
import path from 'node:path';
import type { DataRoots } from '../data-roots.js';
import { publicConfig, publicPathName } from '../public-manifest.js';
import { scrubPaths } from '../scrub.js';
import { REPO } from './child.js';
import type { JobState } from './records.js';

export class JobPublicView {
  constructor(
    /** The runs directory. */
    private readonly runsDir: string,
    private readonly dataRoots: DataRoots,
  ) {}

  /**
   * A job as every reader sees it: its configuration as manifests show one (public-manifest.ts publicConfig: the
   * paths it reads by their public names, column names as written) and its name with absolute paths as
   * `<path>`, so one client's paths do not show another the server's directories.
   */
  job(job: JobState): JobState {
    const config = job.config as unknown;
    const name = typeof job.name === 'string' ? scrubPaths(job.name) : job.name;
    if (!config || typeof config !== 'object') return { ...job, name };
    // a relative path is what the client sent, relative to a data root (it names nothing of the server)
    const shown = (p: string): string => (path.isAbsolute(p) ? publicPathName(p, this.runsDir, this.dataRoots) : p);
    return { ...job, name, config: publicConfig(config as Record<string, unknown>, shown) as JobState['config'] };
  }

  /**
   * Client-facing messages (job errors, log lines: anyone who can read /api/jobs sees them) never carry a
   * server path nor more than a glimpse of a file's contents: data roots become `data-root:`, the runs
   * directory `<runs>`, any other absolute path `<path>`; quoted text is cut to 40 characters, the message to 500.
   */
  message(message: string): string {
    let out = message.replace(new RegExp(`${escapeRegExp(this.runsDir)}/\\.uploads/(up-[0-9a-f]{16})/[^\\s"':,)]*`, 'g'), 'upload:$1');
    out = scrubPaths(out, [...this.dataRoots.paths().map((dir) => ({ dir, as: 'data-root:' })), { dir: this.runsDir, as: '<runs>' }, { dir: REPO, as: '<app>' }]);
    out = out.replace(/"([^"]{40})[^"]+"/g, '"$1…"');
    return out.length > 500 ? `${out.slice(0, 497)}...` : out;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
