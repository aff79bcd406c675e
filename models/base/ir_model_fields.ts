// ir.model.fields: one row per field of the registry (reflected at start), so that automation
// rules can name their trigger fields and date field by id, as in Odoo. Read-only reflection.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';

export const FIELD_TYPES: [string, string][] = [
  'binary', 'boolean', 'char', 'date', 'datetime', 'float', 'html', 'integer', 'json', 'many2many', 'many2one',
  'many2one_reference', 'monetary', 'one2many', 'properties', 'properties_definition', 'reference', 'selection', 'text',
].map((t) => [t, t]);

export const IrModelFields: ModelSpec = {
  _name: 'ir.model.fields',
  _description: 'Fields',
  _order: 'name',
  _rec_name: 'field_description',
  _sql_constraints: [['name_unique', 'UNIQUE(model, name)', 'Field names must be unique per model.']],
  fields: {
    name: { type: 'char', string: 'Field Name', required: true, index: true },
    model: { type: 'char', string: 'Model Name', required: true, index: true },
    model_id: { type: 'many2one', comodel: 'ir.model', string: 'Model', required: true, index: true, ondelete: 'cascade' },
    field_description: { type: 'char', string: 'Field Label', required: true, translate: true },
    ttype: { type: 'selection', string: 'Field Type', selection: FIELD_TYPES, required: true },
    relation: { type: 'char', string: 'Related Model' },
    required: { type: 'boolean', string: 'Required' },
    readonly: { type: 'boolean', string: 'Readonly' },
    store: { type: 'boolean', string: 'Stored', default: true },
    state: { type: 'selection', string: 'Type', selection: [['manual', 'Custom Field'], ['base', 'Base Field']], default: 'base', required: true, readonly: true },
  },
};

/** Reflect every field of the registry into ir_model_fields (insert missing, refresh the rest). */
export async function reflectFields(env: Env): Promise<void> {
  const rows: { model: string; name: string; label: string; type: string; relation: string | null; required: boolean; readonly: boolean; store: boolean }[] = [];
  for (const model of env.registry.models.values()) {
    for (const f of model.fields.values()) {
      rows.push({ model: model.name, name: f.name, label: f.string || f.name, type: f.type, relation: f.comodel ?? null, required: f.required, readonly: f.readonly, store: f.store });
    }
  }
  await env.cr.execute(sql`
    INSERT INTO ir_model_fields (model, name, model_id, field_description, ttype, relation, required, readonly, store, state, create_uid, write_uid, create_date, write_date)
    SELECT v.model, v.name, m.id, v.label, v.type, v.relation, v.required, v.readonly, v.store, 'base', 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM unnest(${rows.map((r) => r.model)}::varchar[], ${rows.map((r) => r.name)}::varchar[], ${rows.map((r) => r.label)}::varchar[], ${rows.map((r) => r.type)}::varchar[],
                ${rows.map((r) => r.relation)}::varchar[], ${rows.map((r) => r.required)}::bool[], ${rows.map((r) => r.readonly)}::bool[], ${rows.map((r) => r.store)}::bool[])
      AS v(model, name, label, type, relation, required, readonly, store)
    JOIN ir_model m ON m.model = v.model
    ON CONFLICT (model, name) DO UPDATE SET field_description = EXCLUDED.field_description, ttype = EXCLUDED.ttype, relation = EXCLUDED.relation,
      required = EXCLUDED.required, readonly = EXCLUDED.readonly, store = EXCLUDED.store`);
}
