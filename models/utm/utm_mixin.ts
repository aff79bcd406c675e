// utm.mixin (campaign/source/medium on tracked records) and the unique-name rule shared by every
// UTM model: a name already taken gets the first free " [n]" counter (Odoo's _get_unique_names).

import { pyRequireStr } from '../orm/pyargs.ts';
import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import { sql, ident } from '../orm/sql.ts';

const NAME_COUNTER_RE = /^(.*)\s+\[([0-9]+)\]$/s;

/** "Medium" → ["Medium", 1]; "Medium [12]" → ["Medium", 12] (Odoo's _split_name_and_count). */
export function splitNameAndCount(name: string | null | undefined): [string, number] {
  const m = NAME_COUNTER_RE.exec(name ?? '');
  if (m) return [m[1], Number(m[2]) || 1];
  return [name ?? '', 1];
}

/**
 * For each requested name (same order), a name unused by `model` and by the names before it in
 * the list: "test" taken → "test [2]"; an asked counter is kept when free. Falsy names stay false.
 * `skipIds` are records whose own names do not count (renaming a record to its own name).
 */
export async function getUniqueNames(env: Env, model: string, names: (string | false | null | undefined)[], skipIds: number[] = []): Promise<(string | false)[]> {
  const table = env.registry.get(model).table;
  // Odoo matches each name with a regex: a name that is not a string is its TypeError
  const bases = [...new Set(names.filter((n): n is string => !!n).map((n) => splitNameAndCount(pyRequireStr(n))[0]))];
  const existing = new Set<string>();
  if (bases.length) {
    // One query for every base name (ILIKE '%base%' as Odoo's `ilike` search, archived included).
    const patterns = bases.map((b) => `%${b.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const rows = await env.cr.query<{ name: string }>(sql`SELECT name FROM ${ident(table)} WHERE name ILIKE ANY(${patterns}::text[]) AND NOT (id = ANY(${skipIds}::int4[]))`);
    for (const r of rows) existing.add(r.name);
  }
  const used = new Map<string, Set<number>>();
  for (const base of bases) {
    const counters = new Set<number>();
    for (const name of existing) if (name === base || name.startsWith(`${base} [`)) counters.add(splitNameAndCount(name)[1]);
    used.set(base, counters);
  }
  const next = new Map<string, number>();
  return names.map((name) => {
    if (!name) return false;
    const [base, asked] = splitNameAndCount(name);
    const taken = used.get(base) ?? new Set<number>();
    used.set(base, taken);
    let count: number;
    if (asked !== 1 && !taken.has(asked)) {
      count = asked;
    } else {
      count = next.get(base) ?? 1;
      while (taken.has(count)) count++;
      next.set(base, count + 1);
    }
    taken.add(count);
    return count > 1 ? `${base} [${count}]` : base;
  });
}

export const UtmMixin: ModelSpec = {
  _name: 'utm.mixin',
  _description: 'UTM Mixin',
  _abstract: true,
  fields: {
    campaign_id: { type: 'many2one', comodel: 'utm.campaign', string: 'Campaign', index: 'btree_not_null', help: 'This is a name that helps you keep track of your different campaign efforts, e.g. Fall_Drive, Christmas_Special' },
    source_id: { type: 'many2one', comodel: 'utm.source', string: 'Source', index: 'btree_not_null', help: 'This is the source of the link, e.g. Search Engine, another domain, or name of email list' },
    medium_id: { type: 'many2one', comodel: 'utm.medium', string: 'Medium', index: 'btree_not_null', help: 'This is the method of delivery, e.g. Postcard, Email, or Banner Ad' },
  },
  methods: {
    _get_unique_names: { api: 'model', private: true, fn: (self, modelName: string, names: string[]) => getUniqueNames(self.env, modelName, names, (self.env.context.utm_check_skip_record_ids as number[]) ?? []) },
  },
};
