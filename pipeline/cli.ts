// The command line: the only place that parses argv, prints, and decides exit codes.
// Exit 0 success, 2 bad input or configuration (one clear line on stderr, nothing written), 1 anything else.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { createLogger, loggerFor, type LogFormat } from './cli-log.js';
import { CONFIG_KEYS, CONFIG_SCHEMA, flagName, keyFromFlag, parsePartialConfig, parseValue, resolveConfig, type FieldSpec } from './config.js';
import { headerFlag, helpText, intFromText, optionalInt, parseArgs, required, type CommandSpec, type Io, type Parsed } from './cli-args.js';
import { InputError, isCancelled, isInputError, operatorNote } from './errors.js';
import { reconstructCommand, sampleCommand, transformCommand } from './cli-saved-run.js';

export type { Io } from './cli-args.js';
import type { MapRows, RunConfig } from './types.js';

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  tty: Boolean(process.stderr.isTTY),
  env: process.env,
};

// ---- run -------------------------------------------------------------------------------------------

function configFlags(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    if (key === 'header') continue; // --header / --no-header, below
    const spec: FieldSpec = CONFIG_SCHEMA[key];
    const def = spec.default === null ? '' : ` (default ${Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)})`;
    const vals = spec.values ? ` [${spec.values.join('|')}]` : '';
    out[flagName(key)] = `${spec.doc}${vals}${rangeOf(spec)}${def}`;
  }
  return out;
}

/** A numeric field's accepted range for --help: " [100 to 10,000,000]", " [at least 1]", " [each 0 to 1]"; '' without bounds. */
function rangeOf(spec: FieldSpec): string {
  const num = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en-US') : String(v));
  const each = spec.type === 'intList' ? 'each ' : '';
  if (spec.min !== undefined && spec.max !== undefined) return ` [${each}${num(spec.min)} to ${num(spec.max)}]`;
  if (spec.min !== undefined) return ` [${each}at least ${num(spec.min)}]`;
  if (spec.max !== undefined) return ` [${each}at most ${num(spec.max)}]`;
  return '';
}

/** Reads a --config file (JSON or YAML) into a validated partial configuration. */
export async function readConfigFile(file: string): Promise<Partial<RunConfig>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read configuration file: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, { file }, { cause: err });
  }
  let obj: unknown;
  if (/\.ya?ml$/i.test(file)) {
    const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const pos = e.linePos?.[0];
      throw new InputError(`invalid YAML: ${e.message.split('\n')[0]}`, { file, ...(pos ? { line: pos.line, column: pos.col } : {}) });
    }
    // A YAML number is taken by its source text, under the same rule as a number given as text anywhere
    // (config.ts numberFromText): YAML itself would read 0x186a0 and 0o17 as numbers.
    YAML.visit(doc, {
      Scalar(_key, node) {
        if (typeof node.value === 'number' && typeof node.source === 'string') node.value = node.source;
      },
    });
    obj = doc.toJS();
  } else {
    try {
      obj = JSON.parse(text);
    } catch (err) {
      const m = /position (\d+)/.exec((err as Error).message);
      const loc: { file: string; line?: number; column?: number } = { file };
      if (m) {
        const before = text.slice(0, Number(m[1]));
        loc.line = before.split('\n').length;
        loc.column = before.length - before.lastIndexOf('\n');
      }
      throw new InputError(`invalid JSON: ${(err as Error).message.replace(/ in JSON at position \d+.*$/, '')}`, loc);
    }
  }
  const partial = parsePartialConfig(obj ?? {}, path.basename(file));
  // Relative paths in a config file are relative to the file, so a job file works from any directory.
  const base = path.dirname(path.resolve(file));
  for (const k of ['input', 'dataDir', 'runsDir'] as const) {
    const v = partial[k];
    if (typeof v === 'string' && !path.isAbsolute(v)) (partial as Record<string, unknown>)[k] = path.resolve(base, v);
  }
  return partial;
}

