// Stored computed fields: recomputation in batches (one UPDATE per chunk), the dependents of
// changed fields found through the registry's triggers, and fields protected while written.

import type { Field } from './fields.ts';
import type { RecordSet, Vals } from './records.ts';
import { sql, raw, ident, join } from './sql.ts';
import { toColumn } from './fields_convert.ts';

/** env.cache key of the fields protected from recomputation: `model.field` → record ids. */
const PROTECTED = 'protected';
/** Records per recompute chunk (one compute call per method and one UPDATE each). */
const RECOMPUTE_BATCH = 5000;

/** Run `fn` with `fields` of these records protected from recomputation (nests). */
export async function protecting<T>(self: RecordSet, fields: Field[], fn: () => Promise<T>): Promise<T> {
  if (!fields.length) return fn();
  const prot = (self.env.cache.get(PROTECTED) as Map<string, Set<number>> | undefined) ?? new Map<string, Set<number>>();
  self.env.cache.set(PROTECTED, prot);
  const added: [string, number][] = [];
  for (const f of fields) {
    const key = `${f.modelName}.${f.name}`;
    const set = prot.get(key) ?? new Set<number>();
    prot.set(key, set);
    for (const id of self.ids) if (!set.has(id)) {
      set.add(id);
      added.push([key, id]);
    }
  }
  try {
    return await fn();
  } finally {
    for (const [key, id] of added) prot.get(key)?.delete(id);
  }
}

/** Ids of these records whose `f` is protected from recomputation (being written). */
export function protectedIds(self: RecordSet, f: Field): Set<number> | undefined {
  const set = (self.env.cache.get(PROTECTED) as Map<string, Set<number>> | undefined)?.get(`${f.modelName}.${f.name}`);
  return set && set.size ? set : undefined;
}

/** Values of stored computed (or stored related) fields for these records, one batch per method. */
export async function computeStored(self: RecordSet, group: Field[]): Promise<Map<number, Vals>> {
  const f = group[0];
  if (f.isComputed) return self.runCompute(f, group.map((g) => g.name));
  const rel = await self.sudo().fetchRelated(f);
  return new Map([...rel].map(([id, v]) => [id, { [f.name]: v }]));
}

/**
 * Recompute stored computed (and stored related) fields on these records and store them: per
 * chunk of 5000 records, every compute method runs once, then ONE UPDATE writes all their
 * columns (rows whose values did not change are not rewritten).
 */
export async function recompute(self: RecordSet, fields: Field[], opts: { triggers?: boolean; depth?: number } = {}): Promise<void> {
  if (!self.ids.length || !fields.length) return;
  // Group by compute method (one call computes all its fields).
  const groups: Field[][] = [];
  for (const f of fields) {
    const g = groups.find((x) => (f.isComputed ? x[0].isComputed && x[0].spec.compute === f.spec.compute : x[0] === f));
    if (g) {
      if (!g.includes(f)) g.push(f);
    } else groups.push([f]);
  }
  const triggers = self.env.registry.triggers;
  const dependsOn = (later: Field[], earlier: Field[]) =>
    earlier.some((e) => (triggers.get(`${e.modelName}.${e.name}`) ?? []).some((t) => t.path.length === 0 && later.includes(t.target)));
  // A method reading a field recomputed in the same pass runs after it (whatever the order asked).
  for (let i = 0, moves = 0; i < groups.length && moves < groups.length * groups.length; i++) {
    const j = groups.findIndex((g, k) => k > i && dependsOn(groups[i], g));
    if (j > i) {
      groups.splice(i, 0, ...groups.splice(j, 1));
      i--;
      moves++;
    }
  }
  for (let start = 0; start < self.ids.length; start += RECOMPUTE_BATCH) {
    const chunk = self.ids.length <= RECOMPUTE_BATCH ? self : self.browse(self.ids.slice(start, start + RECOMPUTE_BATCH));
    let pending: { fields: Field[]; values: Map<number, Vals> }[] = [];
    for (const group of groups) {
      // A method reading a field computed just before must see it stored first.
      if (pending.length && dependsOn(group, pending.flatMap((p) => p.fields))) {
        await storeComputed(chunk, pending);
        pending = [];
      }
      const prot = group.map((g) => protectedIds(chunk, g));
      if (prot.some(Boolean)) {
        // Some records are being written: compute the others, store per field what is not protected.
        const open = chunk.ids.filter((id) => prot.some((p) => !p || !p.has(id)));
        if (!open.length) continue;
        const values = await computeStored(chunk.browse(open), group);
        group.forEach((g, k) => {
          const p = prot[k];
          pending.push({ fields: [g], values: p ? new Map([...values].filter(([id]) => !p.has(id))) : values });
        });
        continue;
      }
      pending.push({ fields: group, values: await computeStored(chunk, group) });
    }
    if (pending.length) await storeComputed(chunk, pending);
  }
  if (opts.triggers === false) return;
  await triggerDependents(self, new Set(fields.map((f) => f.name)), { skipSelf: true, depth: (opts.depth ?? 0) + 1 });
}

