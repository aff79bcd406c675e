// web_read / web_search_read with a `specification` (spec §7.3): reads with load=None,
// relational fields expanded recursively when the spec asks for sub-fields.

import type { RecordSet, Vals } from './records.ts';
import { PyValueError } from './exceptions.ts';

type Spec = Record<string, { fields?: Spec; context?: Record<string, unknown>; limit?: number; order?: string } | undefined>;

export async function webRead(self: RecordSet, specification: unknown): Promise<Vals[]> {
  if (!specification || typeof specification !== 'object' || Array.isArray(specification)) {
    throw new PyValueError('web_read() expects a specification dict');
  }
  const spec = specification as Spec;
  const names = Object.keys(spec);
  const rows = await self._read(names.length ? names : ['id'], null);
  for (const name of names) {
    const sub = spec[name];
    if (!sub || !sub.fields) continue;
    const f = self.model.fields.get(name)!;
    if (!f.isRelational) continue;
    const co = self.env.model(f.comodel!).withContext(sub.context ?? {});
    if (f.type === 'many2one') {
      // `fields: {}` keeps the bare id; display_name is read as superuser, like Odoo.
      if (Object.keys(sub.fields).length === 0) continue;
      const ids = [...new Set(rows.map((r) => r[name]).filter(Boolean) as number[])];
      const subRows = await webRead(co.sudo().browse(ids), sub.fields);
      const byId = new Map(subRows.map((r) => [r.id as number, r]));
      for (const r of rows) if (r[name]) r[name] = byId.get(r[name] as number) ?? { id: r[name] };
    } else {
      const all = [...new Set(rows.flatMap((r) => r[name] as number[]))];
      let ordered = all;
      if (sub.order) ordered = (await co.search([['id', 'in', all]], { order: sub.order })).ids;
      const subRows = await webRead(co.browse(ordered), sub.fields);
      const byId = new Map(subRows.map((r) => [r.id as number, r]));
      for (const r of rows) {
        let ids = r[name] as number[];
        if (sub.order) ids = ordered.filter((id) => ids.includes(id));
        const limit = sub.limit ?? Infinity;
        r[name] = ids.map((id, i) => (i < limit ? byId.get(id) ?? { id } : { id }));
      }
    }
  }
  return rows;
}

export async function webSearchRead(self: RecordSet, domain: unknown, specification: unknown, offset: unknown, limit: unknown, order: unknown, countLimit: unknown): Promise<{ length: number; records: Vals[] }> {
  const off = Number(offset) || 0;
  const lim = Number(limit) || 0;
  const recs = await self.search((domain as unknown[]) || [], { offset: off, limit: lim || null, order: (order as string) || null });
  const records = await webRead(recs, specification);
  if (!records.length) return { length: 0, records: [] };
  // length = offset + records read, unless the limit was reached: then count (up to count_limit).
  const current = records.length + off;
  const cl = Number(countLimit) || 0;
  const countLimitReached = cl > 0 && cl <= current;
  let length = current;
  if (lim && ((records.length === lim && !countLimitReached) || self.env.context.force_search_count)) {
    length = await self.searchCount((domain as unknown[]) || [], cl || null);
  }
  return { length, records };
}