/** Builds the configuration of `latentmap run`: defaults < --config file < flags. */
export async function configFromArgs(args: Parsed): Promise<RunConfig> {
  const fromFile = args.values.has('config') ? await readConfigFile(args.values.get('config')!) : {};
  const fromFlags: Record<string, unknown> = {};
  for (const [flag, raw] of args.values) {
    const key = keyFromFlag(flag);
    if (!(CONFIG_KEYS as string[]).includes(key)) continue;
    fromFlags[key] = parseValue(key as keyof RunConfig, raw, `--${flag}`);
  }
  const header = headerFlag(args);
  if (header) fromFlags.header = header;
  // A flag naming the data source replaces the file's choice of source.
  if ('input' in fromFlags && !('dataset' in fromFlags)) fromFlags.dataset = null;
  if ('dataset' in fromFlags && !('input' in fromFlags)) fromFlags.input = null;
  return resolveConfig(fromFile, fromFlags as Partial<RunConfig>);
}

/** The job's logger; its lines are held until the input has been checked (see holdUntilValidated). */
const runCommand: CommandSpec = {
  name: 'run',
  summary: 'load a dataset, reduce it to codes (an autoencoder, PCA or nothing: auto measures which), run t-SNE on the codes and write a run directory',
  usage: 'latentmap run [--config job.json|job.yaml] [--dataset NAME | --input PATH] [flags...]',
  flags: {
    config: 'configuration file (JSON or YAML, keys in camelCase as below); flags override it',
    'log-format': 'text (progress bars on a terminal, plain lines otherwise) or json (one object per line) (default text)',
    id: 'use this run id (letters, digits, - and _) instead of a generated one',
    'max-decompressed-bytes': 'gzipped input: fail (exit 2) once more than this many bytes are decompressed, reading no further (a server passes its --max-upload-bytes to its jobs); default no cap',
    'data-root': 'read the input file and data directory only inside this directory (repeatable), checked right before they are opened, and open their real paths (a server passes its --data-root to its jobs); default no confinement',
    ...configFlags(),
  },
  repeatable: ['data-root'],
  bools: {
    header: 'CSV/TSV: the first line names the columns (default: guessed from the first rows, and said)',
    'no-header': 'CSV/TSV: the first line is data; columns are named col_1, col_2, ...',
    json: 'print one machine-readable result object on stdout',
    'if-changed': 'exit 0 without work when the newest run of the same --name used the same configuration and input',
    quiet: 'no progress output (errors are still printed)',
    help: 'show this help',
  },
  async run(args, io) {
    const log = loggerFor(args, io);
    const config = await configFromArgs(args);
    const { runPipeline } = await import('./pipeline.js');
    const { isShardedInput } = await import('./queue/shards.js');
    const sharded = await isShardedInput(config.input);
    if (config.queue !== null && !sharded) {
      throw new InputError('--queue needs sharded input: --input naming a directory or glob of shard files (a single file runs here)', { field: 'queue' });
    }
    if (config.queue !== null) (await import('./queue/connection.js')).parseQueueUrl(config.queue);
    const dataRoots = args.lists.get('data-root') ?? [];
    if (dataRoots.length > 0 && sharded) throw new InputError('--data-root reads one input file; sharded input (a directory or glob) cannot be confined to it', { field: 'input' });
    const run = sharded ? (await import('./queue/coordinator.js')).runSharded : runPipeline;
    const id = args.values.get('id');
    const maxDecompressedBytes = optionalInt(args, 'max-decompressed-bytes', 1, Number.MAX_SAFE_INTEGER);
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    // SIGUSR2: end the t-SNE now and write the run with the layout reached (the server's Stop)
    const finish = new AbortController();
    const onFinish = (): void => {
      if (finish.signal.aborted) return;
      log.info('finishing the map early on request: the layout so far will be the result');
      finish.abort();
    };
    process.on('SIGUSR2', onFinish);
    const layout = log.layout;
    try {
      const result = await run(config, {
        finishEarly: finish.signal,
        ...(layout ? { onLayout: (e: Float32Array, it: number, last: boolean, rows?: MapRows) => layout(e, it, last, rows ?? null) } : {}),
        onProgress: (p, s, i) => log.progress(p, s, i),
        log: (m) => log.info(m),
        signal: controller.signal,
        ifChanged: args.bools.has('if-changed'),
        ...(id !== undefined ? { id } : {}),
        ...(maxDecompressedBytes !== null ? { maxDecompressedBytes } : {}),
        ...(dataRoots.length > 0 ? { confine: await confineTo(dataRoots) } : {}),
      });
      log.done();
      if (args.bools.has('json')) {
        io.out(`${JSON.stringify({ ok: true, exitCode: 0, id: result.id, dir: result.dir, skipped: result.skipped, manifest: result.manifest })}\n`);
      } else if (result.skipped) {
        io.out(`unchanged: run ${result.id} already used this configuration and input\n${result.dir}\n`);
      } else {
        io.out(`${result.id}\n${result.dir}\n`);
      }
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGUSR2', onFinish);
    }
  },
};

