// x2many commands (Odoo's Command 0–6) applied set-based: one statement per command and
// relation, never one per record; new records get their links worked out in memory first.

import type { Field } from './fields.ts';
import type { RecordSet, Vals } from './records.ts';
import { sql, ident } from './sql.ts';
import { pyRepr } from './domain.ts';
import { PyValueError } from './exceptions.ts';
import { triggerDependents } from './recompute.ts';

/** Commands of a value: `False` clears, a plain id list is SET; each command a list. */
export function normalizeCommands(self: RecordSet, f: Field, value: unknown): [number, unknown, unknown][] {
  if (value === false || value === null || value === undefined) return [[5, 0, 0]];
  if (!Array.isArray(value)) throw new PyValueError(`Wrong value for ${self.model.name}.${f.name}: ${pyRepr(value)}`);
  if (value.length && value.every((c) => typeof c === 'number')) return [[6, 0, value]];
  return value.map((c) => {
    if (!Array.isArray(c) || typeof c[0] !== 'number') throw new PyValueError(`Wrong value for ${self.model.name}.${f.name}: ${pyRepr(c)}`);
    return [c[0], c[1], c[2]] as [number, unknown, unknown];
  });
}

/**
 * x2many commands of new records, set-based: the links of every record are worked out in
 * memory (a new record has none yet), then one create per comodel and one INSERT of links.
 */
export async function createX2many(self: RecordSet, f: Field, items: { id: number; value: unknown }[], opts: { fresh?: boolean } = {}): Promise<void> {
  const comodel = self.env.model(f.comodel!);
  type Target = number | { create: number };
  const toCreate: Vals[] = [];
  const updates: [number, Vals][] = [];
  const deletes: number[] = [];
  const targets = new Map<number, Target[]>();
  for (const { id, value } of items) {
    let list: Target[] = [];
    for (const [code, target, payload] of normalizeCommands(self, f, value)) {
      const tid = Number(target);
      switch (code) {
        case 0: {
          const vals = { ...((payload as Vals) ?? {}) };
          if (f.type === 'one2many') vals[f.inverseField!.name] = id;
          list.push({ create: toCreate.push(vals) - 1 });
          break;
        }
        case 1: updates.push([tid, (payload as Vals) ?? {}]); break;
        case 2: list = list.filter((x) => x !== tid); deletes.push(tid); break;
        case 3: list = list.filter((x) => x !== tid); break;
        case 4: if (!list.includes(tid)) list.push(tid); break;
        case 5: list = list.filter((x) => typeof x !== 'number' && f.type === 'one2many'); break;
        case 6: list = [...list.filter((x) => typeof x !== 'number' && f.type === 'one2many'), ...((payload as unknown[]) ?? []).map(Number)]; break;
        default: throw new PyValueError(`Unknown x2many command ${code} for ${self.model.name}.${f.name}`);
      }
    }
    targets.set(id, list);
  }
  const created = toCreate.length ? (await comodel.create(toCreate)).ids : [];
  const resolve = (x: Target) => (typeof x === 'number' ? x : created[x.create]);
  if (f.type === 'many2many') {
    const src: number[] = [];
    const dst: number[] = [];
    for (const [id, list] of targets) {
      const seen = new Set<number>();
      for (const x of list) {
        const target = resolve(x);
        if (seen.has(target)) continue;
        seen.add(target);
        src.push(id);
        dst.push(target);
      }
    }
    await m2mInsert(self, f, src, dst, opts.fresh);
  } else {
    // Existing records attached to the new parent (created ones already point to it).
    const byParent = new Map<number, number[]>();
    for (const [id, list] of targets) for (const x of list) if (typeof x === 'number') byParent.set(id, [...(byParent.get(id) ?? []), x]);
    for (const [id, children] of byParent) await comodel.browse(children).write({ [f.inverseField!.name]: id });
  }
  for (const [tid, vals] of updates) await comodel.browse([tid]).write(vals);
  if (deletes.length) await comodel.browse([...new Set(deletes)]).unlink();
  if (f.type === 'many2many') await triggerDependents(self, new Set([f.name]), { skipSelf: true });
}

/**
 * Apply x2many commands (0–6, short forms such as [5] and [4, id] accepted, or a plain id list)
 * to every record of the set, set-based: one statement per command, never one per record.
 */
