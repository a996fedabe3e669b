// The seeds of bench:quality's and bench/quality-seeds.ts's --seeds: a comma-separated list (those seeds, each
// once, in order) or a count N (42, the CLI's default, then 1 .. N-1). Seed 42 keeps the rows in their order
// and every other seed hands them over in a seeded order, so both benches give a seed the same maps.
import { FlagError, wholeNumber, wholeNumbers } from '../flags.js';

/**
 * --seeds TEXT as seeds: '42,1,2' gives [42, 1, 2] (repeats dropped), '3' gives [42, 1, 2]; null for ''.
 * Seeds are whole numbers from 0, a count at least 1. Throws FlagError naming --seeds for anything else.
 */
export function seedList(text: string): number[] | null {
  if (text === '') return null;
  try {
    if (!text.includes(',')) return [42, ...Array.from({ length: wholeNumber(text.trim(), 'seeds', 1) - 1 }, (_, i) => i + 1)];
    return [...new Set(wholeNumbers(text.split(',').filter((t) => t.trim()).join(','), 'seeds', 0))];
  } catch {
    throw new FlagError(`--seeds takes a comma-separated list of whole numbers or a count, got ${JSON.stringify(text)}`);
  }
}