/** The pipeline's confine hook for `run --data-root`: the server's own check (server/run-inputs.ts), repeated. */
async function confineTo(dirs: string[]): Promise<NonNullable<import('./pipeline.js').PipelineHooks['confine']>> {
  const { DataRoots } = await import('../server/data-roots.js');
  const { confinePaths } = await import('../server/run-inputs.js');
  const roots = await DataRoots.open(dirs);
  // The paths a server passes are real paths it resolved inside its roots: a refusal names them as
  // `data-root:<relative path>`, as the client gave them, not `<path>`.
  return (paths) => confinePaths(paths, roots, { nameInsideRoots: true });
}

// ---- serve -----------------------------------------------------------------------------------------

const serveCommand: CommandSpec = {
  name: 'serve',
  summary: 'serve the runs directory over HTTP (JSON API + viewer)',
  usage: 'latentmap serve [--runs-dir ./runs] [--port 3000] [--host 127.0.0.1] [--token T] [--data-root DIR ...]',
  flags: {
    'runs-dir': 'directory that holds the runs (default ./runs)',
    port: 'port to listen on (default: env PORT, else 3000; 0 picks a free port)',
    host: 'address to bind (default 127.0.0.1); any non-loopback address requires a token',
    token: 'bearer token required for writes (default: env LATENTMAP_TOKEN)',
    concurrency: 'runs started from the API that may train at once (default 1)',
    'data-root': 'a directory whose files runs started over HTTP may read (repeatable; default none: only built-in datasets and uploads)',
    'max-upload-bytes': 'largest file accepted by POST /api/uploads, bytes, and the most a gzipped file a run started over HTTP reads (an upload, a file under a data root) may decompress to (default 268435456, 256 MiB)',
    'max-job-memory': 'most memory one run started over HTTP may use, MB: larger runs are refused, a run past it is stopped (default 4096)',
    'max-job-seconds': 'longest one run started over HTTP may take, seconds: longer runs are refused, a run past it is stopped (default 7200)',
  },
  repeatable: ['data-root'],
  bools: { help: 'show this help' },
  async run(args, io) {
    const { serve } = await import('../server/main.js');
    // every number flag reads as the run flags do (decimal notation only: 0x10, 0123, 1_000 are refused)
    const port = intFromText(args.values.get('port') ?? io.env.PORT ?? '3000', 'port', 0, 65535);
    const concurrency = optionalInt(args, 'concurrency', 1, 64) ?? 1;
    const positive = (flag: string, def: number): number => optionalInt(args, flag, 1, Number.MAX_SAFE_INTEGER) ?? def;
    const server = await serve({
      runsDir: args.values.get('runs-dir') ?? './runs',
      port,
      host: args.values.get('host') ?? '127.0.0.1',
      token: args.values.get('token') ?? io.env.LATENTMAP_TOKEN ?? null,
      concurrency,
      dataRoots: args.lists.get('data-root') ?? [],
      maxUploadBytes: positive('max-upload-bytes', 256 * 1024 * 1024),
      jobLimits: { maxBytes: positive('max-job-memory', 4096) * 1024 * 1024, maxSeconds: positive('max-job-seconds', 7200) },
      log: (line: string) => io.err(`${line}\n`),
    });
    io.out(`latentmap serving ${path.resolve(args.values.get('runs-dir') ?? './runs')} at ${server.url}\n`);
    // serve() installs graceful shutdown on SIGTERM/SIGINT; wait until it has closed.
    await server.closed;
    return 0;
  },
};

