// How the CLI reports a running job: progress bars on a terminal, plain lines in a log file,
// or one JSON object per line (--log-format json) for schedulers and the server's job queue.
import { encodeLayoutFrame, MAX_FRAME_POINTS } from './layout-frame.js';
import type { MapRows, ProgressEvent, ProgressInfo, Stage } from './types.js';
import type { Io, Parsed } from './cli-args.js';
import { InputError } from './errors.js';

export type LogFormat = 'text' | 'json';

export interface CliLogger {
  progress(progress: number, stage: Stage, info?: ProgressInfo): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, exitCode: number): void;
  /** Ends any progress line in place. */
  done(): void;
  /** The map so far (t-SNE), for a viewer watching it form: JSON logs only; null when this logger has no use for it. */
  layout: ((embedding: Float32Array, iteration: number, last: boolean, rows: MapRows | null) => void) | null;
}

/** Fewest milliseconds between two layout lines of the JSON log (the last one is always written). */
export const LAYOUT_INTERVAL_MS = 250;

/**
 * Holds every line of a logger until the job reaches a stage past loading and preparing (train, encode,
 * t-SNE), by which time the input and configuration have been checked: a job that fails on bad input then
 * prints only its error line. Progress goes out live where something watches it: a progress bar on a terminal
 * (main() erases it before an error), and the JSON log (`liveProgress`), which a server turns into a job's
 * progress events: loading a large file shows its bytes read of the total while it lasts, also when the file
 * is refused at the end (an endless line, a bad row).
 */
export function holdUntilValidated(inner: CliLogger, liveProgress: boolean): CliLogger {
  let held: (() => void)[] | null = [];
  const later = (f: () => void): void => {
    if (held) held.push(f);
    else f();
  };
  const release = (): void => {
    const h = held;
    held = null;
    for (const f of h ?? []) f();
  };
  return {
    progress: (p, s, i) => {
      if (held && s !== 'load' && s !== 'prepare') release();
      if (liveProgress) inner.progress(p, s, i);
      else later(() => inner.progress(p, s, i));
    },
    info: (m) => later(() => inner.info(m)),
    warn: (m) => later(() => inner.warn(m)),
    error: (m, code) => {
      held = null;
      inner.error(m, code);
    },
    done: () => {
      release();
      inner.done();
    },
    // layouts come from the map stage, after validation
    layout: inner.layout,
  };
}

export interface LoggerOptions {
  format: LogFormat;
  /** Where log lines go (stderr, so stdout carries only the result). */
  write: (text: string) => void;
  /** Draw a redrawn progress bar (only on a terminal). */
  tty: boolean;
  quiet?: boolean;
  now?: () => number;
}

const STAGE_LABEL: Record<Stage, string> = {
  load: 'load',
  prepare: 'prepare',
  train: 'train',
  encode: 'encode',
  tsne: 't-SNE',
  umap: 'UMAP',
  metrics: 'metrics',
  write: 'write',
};

function detail(info: ProgressInfo | undefined): string {
  if (!info) return '';
  const parts: string[] = [];
  if (info.epoch !== undefined) parts.push(`epoch ${info.epoch}`);
  if (info.loss !== undefined) parts.push(`loss ${info.loss.toFixed(4)}`);
  if (info.valLoss !== undefined && info.valLoss !== null) parts.push(`val ${info.valLoss.toFixed(4)}`);
  if (info.iteration !== undefined) parts.push(`iter ${info.iteration}`);
  if (info.kl !== undefined) parts.push(`KL ${info.kl.toFixed(3)}`);
  if (info.bytes !== undefined) parts.push(`${(info.bytes / 1e6).toFixed(1)}${info.totalBytes ? ` of ${(info.totalBytes / 1e6).toFixed(1)}` : ''} MB`);
  if (info.message) parts.push(info.message);
  return parts.join('  ');
}

/** "1h02m", "3m05s", "12s": a duration for the time left. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Seconds left in a stage, extrapolated from its progress so far (the stage's elapsed time x (1 - p) / p);
 * null until the stage has run 2 s and reached 2%, when the estimate would be noise.
 */
export function stageTimeLeft(progress: number, stageSeconds: number): number | null {
  if (!(progress >= 0.02 && progress < 1) || stageSeconds < 2) return null;
  return (stageSeconds * (1 - progress)) / progress;
}