/** One UPDATE of computed columns for these records (FROM unnest arrays, by primary key). */
export async function storeComputed(self: RecordSet, parts: { fields: Field[]; values: Map<number, Vals> }[]): Promise<void> {
  // A method may leave records out (nothing to store for them): then each part on its own.
  if (parts.length > 1 && !self.ids.every((id) => parts.every((p) => p.values.has(id)) || parts.every((p) => !p.values.has(id)))) {
    for (const p of parts) await storeComputed(self, [p]);
    return;
  }
  const fields = parts.flatMap((p) => p.fields);
  const ids: number[] = [];
  const cols: unknown[][] = fields.map(() => []);
  for (const id of self.ids) {
    if (!parts.some((p) => p.values.has(id))) continue;
    ids.push(id);
    let i = 0;
    for (const p of parts) {
      const v = p.values.get(id);
      for (const g of p.fields) cols[i++].push(toColumn(g, v ? v[g.name] ?? false : false));
    }
  }
  if (!ids.length) return;
  const sets = fields.map((g) => sql`${ident(g.name)} = v.${ident(g.name)}`);
  const arrays = [sql`unnest(${ids}::int4[]) AS id`, ...fields.map((g, i) => sql`unnest(${cols[i]}${raw(`::${g.columnType}[]`)}) AS ${ident(g.name)}`)];
  const changed = join(fields.map((g) => sql`t.${ident(g.name)} IS DISTINCT FROM v.${ident(g.name)}`), ' OR ');
  await self.env.cr.execute(
    sql`UPDATE ${ident(self.model.table)} t SET ${join(sets)} FROM (SELECT ${join(arrays)}) v WHERE t.id = v.id AND t.id = ANY(${ids}::int4[]) AND (${changed})`,
  );
}

/**
 * Records of stored computed fields that depend on `changed` fields of these records, per
 * field: one query per (trigger with a path), none per record.
 */
export async function collectDependents(self: RecordSet, changed: Set<string>, opts: { skipSelf: boolean; newRecords?: boolean }): Promise<Map<Field, Set<number>>> {
  const registry = self.env.registry;
  const byTarget = new Map<Field, Set<number>>();
  if (!self.ids.length) return byTarget;
  // One search per distinct (target model, path).
  const searches = new Map<string, { model: string; path: string; targets: Field[] }>();
  for (const name of changed) {
    for (const t of registry.triggers.get(`${self.model.name}.${name}`) ?? []) {
      if (t.path.length === 0) {
        if (opts.skipSelf && t.target.modelName === self.model.name) continue;
        const set = byTarget.get(t.target) ?? new Set<number>();
        for (const id of self.ids) set.add(id);
        byTarget.set(t.target, set);
        continue;
      }
      if (opts.newRecords) {
        const first = registry.get(t.target.modelName).fields.get(t.path[0]);
        if (first && (first.type === 'many2one' || first.type === 'many2many')) continue;
      }
      const key = `${t.target.modelName}|${t.path.join('.')}`;
      const s = searches.get(key) ?? { model: t.target.modelName, path: t.path.join('.'), targets: [] };
      if (!s.targets.includes(t.target)) s.targets.push(t.target);
      searches.set(key, s);
    }
  }
  for (const s of searches.values()) {
    const target = self.env.model(s.model).sudo().withContext({ active_test: false });
    const found = (await target.search([[s.path, 'in', self.ids]], { order: 'id' })).ids;
    for (const f of s.targets) {
      const set = byTarget.get(f) ?? new Set<number>();
      for (const id of found) set.add(id);
      byTarget.set(f, set);
    }
  }
  return byTarget;
}

export async function recomputeDependents(self: RecordSet, byTarget: Map<Field, Set<number>>, depth: number): Promise<void> {
  if (depth > 6) return;
  // Fields of the same model and records together (one compute call per method).
  const grouped = new Map<string, { model: string; ids: number[]; fields: Field[] }>();
  for (const [field, ids] of byTarget) {
    if (!ids.size) continue;
    const sorted = [...ids].sort((a, b) => a - b);
    const key = `${field.modelName}|${sorted.join(',')}`;
    const g = grouped.get(key) ?? { model: field.modelName, ids: sorted, fields: [] };
    g.fields.push(field);
    grouped.set(key, g);
  }
  for (const g of grouped.values()) {
    // Records deleted meanwhile (cascades) are skipped.
    const model = self.env.registry.get(g.model);
    const alive = await self.env.cr.query<{ id: number }>(sql`SELECT id FROM ${ident(model.table)} WHERE id = ANY(${g.ids}::int4[])`);
    if (!alive.length) continue;
    await recompute(self.env.model(g.model).sudo().browse(alive.map((r) => r.id)), g.fields, { depth });
  }
}

/** Find stored computed fields depending on `changed` fields of these records; recompute. */
export async function triggerDependents(self: RecordSet, changed: Set<string>, opts: { skipSelf: boolean; depth?: number; newRecords?: boolean }): Promise<void> {
  const depth = opts.depth ?? 0;
  if (depth > 6 || !self.ids.length) return;
  const byTarget = await collectDependents(self, changed, opts);
  await recomputeDependents(self, byTarget, depth);
}
