// ir.model: one row per model of the registry, so records can point at a model by id.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';

export const IrModel: ModelSpec = {
  _name: 'ir.model',
  _description: 'Models',
  _order: 'model',
  _rec_name: 'name',
  _sql_constraints: [['obj_name_uniq', 'unique (model)', 'Each model must have a unique name.']],
  fields: {
    name: { type: 'char', string: 'Model Description', required: true, translate: true },
    model: { type: 'char', string: 'Model', required: true, index: true },
    order: { type: 'char', string: 'Order', required: true, default: 'id' },
    info: { type: 'text', string: 'Information' },
    state: { type: 'selection', string: 'Type', selection: [['manual', 'Custom Object'], ['base', 'Base Object']], default: 'manual', readonly: true },
    transient: { type: 'boolean', string: 'Transient Model' },
    abstract: { type: 'boolean', string: 'Abstract Model' },
  },
  methods: {
    // Addons that add reflected columns override this (super first), like Odoo's _reflect_models.
    _reflect_models: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet) => {
        const env = self.env;
        const models = [...env.registry.models.values()];
        const names = models.map((m) => m.name);
        const descriptions = models.map((m) => m.description);
        const orders = models.map((m) => m.order);
        const transient = models.map((m) => m.transient);
        const abstract = models.map((m) => m.abstract);
        await env.cr.execute(sql`
          INSERT INTO ir_model (model, name, "order", state, transient, abstract, create_uid, write_uid, create_date, write_date)
          SELECT m, n, o, 'base', t, a, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM unnest(${names}::varchar[], ${descriptions}::varchar[], ${orders}::varchar[], ${transient}::bool[], ${abstract}::bool[]) AS v(m, n, o, t, a)
          ON CONFLICT (model) DO UPDATE SET name = EXCLUDED.name, "order" = EXCLUDED."order", transient = EXCLUDED.transient, abstract = EXCLUDED.abstract`);
        return null;
      },
    },
  },
};

/** Reflect the registry into ir_model (insert missing models, refresh descriptions). */
export async function reflectModels(env: Env): Promise<void> {
  await env.model('ir.model').sudo().call('_reflect_models');
}
