// link.tracker.click: one visit of a short link (its address, country and campaign).

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';

export const LinkTrackerClick: ModelSpec = {
  _name: 'link.tracker.click',
  _description: 'Link Tracker Click',
  _rec_name: 'link_id',
  fields: {
    campaign_id: { type: 'many2one', comodel: 'utm.campaign', string: 'UTM Campaign', related: 'link_id.campaign_id', store: true, readonly: true, ondelete: 'set null', index: 'btree_not_null' },
    link_id: { type: 'many2one', comodel: 'link.tracker', string: 'Link', required: true, ondelete: 'cascade', index: true },
    ip: { type: 'char', string: 'Internet Protocol' },
    country_id: { type: 'many2one', comodel: 'res.country', string: 'Country' },
  },
  methods: {
    /** Click values out of what the route knows: the click's own fields, and `country_code` → country. */
    _prepare_click_values_from_route: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet, routeValues: Vals) => {
        const values: Vals = {};
        for (const [k, v] of Object.entries(routeValues)) if (self.model.fields.has(k) && k !== 'id') values[k] = v;
        if (!values.country_id && routeValues.country_code) {
          const rows = await self.env.cr.query<{ id: number }>(sql`SELECT id FROM res_country WHERE code = ${String(routeValues.country_code).toUpperCase()} LIMIT 1`);
          values.country_id = rows[0]?.id ?? false;
        }
        return values;
      },
    },
    /** Record a click on `code` (None for an unknown code); route values: ip, country_code, ... */
    add_click: {
      api: 'model',
      params: ['code', '**route_values'],
      fn: async (self: RecordSet, code: unknown, routeValues: Vals = {}) => {
        // Odoo searches the code as the caller: the redirect route calls it as superuser
        await self.env.model('link.tracker.code').checkAccess('read');
        const rows = await self.env.cr.query<{ link_id: number }>(sql`SELECT link_id FROM link_tracker_code WHERE code = ${String(code)} LIMIT 1`);
        if (!rows.length) return null;
        const values = await self.call<Vals>('_prepare_click_values_from_route', { ...routeValues, link_id: rows[0].link_id });
        return self.create(values);
      },
    },
  },
};
