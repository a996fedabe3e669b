// An uploaded file's columns in the New-run form: the summary line (rows; feature columns and the others,
// named), and the choice of the label column and of feature columns to leave out, sent as the run settings
// `labelColumn` and `exclude` (pipeline/config.ts). The columns come from the upload's answer
// (POST /api/uploads: label, metadata, featureNames). The pure parts are exported for tests.
import type { RunConfig, UploadInfo } from '../../../pipeline/types.js';
import { formatCount } from '../format.js';
import { h } from './dom.js';

/** Others named in the summary before "and N more". */
const NAMED_OTHERS = 8;

/** The columns that are not features: the guessed label first, then the metadata in file order. */
export function otherColumns(info: Pick<UploadInfo, 'label' | 'metadata'>): string[] {
  return [...(info.label ? [info.label] : []), ...info.metadata.filter((m) => m !== info.label)];
}

/** "178 rows; 13 feature columns, 3 others (cultivar, name, vintage); labels from “cultivar”" */
export function uploadSummary(info: Pick<UploadInfo, 'rows' | 'columns' | 'label' | 'metadata'>): string {
  const others = otherColumns(info);
  const named = others.slice(0, NAMED_OTHERS).join(', ') + (others.length > NAMED_OTHERS ? ` and ${formatCount(others.length - NAMED_OTHERS)} more` : '');
  const features = `${formatCount(info.columns)} feature column${info.columns === 1 ? '' : 's'}`;
  const rest = others.length ? `, ${formatCount(others.length)} other${others.length === 1 ? '' : 's'} (${named})` : '';
  return `${formatCount(info.rows)} rows; ${features}${rest}${info.label ? `; labels from “${info.label}”` : '; no label column found'}`;
}

/** The columns the label can be taken from: the guessed label, the other non-features, then the features. */
export function labelCandidates(info: Pick<UploadInfo, 'label' | 'metadata' | 'featureNames'>): string[] {
  return [...new Set([...otherColumns(info), ...(info.featureNames ?? [])])];
}

/**
 * The run settings for a choice: `labelColumn` only when it differs from the guessed one ('' = the guess),
 * `exclude` only when some feature is left out (the chosen label, no feature then, is never listed).
 */
export function columnSettings(info: Pick<UploadInfo, 'label'>, label: string, excluded: readonly string[]): Partial<Pick<RunConfig, 'labelColumn' | 'exclude'>> {
  const out: Partial<Pick<RunConfig, 'labelColumn' | 'exclude'>> = {};
  if (label && label !== info.label) out.labelColumn = label;
  const ex = excluded.filter((c) => c !== label);
  if (ex.length) out.exclude = ex;
  return out;
}

/** The picker: a label select (default: the guessed label) and a checkbox per feature column to leave out. */
export function uploadColumnsElement(info: UploadInfo): { element: HTMLElement; settings: () => Partial<Pick<RunConfig, 'labelColumn' | 'exclude'>> } {
  const label = h(
    'select',
    { id: 'nr-labelColumn' },
    info.label ? null : h('option', { value: '', selected: true }, '(none found)'),
    ...labelCandidates(info).map((c) => h('option', { value: c, selected: c === info.label }, c)),
  );
  const features = info.featureNames ?? [];
  const boxes = features.map((c) => h('input', { type: 'checkbox', value: c, name: 'nr-exclude' }));
  const element = h(
    'div',
    { className: 'upload-columns' },
    h('label', { className: 'field', for: 'nr-labelColumn' }, h('span', null, 'Label column'), label, h('small', { className: 'field-help' }, 'Colors the map and is kept out of the features. Default: the column guessed from its name.')),
    features.length
      ? h(
          'fieldset',
          { className: 'exclude-columns', id: 'nr-exclude' },
          h('legend', null, 'Leave out of the features'),
          ...features.map((c, i) => h('label', { className: 'check' }, boxes[i], ` ${c}`)),
          h('small', { className: 'field-help' }, 'Ticked columns are not mapped; they stay in the tooltips and search.'),
        )
      : info.image
        ? h('small', { className: 'field-help' }, `${formatCount(info.columns)} pixel columns: all are features.`)
        : null,
  );
  return { element, settings: () => columnSettings(info, label.value, boxes.filter((b) => b.checked).map((b) => b.value)) };
}
