// The new-run form: dataset, autoencoder variant and hyperparameters, the map method and its settings. Starts a run through
// POST /api/runs and shows live progress from the event stream (stage, progress, growing loss curve),
// then hands the finished run's id back to the app. Fields, labels, help, defaults and ranges come from
// GET /api/run-options (the server's configuration schema, in the form's words: ui/run-form.ts), the dataset
// list from GET /api/datasets; a bad value is named next to its field, before the run is sent or from the
// server's answer. Instead of a built-in dataset, a file of one's own (CSV, TSV,
// Parquet, Arrow, .npy) can be chosen or dropped anywhere on the dialog: it is uploaded at once
// (POST /api/uploads), checked by the server's loaders, and the run names it. With the dialog closed, a badge in the top bar shows
// the running job and, while its t-SNE runs, offers to watch its map form in the main map; a run that finishes
// then is offered, never swapped in for the map being looked at unless the user was watching it form
// (ui/job-badge.ts).
import type { RunConfig, UploadInfo } from '../../../pipeline/types.js';
import { ApiError, type Api, type RunEvent } from '../api.js';
import { lineChart, splitPasses } from './charts.js';
import { isLayoutFrame } from '../../../pipeline/layout-frame.js';
import { LiveMap } from './live-map.js';
import { badgeActions, whenComplete, type BadgeAction } from './job-badge.js';
import { fill, formatCount, formatNumber, h } from './dom.js';
import { trailingThrottle } from './throttle.js';
import { uploadColumnsElement, uploadSummary } from './upload-columns.js';
import { faultyField, fieldElement, fieldProblem, fieldValue, inFormWords, showFieldError, type FormField, type FormGroup } from './run-form.js';

/** Fields that belong to one run and go back to their defaults each time the form opens. */
const PER_RUN_FIELDS = ['name', 'limit'] as const;

export class NewRunDialog {
  readonly dialog: HTMLDialogElement;
  private form: HTMLFormElement;
  private progress: HTMLDivElement;
  /** The map forming in the watched run (for tests). */
  liveMap: LiveMap | null = null;
  private close: (() => void) | null = null;
  /** The file uploaded for this run, if any: the run reads it instead of a dataset. */
  private uploaded: UploadInfo | null = null;
  /** The uploaded file's label and excluded columns, as chosen in the form (ui/upload-columns.ts). */
  private uploadColumns: ReturnType<typeof uploadColumnsElement> | null = null;
  /** The top-bar badge of the running (or finished, unopened) job. */
  readonly badge: HTMLElement;

  constructor(
    private api: Api,
    private onDone: (id: string) => void,
    /**
     * started: a run was started (the app follows its map forming, off screen until asked); watchedElsewhere: the
     * user watches it form in the main map; watchMap: the user asked to (the badge's "Watch the map").
     */
    private hooks: { started?: (id: string, name: string) => void; watchedElsewhere?: () => boolean; watchMap?: () => void } = {},
  ) {
    this.badge = h('div', { id: 'job-badge', className: 'job-badge', role: 'status', 'aria-live': 'polite', hidden: true }, this.badgeText, this.badgeButtons);
    this.form = h('form', { className: 'new-run-form', method: 'dialog' });
    this.progress = h('div', { className: 'run-progress', 'aria-live': 'polite' });
    this.dialog = h('dialog', { className: 'new-run', 'aria-labelledby': 'new-run-title' }, h('h2', { id: 'new-run-title' }, 'New run'), this.form, this.progress);
    document.body.append(this.dialog);
    this.buildForm();
  }

  open(): void {
    if (this.watching) {
      // a job is running: show its progress rather than a fresh form
      this.dialog.showModal();
      return;
    }
    this.progress.replaceChildren();
    this.form.hidden = false;
    // each run gets its own name and row count: never the previous run's (a kept Rows would silently cut the next run)
    for (const key of PER_RUN_FIELDS) {
      const input = this.form.querySelector<HTMLInputElement>(`#nr-${key}`);
      const f = this.fields.find((x) => x.key === key);
      if (input) input.value = f && f.default !== null && f.default !== undefined ? String(f.default) : '';
      showFieldError(this.form, key, null);
    }
    this.dialog.showModal();
    (this.form.querySelector('input, select') as HTMLElement | null)?.focus();
  }

