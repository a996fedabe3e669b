// The run panel: dataset, configuration, stage timings, metrics, loss and KL curves.
import { reducerOfRun } from '../../../pipeline/reduce/reducer.js';
import type { History, RunManifest } from '../../../pipeline/types.js';
import { lineChart } from './charts.js';
import { fill, formatNumber, formatSeconds, h } from './dom.js';

function dl(rows: [string, unknown][]): HTMLDListElement {
  const el = h('dl', { className: 'kv' });
  for (const [k, v] of rows) {
    if (v === undefined) continue;
    el.append(h('dt', null, k), h('dd', null, typeof v === 'number' ? formatNumber(v) : v === null ? '—' : String(v)));
  }
  return el;
}

/** The map method and its quality in a few words, for a map pane's title: "UMAP · trust 0.984 · label acc 0.789". */
export function mapSummary(m: RunManifest): string {
  const given = m.config?.coordinates;
  // a map whose coordinates came with the input (--coordinates): no t-SNE ran
  const method = given?.length ? `coordinates ${given.join(', ')}` : m.config?.map === 'umap' ? 'UMAP' : 't-SNE';
  const q = m.metrics ?? ({} as RunManifest['metrics']);
  const part = (name: string, v: number | null | undefined) => (typeof v === 'number' ? ` · ${name} ${v.toFixed(3)}` : '');
  return `${method}${part('trust', q.trustworthiness)}${part('label acc', q.labelAccuracy)}`;
}

/** One automatic choice as the run panel lists it: the configuration key, the value chosen, and why. */
export interface ShownChoice {
  key: string;
  value: string;
  reason: string;
}

/**
 * The automatic choices the run panel lists, in its order: the reducer, scaling, code size (PCA's components
 * too; not without a reducer), the autoencoder's layers, epochs and training images' shift (only when the autoencoder made the codes:
 * otherwise they configured nothing) and the perplexity. A key set explicitly (auto false) or absent from the
 * manifest (older runs) is left out.
 */
export function automaticChoices(m: RunManifest): ShownChoice[] {
  const reducer = reducerOfRun(m);
  const keys = ['reducer', 'scaling', ...(reducer !== 'none' ? ['codeSize'] : []), ...(reducer === 'autoencoder' ? ['layers', 'epochs', 'augmentShift'] : []), 'perplexity'];
  const out: ShownChoice[] = [];
  for (const key of keys) {
    const ch = m.choices?.[key];
    if (ch?.auto) out.push({ key, value: Array.isArray(ch.value) ? ch.value.join(',') : String(ch.value), reason: ch.reason });
  }
  return out;
}

