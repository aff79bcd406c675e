// ir.model: one row per model of the registry, so a mailing can target a model by id.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
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
    is_mail_thread: { type: 'boolean', string: 'Has Mail Thread' },
    is_mail_activity: { type: 'boolean', string: 'Has Mail Activity' },
    is_mail_blacklist: { type: 'boolean', string: 'Has Mail Blacklist' },
  },
};

/** Reflect the registry into ir_model (insert missing models, refresh descriptions). */
export async function reflectModels(env: Env): Promise<void> {
  const models = [...env.registry.models.values()];
  const names = models.map((m) => m.name);
  const descriptions = models.map((m) => m.description);
  const orders = models.map((m) => m.order);
  const transient = models.map((m) => m.transient);
  const abstract = models.map((m) => m.abstract);
  const thread = models.map((m) => m.mixins.has('mail.thread'));
  const blacklist = models.map((m) => m.mixins.has('mail.thread.phone') || m.mixins.has('mail.thread.blacklist'));
  await env.cr.execute(sql`
    INSERT INTO ir_model (model, name, "order", state, transient, abstract, is_mail_thread, is_mail_blacklist, create_uid, write_uid, create_date, write_date)
    SELECT m, n, o, 'base', t, a, th, bl, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM unnest(${names}::varchar[], ${descriptions}::varchar[], ${orders}::varchar[], ${transient}::bool[], ${abstract}::bool[], ${thread}::bool[], ${blacklist}::bool[]) AS v(m, n, o, t, a, th, bl)
    ON CONFLICT (model) DO UPDATE SET name = EXCLUDED.name, "order" = EXCLUDED."order", transient = EXCLUDED.transient, abstract = EXCLUDED.abstract,
      is_mail_thread = EXCLUDED.is_mail_thread, is_mail_blacklist = EXCLUDED.is_mail_blacklist`);
}