export async function applyX2many(self: RecordSet, f: Field, value: unknown, creating: boolean, opts: { triggers?: boolean } = {}): Promise<void> {
  if (creating) {
    await createX2many(self, f, self.ids.map((id) => ({ id, value })));
    return;
  }
  const ids = [...new Set(self.ids)];
  if (!ids.length) return;
  const comodel = self.env.model(f.comodel!);
  const m2m = f.type === 'many2many';
  const inverse = f.inverseField?.name;
  for (const [code, target, payload] of normalizeCommands(self, f, value)) {
    const tid = Number(target);
    switch (code) {
      case 0: {
        const vals = (payload as Vals) ?? {};
        if (m2m) {
          // One new record linked to every record (as Odoo does).
          const created = await comodel.create({ ...vals });
          await m2mInsert(self, f, ids, ids.map(() => created.ids[0]));
        } else {
          await comodel.create(ids.map((id) => ({ ...vals, [inverse!]: id })));
        }
        break;
      }
      case 1:
        await comodel.browse([tid]).write((payload as Vals) ?? {});
        break;
      case 2:
        if (m2m) await m2mDelete(self, f, ids, [tid]);
        await comodel.browse([tid]).unlink();
        break;
      case 3:
        if (m2m) await m2mDelete(self, f, ids, [tid]);
        else await o2mCut(self, f, [tid]);
        break;
      case 4:
        if (m2m) await m2mInsert(self, f, ids, ids.map(() => tid));
        else await comodel.browse([tid]).write({ [inverse!]: ids[ids.length - 1] });
        break;
      case 5:
        if (m2m) await m2mDelete(self, f, ids, null);
        else {
          const current = [...(await self.browse(ids).fetchOne2many(f)).values()].flat();
          await o2mCut(self, f, current);
        }
        break;
      case 6: {
        const want = [...new Set(((payload as unknown[]) ?? []).map(Number))];
        if (m2m) {
          // Only the links that go are removed and the missing ones added (extra columns of the
          // relation rows that stay are kept).
          await self.env.cr.execute(sql`DELETE FROM ${ident(f.m2mRelation.table)} WHERE ${ident(f.m2mRelation.col1)} = ANY(${ids}::int4[]) AND NOT (${ident(f.m2mRelation.col2)} = ANY(${want}::int4[]))`);
          if (want.length) {
            const src: number[] = [];
            const dst: number[] = [];
            for (const id of ids) for (const w of want) {
              src.push(id);
              dst.push(w);
            }
            await m2mInsert(self, f, src, dst);
          }
        } else {
          const current = await self.browse(ids).fetchOne2many(f);
          const drop = [...current.values()].flat().filter((x) => !want.includes(x));
          if (drop.length) await o2mCut(self, f, drop);
          for (const id of ids) {
            const add = want.filter((x) => !(current.get(id) ?? []).includes(x));
            if (add.length) await comodel.browse(add).write({ [inverse!]: id });
          }
        }
        break;
      }
      default:
        throw new PyValueError(`Unknown x2many command ${code} for ${self.model.name}.${f.name}`);
    }
  }
  if (m2m && opts.triggers !== false) await triggerDependents(self, new Set([f.name]), { skipSelf: false });
}

export async function o2mCut(self: RecordSet, f: Field, ids: number[]): Promise<void> {
  if (!ids.length) return;
  const comodel = self.env.model(f.comodel!).browse(ids);
  // Like Odoo: cascade inverse means the line dies with the link.
  if (f.inverseField!.spec.ondelete === 'cascade' || f.inverseField!.required) await comodel.unlink();
  else await comodel.write({ [f.inverseField!.name]: false });
}

/**
 * Insert relation rows (src[i], dst[i]), ignoring the ones already there. `fresh`: the pairs are
 * distinct and no row of these sources can exist yet (records of this create), so a plain INSERT
 * does (no DISTINCT, no speculative insertion).
 */
export async function m2mInsert(self: RecordSet, f: Field, src: number[], dst: number[], fresh = false): Promise<void> {
  if (!src.length) return;
  const { table, col1, col2 } = f.m2mRelation;
  await self.env.cr.execute(fresh
    ? sql`INSERT INTO ${ident(table)} (${ident(col1)}, ${ident(col2)}) SELECT * FROM unnest(${src}::int4[], ${dst}::int4[])`
    : sql`INSERT INTO ${ident(table)} (${ident(col1)}, ${ident(col2)}) SELECT DISTINCT * FROM unnest(${src}::int4[], ${dst}::int4[]) ON CONFLICT DO NOTHING`);
}
export async function m2mDelete(self: RecordSet, f: Field, ids: number[], targets: number[] | null): Promise<void> {
  const { table, col1, col2 } = f.m2mRelation;
  if (targets === null) await self.env.cr.execute(sql`DELETE FROM ${ident(table)} WHERE ${ident(col1)} = ANY(${ids}::int4[])`);
  else if (targets.length) await self.env.cr.execute(sql`DELETE FROM ${ident(table)} WHERE ${ident(col1)} = ANY(${ids}::int4[]) AND ${ident(col2)} = ANY(${targets}::int4[])`);
}