// ---- datasets ------------------------------------------------------------------------------------

const datasetsCommand: CommandSpec = {
  name: 'datasets',
  summary: 'list the built-in datasets and whether each is available on this machine',
  usage: 'latentmap datasets [--data-dir DIR] [--json]',
  flags: { 'data-dir': 'where file-based built-ins live (fashion-mnist default: /usr/share/datasets/fashion-mnist)' },
  bools: { json: 'print JSON', help: 'show this help' },
  async run(args, io) {
    const { listDatasets } = await import('./load/index.js');
    const list = await listDatasets(args.values.get('data-dir') ?? null);
    if (args.bools.has('json')) {
      io.out(`${JSON.stringify(list, null, 2)}\n`);
      return 0;
    }
    const rows = list.map((d) => [d.name, d.available ? 'yes' : 'no', String(d.rows), String(d.columns), (d.labels ?? '-').replace(/ \(.*$/, ''), d.available ? d.description : `${d.description} (${d.reason})`]);
    const head = ['name', 'available', 'rows', 'columns', 'label', 'description'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
    io.out(`${[fmt(head), ...rows.map(fmt)].join('\n')}\n`);
    return 0;
  },
};

// ---- prune ---------------------------------------------------------------------------------------

const pruneCommand: CommandSpec = {
  name: 'prune',
  summary: 'delete old runs, keeping the newest N (of one --name, or of every name separately), and the server\'s records of failed or cancelled jobs beyond the newest N',
  usage: 'latentmap prune --keep N [--name NAME] [--runs-dir ./runs] [--dry-run]',
  flags: {
    keep: 'how many of the newest runs to keep per name',
    name: 'only prune runs with this name',
    'runs-dir': 'directory that holds the runs (default ./runs)',
    'log-format': 'text or json (one object per line on stderr: what was deleted, warnings) (default text)',
  },
  bools: { 'dry-run': 'only list what would be deleted', json: 'print JSON', quiet: 'no log lines (errors are still printed)', help: 'show this help' },
  async run(args, io) {
    const log = loggerFor(args, io);
    const { pruneRuns } = await import('./commands/prune.js');
    const keep = optionalInt(args, 'keep', 0, 1_000_000);
    if (keep === null) throw new InputError('--keep is required (how many runs to keep per name)', { field: 'keep' });
    const runsDir = args.values.get('runs-dir') ?? './runs';
    const name = args.values.get('name') ?? null;
    const dryRun = args.bools.has('dry-run');
    const r = await pruneRuns({ runsDir, keep, name, dryRun });
    if (name !== null && !r.names.includes(name)) {
      log.warn(`no run in ${path.resolve(runsDir)} is named ${JSON.stringify(name)}, so nothing was pruned${r.names.length ? `; the names there are: ${r.names.map((n) => JSON.stringify(n)).join(', ')}` : ' (it holds no complete run)'}`);
    }
    const records = r.jobRecords.length ? ` and ${r.jobRecords.length} record(s) of failed or cancelled jobs` : '';
    const unfinished = r.stale.length ? ` and ${r.stale.length} unfinished run directory(ies) of dead writers` : '';
    const summary = `${dryRun ? 'would delete' : 'deleted'} ${r.deleted.length} run(s)${records}${unfinished}, kept ${r.kept.length}`;
    // The summary and the runs deleted are the result, printed once: on stdout in text; the log (stderr) repeats
    // them only where stdout is not read as text (--json, or a --log-format json reader of stderr).
    const resultInLog = args.bools.has('json') || args.values.get('log-format') === 'json';
    if (resultInLog) for (const id of r.deleted) log.info(`${dryRun ? 'would delete' : 'deleted'} run ${id}`);
    for (const dir of r.stale) log.info(`${dryRun ? 'would remove' : 'removed'} ${dir}: its writer no longer runs`);
    if (resultInLog) log.info(summary);
    log.done();
    if (args.bools.has('json')) io.out(`${JSON.stringify({ ok: true, exitCode: 0, ...r })}\n`);
    else io.out(`${summary}${r.deleted.length ? `:\n${r.deleted.join('\n')}` : ''}\n`);
    return 0;
  },
};

const workerCommand: CommandSpec = {
  name: 'worker',
  summary: 'serve shard jobs of sharded runs (latentmap run --input DIR --queue URL) from a BullMQ queue on Redis until stopped',
  usage: 'latentmap worker --queue redis://host:port [--concurrency 1] [--lock-seconds 30]',
  flags: {
    queue: 'redis://[user:password@]host:port[/db] of the queue the coordinator uses',
    concurrency: 'shard jobs this process runs at once (default 1; each already uses two threads)',
    'lock-seconds': "how long a job's lock lasts without renewal, i.e. how soon a dead worker's shard goes to another worker (default 30)",
    'log-format': 'text or json (default text)',
  },
  bools: { quiet: 'no log lines', help: 'show this help' },
  async run(args, io) {
    const format = (args.values.get('log-format') ?? 'text') as LogFormat;
    if (format !== 'text' && format !== 'json') throw new InputError(`--log-format must be text or json, got ${JSON.stringify(format)}`);
    // a service logs as it goes (nothing to validate first)
    const log = createLogger({ format, write: io.err, tty: false, quiet: args.bools.has('quiet') });
    const { runWorker } = await import('./commands/worker.js');
    const r = await runWorker({
      queue: required(args, 'queue'),
      concurrency: optionalInt(args, 'concurrency', 1, 64) ?? 1,
      lockSeconds: optionalInt(args, 'lock-seconds', 2, 3600) ?? 30,
      log: (m) => log.info(m),
    });
    log.done();
    io.out(`worker stopped after ${r.jobs} shard job(s), ${r.rows} rows\n`);
    return 0;
  },
};

// ---- main ------------------------------------------------------------------------------------------

const COMMANDS: CommandSpec[] = [runCommand, serveCommand, datasetsCommand, transformCommand, reconstructCommand, sampleCommand, pruneCommand, workerCommand];

function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'latentmap: autoencoder codes + t-SNE maps of high-dimensional data, served to a D3 viewer',
    '',
    'usage: latentmap <command> [options]   (latentmap <command> --help for its options)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    'exit codes: 0 success, 2 bad input or configuration (nothing written), 1 any other failure',
    '',
  ].join('\n');
}

