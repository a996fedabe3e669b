// The New-run form's fields, built from what GET /api/run-options serves (server/run-form.ts: labels, help,
// defaults, allowed values, ranges; nothing here repeats the schema), each value checked before the run is
// sent, with one message next to the field at fault, in the form's words; and the server's own messages
// reworded the same way (its setting names and CLI flags become the fields' labels).
import type { FormField, FormGroup } from '../../../server/run-form.js';
import { h } from './dom.js';

export type { FormField, FormGroup };

const DECIMAL = /^[+-]?(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const num = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 10 });

/** "a whole number from 1 to 4,096, or auto" */
function wanted(f: FormField): string {
  const kind = f.type === 'int' ? 'a whole number' : 'a number';
  const low = f.min !== null ? `from ${num(f.min)}` : f.above !== null ? `above ${num(f.above)}` : '';
  const high = f.max !== null ? `to ${num(f.max)}` : f.below !== null ? `below ${num(f.below)}` : '';
  const range = [low, high].filter(Boolean).join(f.above !== null || f.below !== null ? ' and ' : ' ');
  return `${kind}${range ? ` ${range}` : ''}${f.auto ? ', or auto' : ''}`;
}

function outside(f: FormField, n: number): boolean {
  return (f.min !== null && n < f.min) || (f.max !== null && n > f.max) || (f.above !== null && n <= f.above) || (f.below !== null && n >= f.below);
}

/**
 * The entries of a list value: split at commas (spaces around them allowed) or, without commas, at spaces.
 * An empty entry ("256,,128", "256,") stays as '' so the check can refuse it instead of dropping it.
 */
function listItems(t: string): string[] {
  return t.includes(',') ? t.split(',').map((p) => p.trim()) : t.split(/\s+/);
}

/** Why `raw` is no value for the field, in the form's words (starting with its label); null when it is one. Empty means the default. */
export function fieldProblem(f: FormField, raw: string): string | null {
  const t = raw.trim();
  if (t === '' || (f.auto && t.toLowerCase() === 'auto')) return null;
  switch (f.type) {
    case 'enum':
      return f.values!.includes(t) ? null : `${f.label}: choose one of ${f.values!.join(', ')}.`;
    case 'int':
    case 'number': {
      if (!DECIMAL.test(t)) return `${f.label}: “${t}” is not a number. Give ${wanted(f)}.`;
      const n = Number(t);
      if (f.type === 'int' && !Number.isInteger(n)) return `${f.label}: ${t} is not a whole number. Give ${wanted(f)}.`;
      if (outside(f, n)) return `${f.label}: ${t} is out of range. Give ${wanted(f)}.`;
      return null;
    }
    case 'intList': {
      const items = listItems(t);
      const example = 'for example 256,128';
      const how = `Write whole numbers separated by commas, ${example}${f.auto ? ', or auto' : ''}.`;
      if (items.includes('')) return `${f.label}: an entry is empty (two commas in a row, or a comma at an end). ${how}`;
      const bad = items.find((p) => !/^[+-]?\d+$/.test(p));
      if (bad !== undefined) return `${f.label}: “${bad}” is not a whole number. ${how}`;
      const small = items.find((p) => Number(p) < 1);
      if (small !== undefined) return `${f.label}: ${small} is out of range; each is at least 1.`;
      const big = items.find((p) => f.max !== null && Number(p) > f.max);
      if (big !== undefined) return `${f.label}: ${big} is too large; each is at most ${num(f.max!)}.`;
      if (f.maxItems !== null && items.length > f.maxItems) return `${f.label}: ${items.length} values; at most ${f.maxItems}.`;
      return null;
    }
    default:
      return null;
  }
}

/** The value sent for the field, or undefined to leave it to the server's default (empty, or the default itself). */
export function fieldValue(f: FormField, raw: string): unknown {
  const t = raw.trim();
  if (t === '') return undefined;
  let v: unknown = t;
  if (f.auto && t.toLowerCase() === 'auto') v = 'auto';
  else if (f.type === 'int' || f.type === 'number') v = Number(t);
  else if (f.type === 'intList') v = listItems(t).map(Number);
  return JSON.stringify(v) === JSON.stringify(f.default) && f.key !== 'dataset' ? undefined : v;
}

/**
 * A server message in the form's words: `field "codeSize": ` and `(from request body)` go, a setting's CLI flag
 * (`--code-size`) or camelCase key (`codeSize`) becomes its label; a flag of no field loses its dashes.
 */
export function inFormWords(text: string, fields: readonly FormField[]): string {
  const byFlag = new Map(fields.map((f) => [f.flag, f]));
  const byKey = new Map(fields.map((f) => [f.key as string, f]));
  return text
    .replace(/^field "([^"]+)": /, (_m, key: string) => (byKey.has(key) ? '' : `${key}: `))
    .replace(/\s*\(from request body\)/g, '')
    .replace(/--([a-z][a-z0-9-]*)/g, (_m, flag: string) => {
      const f = byFlag.get(flag);
      return f ? `“${f.label}”` : flag;
    })
    .replace(/\b[a-z]+(?:[A-Z][a-z]*)+\b/g, (k) => (byKey.has(k) ? `“${byKey.get(k)!.label}”` : k));
}

/** The field at fault in a server answer: its `field`, when that is one of the form's. */
export function faultyField(field: string | undefined, fields: readonly FormField[]): FormField | null {
  return fields.find((f) => f.key === field) ?? null;
}

/** The input (a select for choices, text otherwise: the form checks values itself, in its words) with its label, help and error line. */
export function fieldElement(f: FormField, datalist: string | null): HTMLElement {
  const id = `nr-${f.key}`;
  const def = f.default;
  const describedBy = `${id}-help ${id}-error`;
  let input: HTMLInputElement | HTMLSelectElement;
  if (f.type === 'enum') {
    input = h('select', { id, name: f.key, 'aria-describedby': describedBy }, ...(f.values ?? []).map((v) => h('option', { value: v, selected: v === def }, v)));
  } else {
    const numeric = f.type === 'int' || f.type === 'number';
    input = h('input', {
      id,
      name: f.key,
      type: 'text',
      inputmode: numeric && !f.auto ? (f.type === 'int' ? 'numeric' : 'decimal') : null,
      list: datalist,
      required: f.key === 'dataset',
      autocomplete: 'off',
      value: def === null || def === undefined ? '' : Array.isArray(def) ? def.join(',') : String(def),
      'aria-describedby': describedBy,
    });
  }
  return h(
    'label',
    { className: 'field', for: id, 'data-field': f.key },
    h('span', null, f.label),
    input,
    h('small', { id: `${id}-help`, className: 'field-help' }, f.help),
    h('small', { id: `${id}-error`, className: 'field-error', role: 'alert', hidden: true }),
  );
}

/** Shows (or clears, with null) the message of a field. */
export function showFieldError(form: HTMLElement, key: string, message: string | null): void {
  const line = form.querySelector<HTMLElement>(`#nr-${key}-error`);
  const input = form.querySelector<HTMLElement>(`#nr-${key}`);
  if (!line || !input) return;
  line.textContent = message ?? '';
  line.hidden = message === null;
  if (message === null) input.removeAttribute('aria-invalid');
  else input.setAttribute('aria-invalid', 'true');
}