  private buildForm(): void {
    const datalist = h('datalist', { id: 'nr-datasets' });
    this.api.datasets().then(
      (list) =>
        fill(
          datalist,
          ...list.map((d) =>
            h('option', { value: d.name, disabled: !d.available }, `${d.description.split(':')[0]} · ${formatCount(d.rows)} × ${d.columns}${d.available ? '' : ` (${d.reason})`}`),
          ),
        ),
      () => undefined, // the field still takes any name; the server says which exist
    );
    const token = h('input', { id: 'nr-token', type: 'password', autocomplete: 'off', value: sessionStorage.getItem('latentmap-token') ?? '' });
    const error = h('p', { className: 'form-error', role: 'alert' });
    const fileField = this.fileField(() => sessionStorage.setItem('latentmap-token', token.value));
    const groups = h('div', { className: 'form-groups' }, h('p', { className: 'muted small' }, 'Loading the settings…'));
    this.api.runOptions().then(
      (list) => this.fillGroups(groups, list, fileField),
      (err: Error) => fill(groups, h('p', { className: 'form-error' }, `The run settings could not be loaded: ${err.message}`)),
    );
    fill(
      this.form,
      datalist,
      groups,
      h('details', null, h('summary', null, 'Access token'), h('label', { className: 'field', for: 'nr-token' }, h('span', null, 'Token (when the server requires one)'), token)),
      error,
      h(
        'div',
        { className: 'form-actions' },
        h('button', { type: 'button', className: 'secondary', onclick: (() => this.dialog.close()) as EventListener }, 'Cancel'),
        h('button', { type: 'submit', className: 'primary' }, 'Start run'),
      ),
    );
    this.form.noValidate = true;
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      sessionStorage.setItem('latentmap-token', token.value);
      error.textContent = '';
      const bad = this.checkFields();
      if (bad) {
        this.form.querySelector<HTMLElement>(`#nr-${bad.key}`)?.focus();
        return;
      }
      const config = this.readConfig();
      if (this.uploaded) {
        // the run reads the uploaded file, not a dataset
        delete config.dataset;
        config.upload = this.uploaded.id;
        Object.assign(config, this.uploadColumns?.settings() ?? {});
      } else if (config.dataset === undefined) {
        showFieldError(this.form, 'dataset', 'Dataset: choose a dataset, or a file of your own below.');
        return;
      }
      this.api.startRun(config).then(
        (id) => this.watch(id, String(config.name ?? config.dataset ?? id)),
        (err: Error) => {
          // a message about one setting goes beside its field; any other under the form
          const field = err instanceof ApiError ? faultyField(err.field, this.fields) : null;
          const message = inFormWords(err.message, this.fields);
          if (field) {
            showFieldError(this.form, field.key, `${field.label}: ${message}`);
            this.form.querySelector<HTMLElement>(`#nr-${field.key}`)?.focus();
          } else error.textContent = message;
        },
      );
    });
  }

  /** The form's settings, as the server serves them. */
  private fields: FormField[] = [];

  private fillGroups(el: HTMLElement, groups: FormGroup[], fileField: HTMLElement): void {
    this.fields = groups.flatMap((g) => g.fields);
    fill(
      el,
      ...groups.map((g) =>
        h(
          'fieldset',
          null,
          h('legend', null, g.title),
          ...g.fields.map((f) => fieldElement(f, f.key === 'dataset' ? 'nr-datasets' : null)),
          g.fields.some((f) => f.key === 'dataset') ? fileField : null,
        ),
      ),
    );
    // a value is checked as soon as it is left, and its message goes once it is fixed
    for (const f of this.fields) {
      const input = this.form.querySelector<HTMLInputElement | HTMLSelectElement>(`#nr-${f.key}`);
      input?.addEventListener('change', () => showFieldError(this.form, f.key, fieldProblem(f, input.value)));
    }
  }

  /** Shows each field's problem beside it; returns the first field at fault, or null. */
  private checkFields(): FormField | null {
    const data = new FormData(this.form);
    let first: FormField | null = null;
    for (const f of this.fields) {
      const problem = fieldProblem(f, String(data.get(f.key) ?? ''));
      showFieldError(this.form, f.key, problem);
      if (problem && !first) first = f;
    }
    return first;
  }

  /**
   * The "Your own file" field: choosing a file (or dropping one anywhere on the dialog) uploads it and shows
   * its shape, or the server's reason for refusing it. `saveToken`: stores the token field for the upload.
   */
  private fileField(saveToken: () => void): HTMLElement {
    const input = h('input', { id: 'nr-file', type: 'file', accept: '.csv,.tsv,.txt,.parquet,.arrow,.feather,.npy' });
    const status = h('small', { id: 'nr-file-status', role: 'status' }, 'CSV, TSV, Parquet, Arrow or .npy: uploaded to the server and used instead of the dataset above');
    /** Where the uploaded file's columns are chosen (label, left out), once it is in. */
    const columns = h('div', { className: 'upload-columns-slot' });
    const showColumns = (info: UploadInfo | null): void => {
      this.uploadColumns = info ? uploadColumnsElement(info) : null;
      fill(columns, this.uploadColumns?.element ?? null);
    };
    // How a CSV/TSV is read (the run settings header and encoding): changing either sends the file again.
    const header = h('select', { id: 'nr-file-header' }, h('option', { value: 'auto' }, 'first line: guessed'), h('option', { value: 'yes' }, 'first line: column names'), h('option', { value: 'no' }, 'first line: data'));
    const encoding = h('input', { id: 'nr-file-encoding', type: 'text', placeholder: 'encoding: detected', size: 16 });
    let last: File | null = null;
    /** Sends so far: only the latest one's answer is shown (a file sent again when the reading changes). */
    let sends = 0;
    const dataset = (): HTMLInputElement | null => this.form.querySelector<HTMLInputElement>('#nr-dataset');
    const send = (file: File): void => {
      saveToken();
      this.uploaded = null;
      showColumns(null);
      last = file;
      const seq = ++sends;
      status.textContent = `Uploading ${file.name} (${formatCount(file.size)} bytes)…`;
      const reading = { header: header.value as 'auto' | 'yes' | 'no', encoding: encoding.value.trim() || null };
      this.api.upload(file, file.name, reading).then(
        (info) => {
          if (seq !== sends) return;
          this.uploaded = info;
          status.textContent = `${info.name}: ${uploadSummary(info)}. The run reads this file.`;
          showColumns(info);
          const d = dataset();
          if (d) {
            d.required = false;
            d.disabled = true;
          }
        },
        (err: Error) => {
          if (seq !== sends) return;
          status.textContent = `${file.name} was not uploaded: ${inFormWords(err.message, this.fields)}`;
          const d = dataset();
          if (d) {
            d.disabled = false;
            d.required = true;
          }
        },
      );
    };
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file) send(file);
    });
    for (const control of [header, encoding]) control.addEventListener('change', () => last && send(last));
    this.dialog.addEventListener('dragover', (e) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    });
    this.dialog.addEventListener('drop', (e) => {
      const file = e.dataTransfer?.files[0];
      if (!file) return;
      e.preventDefault();
      send(file);
    });
    return h('div', null, h('label', { className: 'field', for: 'nr-file' }, h('span', null, 'Or your own file'), input, h('span', { className: 'file-reading' }, header, ' ', encoding), status), columns);
  }

  /** Only the fields the user set that differ from the defaults are sent (the dataset always). */
  private readConfig(): Partial<RunConfig> {
    const out: Record<string, unknown> = {};
    const data = new FormData(this.form);
    for (const f of this.fields) {
      const v = fieldValue(f, String(data.get(f.key) ?? ''));
      if (v !== undefined) out[f.key] = v;
    }
    return out as Partial<RunConfig>;
  }

  private watching: string | null = null;

  /** The badge's text (fixed width: its buttons and the top bar do not move as the progress changes). */
  private readonly badgeText = h('span', { className: 'job-text' });
  private readonly badgeButtons = h('span', { className: 'job-actions' });
  private badgeActions: { label: string; run: () => void }[] = [];

  /**
   * Sets the badge's text and buttons (null: hides it). Buttons stay the same elements while their labels do:
   * progress rewrites the badge many times a second, and a button made anew under the pointer loses the click.
   */
  private setBadge(text: string | null, ...actions: { label: string; run: () => void }[]): void {
    this.badge.hidden = text === null;
    this.badgeText.textContent = text ?? '';
    this.badgeText.title = text ?? '';
    const same = actions.length === this.badgeActions.length && actions.every((a, k) => a.label === this.badgeActions[k].label);
    this.badgeActions = actions;
    if (same) return;
    fill(this.badgeButtons, ...actions.flatMap((a, k) => [k ? ' · ' : null, h('button', { type: 'button', className: 'link', onclick: (() => this.badgeActions[k]?.run()) as EventListener }, a.label)]));
  }

  private watch(id: string, name: string): void {
    this.watching = id;
    this.hooks.started?.(id, name);
    this.form.hidden = true;
    const stageEl = h('div', { className: 'stage' }, 'queued');
    const bar = h('progress', { max: 1, value: 0 });
    const chart = h('div', { className: 'charts' });
    const log = h('p', { className: 'muted small' });
    const cancel = h('button', { type: 'button', className: 'secondary' }, 'Cancel run');
    // the map as it forms (t-SNE), and a Stop that keeps it
    const live = new LiveMap();
    this.liveMap = live;
    const finish = h('button', { type: 'button', className: 'secondary finish-run', hidden: true, title: 'End t-SNE now and keep the map as it is as the run’s result' }, 'Stop and keep this map');
    finish.addEventListener('click', () => {
      finish.disabled = true;
      finish.textContent = 'Finishing…';
      this.api.finishRun(id).then(
        (complete) => {
          // t-SNE had already ended: the map is complete, the run is finishing its metrics
          if (complete) (finish.hidden = true), (log.textContent = complete);
        },
        (err: Error) => {
          finish.disabled = false;
          finish.textContent = 'Stop and keep this map';
          log.textContent = err.message;
        },
      );
    });
    const retry = h('button', { type: 'button', className: 'primary', hidden: true, onclick: (() => {
      this.close?.();
      this.progress.replaceChildren();
      this.form.hidden = false;
    }) as EventListener }, 'Edit and retry');
    const closeBtn = h('button', { type: 'button', className: 'secondary', onclick: (() => this.dialog.close()) as EventListener }, 'Close');
    cancel.addEventListener('click', () => {
      this.api.cancelRun(id).catch((err: Error) => (log.textContent = err.message));
    });
    fill(this.progress, h('p', null, 'Run ', h('code', null, id)), stageEl, bar, live.el, chart, log, h('div', { className: 'form-actions' }, finish, cancel, retry, closeBtn));
    /** t-SNE is running (layout frames arrive): the badge offers to watch the map form. */
    let forming = false;
    const labels: Record<BadgeAction, string> = { show: 'Show', watch: 'Watch the map', open: 'Open it', details: 'Details' };
    const runs: Record<BadgeAction, () => void> = {
      show: () => this.dialog.showModal(),
      watch: () => {
        this.hooks.watchMap?.();
        runningBadge();
      },
      open: () => {
        this.setBadge(null);
        this.onDone(id);
      },
      details: () => this.dialog.showModal(),
    };
    const badgeFor = (text: string, phase: 'running' | 'complete' | 'failed') =>
      this.setBadge(text, ...badgeActions({ phase, forming, watching: this.hooks.watchedElsewhere?.() ?? false }).map((a) => ({ label: labels[a], run: runs[a] })));
    const runningBadge = () => {
      badgeFor(`Running “${name}”: ${stageEl.textContent}. `, 'running');
      if (this.dialog.open) this.badge.hidden = true;
    };
    const loss: [number, number][] = [];
    const valLoss: [number, number][] = [];
    const kl: [number, number][] = [];
    const redraw = () => {
      chart.replaceChildren();
      if (loss.length) {
        chart.append(
          lineChart(
            [
              { name: 'train', color: '#0072B2', points: loss },
              { name: 'validation', color: '#D55E00', points: valLoss, dashed: true },
            ],
            { title: 'Loss', xLabel: 'epoch' },
          ),
        );
      }
      if (kl.length) {
        // one line per t-SNE pass (perplexity auto runs one per candidate, each from iteration 0)
        const passes = splitPasses(kl);
        const colors = ['#009E73', '#CC79A7', '#E69F00', '#56B4E9'];
        const series = passes.map((points, i) => ({ name: passes.length > 1 ? `pass ${i + 1}` : 'KL', color: colors[i % colors.length]!, points }));
        chart.append(lineChart(series, { title: 't-SNE KL', xLabel: 'iteration' }));
      }
    };
    // at most 4 redraws a second, the last one always made: the points that came in a burst (a loaded machine
    // sends the whole training in a few packets) are drawn even when no event follows them
    const chartsDue = trailingThrottle(redraw, 250);
    this.close?.();
    this.close = this.api.events(
      id,
      (e: RunEvent) => {
        if (e.type === 'layout') {
          if (isLayoutFrame(e)) live.draw(e);
          finish.hidden = false;
          if (!forming) {
            forming = true;
            runningBadge();
          }
          return;
        }
        if (e.type === 'done' || e.type === 'complete') {
          stageEl.textContent = 'complete';
          bar.value = 1;
          this.close?.();
          this.watching = null;
          forming = false;
          if (whenComplete({ dialogOpen: this.dialog.open, watchingMap: this.hooks.watchedElsewhere?.() ?? false }) === 'open') {
            // the user is watching (here, or the map forming in the main map): open the new map
            this.dialog.close();
            this.setBadge(null);
            this.onDone(id);
          } else {
            // the user is looking at another map: offer the new one, do not swap it in
            badgeFor(`Run “${name}” is ready. `, 'complete');
          }
          return;
        }
        if (e.type === 'failed' || e.type === 'error' || e.type === 'cancelled') {
          this.watching = null;
          forming = false;
          if (!this.dialog.open) badgeFor(`Run “${name}” ${e.type === 'cancelled' ? 'was cancelled' : 'failed'}. `, 'failed');
          stageEl.textContent = e.type;
          log.textContent = inFormWords(String(e.error ?? e.message ?? 'the run failed'), this.fields);
          log.className = 'form-error';
          cancel.hidden = true;
          finish.hidden = true;
          retry.hidden = false;
          return;
        }
        if (e.stage) {
          // while a file loads: how much of it is read (a huge file, or one refused at its end, shows it moving)
          const read = typeof e.bytes === 'number' && typeof e.totalBytes === 'number' ? ` · ${megabytes(e.bytes)} of ${megabytes(e.totalBytes)} MB read` : '';
          stageEl.textContent = `${e.stage}${typeof e.progress === 'number' ? ` · ${Math.round(e.progress * 100)} %` : ''}${read}`;
          // t-SNE has ended (the run measures its metrics, writes itself): the map is complete, nothing to stop.
          // Only a progress event says so: a state event's stage is the job's status ("running" again when the
          // stream reconnects, while t-SNE goes on)
          if (e.type === 'progress' && e.stage !== 'tsne' && forming) {
            forming = false;
            finish.hidden = true;
          }
          runningBadge();
        }
        if (typeof e.progress === 'number') bar.value = e.progress;
        if (typeof e.epoch === 'number' && typeof e.loss === 'number' && (loss.length === 0 || loss[loss.length - 1][0] !== e.epoch)) {
          loss.push([e.epoch, e.loss]);
          if (typeof e.valLoss === 'number') valLoss.push([e.epoch, e.valLoss]);
        }
        if (typeof e.kl === 'number' && typeof e.iteration === 'number') kl.push([e.iteration, e.kl]);
        if (e.message) log.textContent = e.message;
        else if (typeof e.loss === 'number') log.textContent = `loss ${formatNumber(e.loss)}`;
        chartsDue();
      },
      (message) => (log.textContent = message),
    );
    this.dialog.addEventListener('close', () => {
      redraw();
      if (this.watching) this.badge.hidden = false;
    });
  }
}

/** Bytes as megabytes with one decimal (0.1 for anything under 100 kB but not nothing). */
function megabytes(bytes: number): string {
  return (bytes > 0 && bytes < 100_000 ? 0.1 : bytes / 1e6).toFixed(1);
}