/** Runs the CLI; returns the exit code (the bin sets process.exitCode). */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    const { versions } = await import('./pipeline.js');
    io.out(`${versions().latentmap}\n`);
    return 0;
  }
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) {
    io.err(`error: unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  let jsonLog = false;
  // --json promises one result object on stdout, on failure too (even when the arguments themselves are bad).
  const jsonResult = rest.includes('--json');
  try {
    const args = parseArgs(rest, spec);
    jsonLog = args.values.get('log-format') === 'json';
    if (args.bools.has('help')) {
      io.out(helpText(spec, spec === runCommand ? 'Configuration files use the same names in camelCase: {"dataset": "mnist", "codeSize": 32, "layers": [256, 128]}' : ''));
      return 0;
    }
    if (args.positionals.length > 0) throw new InputError(`unexpected argument ${JSON.stringify(args.positionals[0])} (options are written --name value)`);
    return await spec.run(args, io);
  } catch (err) {
    const code = isInputError(err) ? 2 : 1;
    const message = isCancelled(err) ? 'cancelled; nothing was written' : err instanceof Error ? err.message : String(err);
    if (io.tty && !jsonLog) io.err('\r\x1b[2K'); // erase a progress bar in place
    // the operator's side of a refusal answered without detail (a data root's): for the log of whoever runs this
    const note = operatorNote(err);
    if (jsonLog) io.err(`${JSON.stringify({ time: new Date().toISOString(), type: 'error', level: 'error', message, exitCode: code, ...(note ? { operator: note } : {}) })}\n`);
    else io.err(`error: ${message}\n${note ? `  (why: ${note})\n` : ''}`);
    if (jsonResult) io.out(`${JSON.stringify({ ok: false, command: name, error: message, exitCode: code })}\n`);
    if (code === 1 && io.env.LATENTMAP_DEBUG && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
    return code;
  }
}
