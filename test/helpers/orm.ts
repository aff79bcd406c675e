// Test models for the ORM suites: every field type in one model (`test.orm.item`) with lines,
// tags, a searchable non-stored field, a stored computed field through a many2one path, a
// related field and an inverse. They are registered on top of the product's models, on a
// fresh database (schema added with initSchema), so production models stay clean.

import { freshDatabase, type FreshDatabase } from './db.ts';
import { Registry } from '../../models/orm/registry.ts';
import { initSchema } from '../../models/orm/schema.ts';
import { MODELS } from '../../models/index.ts';
import type { ModelSpec } from '../../models/orm/model.ts';
import type { Env } from '../../models/orm/env.ts';
import type { RecordSet, Vals } from '../../models/orm/records.ts';
import { callKw } from '../../models/orm/call_kw.ts';
import { ValidationError } from '../../models/orm/exceptions.ts';
import { sql, raw as sqlRaw } from '../../models/orm/sql.ts';

export const TestTag: ModelSpec = {
  _name: 'test.orm.tag',
  _description: 'Test Tag',
  _order: 'name, id',
  fields: {
    name: { type: 'char', string: 'Name', required: true },
    active: { type: 'boolean', default: true },
    parent_id: { type: 'many2one', comodel: 'test.orm.tag', string: 'Parent Tag' },
  },
};

export const TestItem: ModelSpec = {
  _name: 'test.orm.item',
  _description: 'Test Item',
  _order: 'id',
  _sql_constraints: [
    ['code_uniq', 'unique (code)', 'The code must be unique!'],
    ['price_positive', 'CHECK (price IS NULL OR price >= -1000)', 'The price cannot be that low.'],
  ],
  _constraints: [{
    fields: ['qty'],
    check: async (records) => {
      const rows = await records.fetch(['qty']);
      if (rows.some((r) => (r.qty as number) < -100)) throw new ValidationError('Quantity cannot be below -100.');
    },
  }],
  fields: {
    name: { type: 'char', string: 'Name' },
    code: { type: 'char', string: 'Code' },
    note: { type: 'text', string: 'Note' },
    qty: { type: 'integer', string: 'Quantity' },
    price: { type: 'float', string: 'Price', digits: [16, 2] },
    amount: { type: 'monetary', string: 'Amount' },
    flag: { type: 'boolean', string: 'Flag' },
    active: { type: 'boolean', string: 'Active', default: true },
    day: { type: 'date', string: 'Day' },
    moment: { type: 'datetime', string: 'Moment' },
    state: { type: 'selection', string: 'State', selection: [['draft', 'Draft'], ['done', 'Done']] },
    partner_id: { type: 'many2one', comodel: 'res.partner', string: 'Partner' },
    parent_id: { type: 'many2one', comodel: 'test.orm.item', string: 'Parent' },
    child_ids: { type: 'one2many', comodel: 'test.orm.item', inverseName: 'parent_id', string: 'Children' },
    tag_ids: { type: 'many2many', comodel: 'test.orm.tag', relation: 'test_orm_item_tag_rel', column1: 'item_id', column2: 'tag_id', string: 'Tags' },
    line_ids: { type: 'one2many', comodel: 'test.orm.line', inverseName: 'item_id', string: 'Lines' },
    // non-stored computed, batch (one query for all records)
    line_count: { type: 'integer', string: 'Line Count', compute: '_compute_line_count', search: '_search_line_count' },
    // stored computed through a many2one path
    partner_label: { type: 'char', string: 'Partner Label', compute: '_compute_partner_label', store: true, depends: ['name', 'partner_id.name'] },
    // stored computed on the same record, summing lines (through a one2many)
    total: { type: 'float', string: 'Total', compute: '_compute_total', store: true, depends: ['line_ids.value'] },
    // related, read / write-through / search
    partner_email: { type: 'char', string: 'Partner Email', related: 'partner_id.email' },
    partner_country_code: { type: 'char', string: 'Partner Country', related: 'partner_id.country_id.code' },
    // stored computed with raw SQL on the model's own table
    code_upper: { type: 'char', string: 'Code (upper)', compute: '_compute_code_upper', store: true, depends: ['code'] },
    // stored computed before the INSERT (Odoo's precompute)
    name_len: { type: 'integer', string: 'Name Length', compute: '_compute_name_len', store: true, precompute: true, depends: ['name'] },
    // computed with an inverse
    upper_name: { type: 'char', string: 'Upper Name', compute: '_compute_upper_name', inverse: '_inverse_upper_name' },
  },
  methods: {
    _compute_line_count: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ item_id: number; n: number }>(
          sql`SELECT item_id, count(*)::int AS n FROM test_orm_line WHERE item_id = ANY(${self.ids}::int4[]) GROUP BY item_id`,
        );
        const by = new Map(rows.map((r) => [r.item_id, r.n]));
        return new Map(self.ids.map((id) => [id, { line_count: by.get(id) ?? 0 }]));
      },
    },
    _search_line_count: {
      api: 'model',
      private: true,
      fn: (_self: RecordSet, operator: string, value: unknown) => {
        const ops: Record<string, string> = { '=': '=', '!=': '<>', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };
        if (!ops[operator]) throw new Error(`unsupported ${operator}`);
        const n = Number(value) || 0;
        return [['id', 'in', sql`SELECT i.id FROM test_orm_item i WHERE (SELECT count(*) FROM test_orm_line l WHERE l.item_id = i.id) ${sqlRaw(ops[operator])} ${n}`]];
      },
    },
    _compute_partner_label: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['name', 'partner_id']);
        const pids = [...new Set(rows.map((r) => r.partner_id).filter(Boolean) as number[])];
        const names = await self.env.model('res.partner').browse(pids).fetchValues(['name']);
        return new Map(rows.map((r) => [r.id as number, { partner_label: `${r.name || ''}@${r.partner_id ? names.get(r.partner_id as number)?.name ?? '' : ''}` }]));
      },
    },
    _compute_total: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ item_id: number; s: number }>(
          sql`SELECT item_id, sum(value)::float8 AS s FROM test_orm_line WHERE item_id = ANY(${self.ids}::int4[]) GROUP BY item_id`,
        );
        const by = new Map(rows.map((r) => [r.item_id, r.s]));
        return new Map(self.ids.map((id) => [id, { total: by.get(id) ?? 0 }]));
      },
    },
    _compute_code_upper: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ id: number; u: string | null }>(sql`SELECT id, upper(code) AS u FROM test_orm_item WHERE id = ANY(${self.ids}::int4[])`);
        return new Map(rows.map((r) => [r.id, { code_upper: r.u ?? false }]));
      },
    },
    _compute_name_len: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['name', 'create_uid']);
        return new Map(rows.map((r) => [r.id as number, { name_len: r.create_uid ? String(r.name || '').length : -1 }]));
      },
    },
    _compute_upper_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['name']);
        return new Map(rows.map((r) => [r.id as number, { upper_name: r.name ? String(r.name).toUpperCase() : false }]));
      },
    },
    _inverse_upper_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet, value: unknown) => {
        await self.write({ name: value ? String(value).toLowerCase() : false });
      },
    },
  },
};

