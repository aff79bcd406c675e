// utm.campaign (marketing campaign: unique identifier computed from its title), utm.stage, utm.tag.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';
import { getUniqueNames } from './utm_mixin.ts';

async function defaultStage(env: Env): Promise<number | false> {
  const rows = await env.cr.query<{ id: number }>(sql`SELECT id FROM utm_stage ORDER BY sequence, id LIMIT 1`);
  return rows[0]?.id ?? false;
}

export const UtmCampaign: ModelSpec = {
  _name: 'utm.campaign',
  _description: 'UTM Campaign',
  _rec_name: 'title',
  _sql_constraints: [['unique_name', 'UNIQUE(name)', 'The name must be unique']],
  fields: {
    name: { type: 'char', string: 'Campaign Identifier', required: true, compute: '_compute_name', store: true, readonly: false, depends: ['title'], inverse: '_inverse_name' },
    title: { type: 'char', string: 'Campaign Name', required: true, translate: true },
    active: { type: 'boolean', string: 'Active', default: true },
    user_id: { type: 'many2one', comodel: 'res.users', string: 'Responsible', required: true, default: (env: Env) => env.uid },
    stage_id: { type: 'many2one', comodel: 'utm.stage', string: 'Stage', required: true, ondelete: 'restrict', default: defaultStage },
    tag_ids: { type: 'many2many', comodel: 'utm.tag', relation: 'utm_tag_rel', column1: 'tag_id', column2: 'campaign_id', string: 'Tags' },
    is_auto_campaign: { type: 'boolean', string: 'Automatically Generated Campaign', default: false, help: 'Allows us to filter relevant Campaigns' },
    color: { type: 'integer', string: 'Color Index' },
  },
  methods: {
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...v }));
        for (const v of list) if (!v.title && v.name) v.title = v.name;
        // The identifier is unique: given names (or titles) get a counter when taken.
        const names = await getUniqueNames(self.env, 'utm.campaign', list.map((v) => (v.name || v.title) as string));
        list.forEach((v, i) => (v.name = names[i]));
        return this.super(list);
      },
    },
    _compute_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['title', 'name']);
        const out = new Map<number, Vals>();
        const titles = rows.map((r) => (r.title as string) || false);
        const names = await getUniqueNames(self.env, 'utm.campaign', titles, self.ids);
        rows.forEach((r, i) => out.set(r.id as number, { name: names[i] || r.name || false }));
        return out;
      },
    },
    _inverse_name: { api: 'record', private: true, fn: async () => undefined },
  },
};
