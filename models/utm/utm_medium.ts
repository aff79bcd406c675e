// utm.medium: delivery method of a tracked link or mailing (Email, SMS...).

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { UserError } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';
import { getUniqueNames } from './utm_mixin.ts';

/**
 * Media that main flows rely on, by Odoo xml id. Without ir.model.data they are found by name
 * (archived ones included) and created when missing, like `_fetch_or_create_utm_medium`.
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
  const rows = await env.cr.query<{ id: number }>(sql`SELECT id FROM utm_medium WHERE name = ${name} ORDER BY active DESC, id LIMIT 1`);
  const id = rows.length ? rows[0].id : (await env.model('utm.medium').sudo().create({ name })).ids[0];
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
        const rows = await self.fetch(['name']);
        for (const xmlid of ['utm.utm_medium_email', 'utm.utm_medium_direct', 'utm.utm_medium_website', 'utm.utm_medium_twitter', 'utm.utm_medium_facebook', 'utm.utm_medium_linkedin']) {
          const hit = rows.find((r) => r.name === REQUIRED_UTM_MEDIUMS[xmlid]);
          if (hit) {
            throw new UserError(`Oops, you can't delete the Medium '${hit.name}'.\nDoing so would be like tearing down a load-bearing wall \u2014 not the best idea.`);
          }
        }
        const sms = rows.find((r) => r.name === REQUIRED_UTM_MEDIUMS['mass_mailing_sms.utm_medium_sms']);
        if (sms) {
          throw new UserError(`The UTM medium '${sms.name}' cannot be deleted as it is used in some main functional flows, such as the SMS Marketing.`);
        }
        return this.super();
      },
    },
  },
};
