// mass_mailing's link.tracker.click: the mailing trace (recipient) behind a click, which the click
// marks opened then clicked.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';

export const LinkTrackerClickMailing: ModelSpec = {
  _name: 'link.tracker.click',
  _inherit: 'link.tracker.click',
  _indexes: [
    // Clicks made by hand with a trace but no mailing: the statistics read them apart (few rows).
    ['mailing_trace_without_mailing_idx', '(mailing_trace_id) WHERE mass_mailing_id IS NULL AND mailing_trace_id IS NOT NULL'],
  ],
  fields: {
    mailing_trace_id: { type: 'many2one', comodel: 'mailing.trace', string: 'Mail Statistics', index: 'btree_not_null' },
    mass_mailing_id: { type: 'many2one', comodel: 'mailing.mailing', string: 'Mass Mailing', index: 'btree_not_null' },
  },
  methods: {
    _prepare_click_values_from_route: {
      api: 'model',
      private: true,
      async fn(self: RecordSet, routeValues: Vals) {
        const values: Vals = await this.super(routeValues);
        if (values.mailing_trace_id) {
          // An unknown trace is dropped; a known one gives the click its campaign and mailing.
          const rows = await self.env.cr.query<{ campaign_id: number | null; mass_mailing_id: number | null }>(sql`SELECT campaign_id, mass_mailing_id FROM mailing_trace WHERE id = ${Number(values.mailing_trace_id) || 0}`);
          if (!rows.length) values.mailing_trace_id = false;
          else {
            if (!values.campaign_id && rows[0].campaign_id) values.campaign_id = rows[0].campaign_id;
            if (!values.mass_mailing_id) values.mass_mailing_id = rows[0].mass_mailing_id ?? false;
          }
        }
        return values;
      },
    },
    add_click: {
      api: 'model',
      params: ['code', '**route_values'],
      async fn(self: RecordSet, code: unknown, routeValues: Vals = {}) {
        const click: RecordSet | null = await this.super(code, routeValues);
        if (click?.length) {
          const [c] = await click.fetch(['mailing_trace_id']);
          if (c.mailing_trace_id) {
            const trace = self.env.model('mailing.trace').sudo().browse([c.mailing_trace_id as number]);
            await trace.call('set_opened');
            await trace.call('set_clicked');
          }
        }
        return click;
      },
    },
  },
};