export function renderRunPanel(el: HTMLElement, m: RunManifest, history: History | null): void {
  const c = m.config;
  const ds = m.dataset;
  const stages = ['load', 'prepare', 'train', 'encode', 'tsne', 'umap', 'metrics', 'write'].filter((s) => typeof m.timings?.[s] === 'number');
  const total = m.timings?.total ?? stages.reduce((a, s) => a + (m.timings[s] ?? 0), 0);
  const bars = h('div', { className: 'timing-bars' });
  const palette: Record<string, string> = { load: '#56B4E9', prepare: '#009E73', train: '#E69F00', encode: '#CC79A7', tsne: '#0072B2', umap: '#0072B2', metrics: '#D55E00', write: '#999' };
  const stack = h('div', { className: 'timing-stack', role: 'img', 'aria-label': 'stage timings' });
  for (const s of stages) {
    const v = m.timings[s] ?? 0;
    const pct = total > 0 ? (100 * v) / total : 0;
    stack.append(h('span', { style: `width:${pct}%;background:${palette[s] ?? '#888'}`, title: `${s}: ${formatSeconds(v)}` }));
    bars.append(h('div', { className: 'timing-row' }, h('span', { className: 'swatch', style: `background:${palette[s] ?? '#888'}` }), h('span', null, s), h('span', { className: 'num' }, formatSeconds(v))));
  }
  const met = m.metrics ?? ({} as RunManifest['metrics']);
  const rec = met.reconstruction ?? { loss: null, train: null, validation: null };
  const reducer = reducerOfRun(m);
  // the resolved code size and layers (auto choices), else the configured ones
  const codeSize = m.choices?.codeSize?.value ?? c.codeSize;
  const layers = (m.choices?.layers?.value ?? c.layers) as number[] | 'auto';
  const model =
    reducer === 'autoencoder'
      ? `${c.variant} autoencoder ${[ds.columns, ...(Array.isArray(layers) ? layers : []), codeSize].join('→')} (${c.activation}, ${rec.loss ?? c.loss})`
      : reducer === 'pca'
        ? `PCA, ${String(codeSize)} components`
        : 'none (the map of the prepared values)';
  const choices = automaticChoices(m).map((ch) => h('li', null, h('strong', null, `${ch.key}: ${ch.value}`), ` · ${ch.reason}`));
  /** A figure with its one-line meaning underneath. */
  const figure = (title: string, meaning: string, rows: [string, unknown][]): HTMLElement[] => [
    h('h5', null, title),
    h('p', { className: 'muted small' }, meaning),
    dl(rows),
  ];
  const codesMet = met.codes ?? null;
  const mapVsCodes = met.mapVsCodes ?? null;
  const charts = h('div', { className: 'charts' });
  if (history && history.epochs?.length) {
    charts.append(
      lineChart(
        [
          { name: 'train', color: '#0072B2', points: history.epochs.map((e) => [e.epoch, e.loss]) },
          { name: 'validation', color: '#D55E00', points: history.epochs.filter((e) => e.valLoss !== null).map((e) => [e.epoch, e.valLoss as number]), dashed: true },
        ],
        { title: 'Reconstruction loss', xLabel: 'epoch' },
      ),
    );
  }
  if (history && history.tsne?.length) {
    charts.append(lineChart([{ name: 'KL', color: '#009E73', points: history.tsne.map((t) => [t.iteration, t.kl]) }], { title: 't-SNE KL divergence', xLabel: 'iteration' }));
  }
  fill(
    el,
    h('h3', null, m.name || m.id),
    h('p', { className: 'muted small' }, `${m.id} · ${new Date(m.createdAt).toLocaleString()}${m.base ? ` · transform of ${m.base}` : ''}`),
    dl([
      ['dataset', `${ds.name} (${formatNumber(ds.rows)} × ${formatNumber(ds.columns)})`],
      ['label', ds.label ?? '—'],
      ['model', model],
      ['training', reducer === 'autoencoder' ? `${String(m.choices?.epochs?.value ?? c.epochs)} epochs max${rec.epochs ? ` (ran ${String(rec.epochs)})` : ''}, batch ${c.batchSize}, lr ${String(m.choices?.learningRate?.value ?? c.learningRate)}, ${c.optimizer}` : undefined],
      c?.coordinates?.length
        ? ['map', `the input's columns ${c.coordinates.join(', ')} as coordinates (no t-SNE)`]
        : c?.map === 'umap'
        ? ['UMAP', `${c.nNeighbors} neighbours, min dist ${c.minDist}, spread ${c.spread}, ${met.umap?.epochs ?? c.umapEpochs ?? 'auto'} epochs, ${c.umapInit} init`]
        : ['t-SNE', `${c?.tsneEngine ?? '?'} engine, perplexity ${String(m.choices?.perplexity?.value ?? c?.perplexity)}, ${met.tsne?.iterations ?? c?.iterations} iterations`],
      ['backend', m.backend],
      ['seed', c?.seed],
    ]),
    choices.length ? h('details', null, h('summary', null, 'Automatic choices'), h('ul', { className: 'choices' }, ...choices)) : null,
    h('h4', null, 'Metrics'),
    ...figure('Map against your data', 'How faithfully the map shows the prepared input: neighbours in the map that are neighbours in the data.', [
      ['trustworthiness', met.trustworthiness],
      ['kNN preservation', met.knnPreservation],
      ['label accuracy (kNN)', met.labelAccuracy],
    ]),
    ...(codesMet
      ? figure('What the reducer kept', `How well the codes (${reducer}) keep the input's neighbourhoods; 1 when t-SNE ran on the data itself.`, [
          ['trustworthiness', codesMet.trustworthiness],
          ['kNN preservation', codesMet.knnPreservation],
        ])
      : []),
    ...(mapVsCodes
      ? figure('What t-SNE kept', 'How well the map keeps the neighbourhoods of the codes it was made from.', [
          ['trustworthiness', mapVsCodes.trustworthiness],
          ['kNN preservation', mapVsCodes.knnPreservation],
        ])
      : []),
    dl([
      ['reconstruction (train)', rec.train],
      ['reconstruction (validation)', rec.validation],
      c?.map === 'umap' ? ['UMAP a, b', met.umap ? `${formatNumber(met.umap.a)}, ${formatNumber(met.umap.b)}` : null] : ['t-SNE KL', met.tsne?.kl ?? null],
    ]),
    h('h4', null, `Timings · ${formatSeconds(total)}`),
    stack,
    bars,
    charts,
    m.notes?.length ? h('details', null, h('summary', null, `Notes (${m.notes.length})`), h('ul', null, ...m.notes.map((n) => h('li', null, n)))) : null,
    h('details', null, h('summary', null, 'Full configuration'), h('pre', { className: 'config' }, JSON.stringify(c, null, 2))),
  );
}