export function createLogger(opts: LoggerOptions): CliLogger {
  const now = opts.now ?? (() => Date.now());
  const start = now();
  const elapsed = (): number => Math.round((now() - start) / 100) / 10;
  let stageOf: Stage | null = null;
  let stageStart = start;
  /** Seconds left in this stage by its progress so far (null when too early to tell). */
  const left = (progress: number, stage: Stage): number | null => {
    const t = now();
    if (stage !== stageOf || progress === 0) {
      stageOf = stage;
      stageStart = t;
    }
    return stageTimeLeft(progress, (t - stageStart) / 1000);
  };
  const leftText = (l: number | null): string => (l === null ? '' : `  ~${formatDuration(l)} left`);
  let lastStage: Stage | null = null;
  let lastEmit = 0;
  /** The stage whose input size (totalBytes) the JSON log has told. */
  let sizeTold: Stage | null = null;
  let lastDecile = -1;
  let barOpen = false;
  let lastLayout = -Infinity;

  const endBar = (): void => {
    if (barOpen) {
      opts.write('\n');
      barOpen = false;
    }
  };

  if (opts.format === 'json') {
    const emit = (obj: Record<string, unknown>): void => opts.write(`${JSON.stringify({ time: new Date(now()).toISOString(), ...obj })}\n`);
    return {
      progress(progress, stage, info) {
        const t = now();
        // Every stage start and end, every epoch/KL report, the first report of the bytes read of an input (its
        // size is told at once, however fast it loads), and at most 4 lines a second in between.
        const firstSize = info?.totalBytes !== undefined && sizeTold !== stage;
        const important = progress === 0 || progress === 1 || stage !== lastStage || firstSize || info?.epoch !== undefined || info?.kl !== undefined;
        if (!important && t - lastEmit < 250) return;
        lastEmit = t;
        lastStage = stage;
        if (info?.totalBytes !== undefined) sizeTold = stage;
        const l = left(progress, stage);
        const event: ProgressEvent = { type: 'progress', stage, progress: Math.round(progress * 1000) / 1000, elapsed: elapsed(), ...(l !== null ? { stageLeft: Math.round(l) } : {}), ...info };
        emit({ ...event });
      },
      info: (message) => emit({ type: 'log', level: 'info', message, elapsed: elapsed() }),
      warn: (message) => emit({ type: 'log', level: 'warn', message, elapsed: elapsed() }),
      error: (message, exitCode) => emit({ type: 'error', level: 'error', message, exitCode, elapsed: elapsed() }),
      done: () => {},
      layout: (embedding, iteration, last, rows) => {
        const t = now();
        // at most 4 a second, and the finished layout always
        if (t - lastLayout < LAYOUT_INTERVAL_MS && !last) return;
        lastLayout = t;
        emit({ ...encodeLayoutFrame(embedding, iteration, MAX_FRAME_POINTS, rows), elapsed: elapsed() });
      },
    };
  }

  return {
    progress(progress, stage, info) {
      if (opts.quiet) return;
      const label = STAGE_LABEL[stage].padEnd(8);
      const l = left(progress, stage);
      if (opts.tty) {
        const t = now();
        if (progress !== 1 && stage === lastStage && t - lastEmit < 100) return;
        lastEmit = t;
        if (stage !== lastStage) endBar();
        lastStage = stage;
        const width = 24;
        const filled = Math.round(Math.max(0, Math.min(1, progress)) * width);
        const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
        opts.write(`\r\x1b[2K${label} ${bar} ${String(Math.round(progress * 100)).padStart(3)}%  ${detail(info)}${leftText(l)}`);
        barOpen = true;
        if (progress >= 1) endBar();
        return;
      }
      // Not a terminal: a line at each stage start and end and at each tenth in between.
      const decile = Math.floor(progress * 10);
      if (stage !== lastStage) lastDecile = -1;
      if (stage === lastStage && decile === lastDecile && progress !== 1) return;
      lastStage = stage;
      lastDecile = decile;
      opts.write(`[${elapsed().toFixed(1).padStart(6)}s] ${label} ${String(Math.round(progress * 100)).padStart(3)}%  ${detail(info)}${leftText(l)}\n`);
    },
    info(message) {
      if (opts.quiet) return;
      endBar();
      opts.write(`${message}\n`);
    },
    warn(message) {
      endBar();
      opts.write(`warning: ${message}\n`);
    },
    error(message) {
      endBar();
      opts.write(`error: ${message}\n`);
    },
    done: endBar,
    layout: null,
  };
}

/** The logger a command's --log-format and --quiet ask for, writing to stderr (progress bars on a terminal). */
export function loggerFor(args: Parsed, io: Io): CliLogger {
  const format = (args.values.get('log-format') ?? 'text') as LogFormat;
  if (format !== 'text' && format !== 'json') throw new InputError(`--log-format must be text or json, got ${JSON.stringify(format)}`);
  const tty = io.tty && format === 'text';
  return holdUntilValidated(createLogger({ format, write: io.err, tty, quiet: args.bools.has('quiet') }), tty || format === 'json');
}