export const TestLine: ModelSpec = {
  _name: 'test.orm.line',
  _description: 'Test Line',
  fields: {
    name: { type: 'char', string: 'Name' },
    value: { type: 'float', string: 'Value' },
    item_id: { type: 'many2one', comodel: 'test.orm.item', string: 'Item', ondelete: 'cascade', required: true },
  },
};


export const TEST_MODELS: ModelSpec[] = [TestTag, TestItem, TestLine];

export interface OrmTestRegistry {
  registry: Registry;
  db: FreshDatabase;
  call(model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>, uid?: number): Promise<any>;
  env<T>(fn: (env: Env) => Promise<T>, context?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** A registry of the product's models plus `extra`, on a fresh database. */
export async function ormRegistry(extra: ModelSpec[] = TEST_MODELS, poolSize = 5): Promise<OrmTestRegistry> {
  const db = await freshDatabase();
  const registry = new Registry(db.connectionString, [...MODELS, ...extra]).build().connect(poolSize);
  await registry.sudo(async (env) => {
    await initSchema(registry, env.cr);
  });
  return {
    registry,
    db,
    call: (model, method, args = [], kwargs = {}, uid = 2) => registry.transaction({ uid }, (env) => callKw(env, model, method, args, kwargs)),
    env: (fn, context = {}) => registry.sudo(fn, context),
    close: async () => {
      await registry.close();
      await db.drop();
    },
  };
}

/** Ids of `model` matching `domain` (through call_kw, as a client would). */
export async function ids(t: OrmTestRegistry, model: string, domain: unknown[], context: Record<string, unknown> = {}): Promise<number[]> {
  const res = (await t.call(model, 'search', [domain], { context, order: 'id' })) as number[];
  return res;
}

export type { Vals };
