// utm.medium: delivery method of a tracked link or mailing (Email, SMS...).

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { UserError } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';
import { getUniqueNames } from './utm_mixin.ts';
import { updateXmlids, xmlidToResId } from '../base/ir_model_data.ts';

/**
 * Media that main flows rely on, by Odoo xml id: found through ir.model.data, else by name
 * (archived ones included), else created with their xml id, like `_fetch_or_create_utm_medium`.
 */
export const REQUIRED_UTM_MEDIUMS: Record<string, string> = {
  'utm.utm_medium_email': 'Email',
  'utm.utm_medium_direct': 'Direct',
  'utm.utm_medium_website': 'Website',
  'utm.utm_medium_twitter': 'X',
  'utm.utm_medium_facebook': 'Facebook',
  'utm.utm_medium_linkedin': 'LinkedIn',
  'mass_mailing_sms.utm_medium_sms': 'SMS',
};

/** Id of the medium an Odoo xml id names (created if missing). */
export async function utmMediumRef(env: Env, xmlid: string): Promise<number> {
  const cacheKey = `utm.medium:${xmlid}`;
  const cached = env.cache.get(cacheKey) as number | undefined;
  if (cached) return cached;
  const name = REQUIRED_UTM_MEDIUMS[xmlid];
  if (!name) throw new Error(`Unknown UTM medium ${xmlid}`);
  // The external id first; then a medium of that name; else a new one (and its external id).
  let id = await xmlidToResId(env, xmlid);
  if (id && !(await env.cr.query(sql`SELECT 1 FROM utm_medium WHERE id = ${id}`)).length) id = false;
  if (!id) {
    const rows = await env.cr.query<{ id: number }>(sql`SELECT id FROM utm_medium WHERE name = ${name} ORDER BY active DESC, id LIMIT 1`);
    id = rows.length ? rows[0].id : (await env.model('utm.medium').sudo().create({ name })).ids[0];
    await updateXmlids(env, [{ xml_id: xmlid, model: 'utm.medium', res_id: id, noupdate: true }]);
  }
  env.cache.set(cacheKey, id);
  return id;
}

export const UtmMedium: ModelSpec = {
  _name: 'utm.medium',
  _description: 'UTM Medium',
  _order: 'name',
  _sql_constraints: [['unique_name', 'UNIQUE(name)', 'The name must be unique']],
  fields: {
    name: { type: 'char', string: 'Medium Name', required: true },
    active: { type: 'boolean', string: 'Active', default: true },
  },
  methods: {
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...v }));
        const names = await getUniqueNames(self.env, 'utm.medium', list.map((v) => v.name as string));
        list.forEach((v, i) => (v.name = names[i]));
        return this.super(list);
      },
    },
    unlink: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        // Media main flows rely on (found by external id) cannot be deleted.
        const rows = await self.fetch(['name']);
        const names = new Map(rows.map((r) => [r.id as number, r.name as string]));
        for (const xmlid of ['utm.utm_medium_email', 'utm.utm_medium_direct', 'utm.utm_medium_website', 'utm.utm_medium_twitter', 'utm.utm_medium_facebook', 'utm.utm_medium_linkedin']) {
          const id = await xmlidToResId(self.env, xmlid);
          if (id && names.has(id)) {
            throw new UserError(`Oops, you can't delete the Medium '${names.get(id)}'.\nDoing so would be like tearing down a load-bearing wall \u2014 not the best idea.`);
          }
        }
        const sms = await xmlidToResId(self.env, 'mass_mailing_sms.utm_medium_sms');
        if (sms && names.has(sms)) {
          throw new UserError(`The UTM medium '${names.get(sms)}' cannot be deleted as it is used in some main functional flows, such as the SMS Marketing.`);
        }
        return this.super();
      },
    },
  },
};
