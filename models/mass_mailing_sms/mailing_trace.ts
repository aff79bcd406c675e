// mailing.trace in mass_mailing_sms: the SMS number, code and link to the sms.sms of a trace.

import type { ModelSpec } from '../orm/model.ts';
import type { Selection } from '../orm/fields.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';
import { randomTraceCode } from './prepare.ts';
import { TRACE_FAILURE_TYPES } from '../mass_mailing/mailing_trace.ts';

/** mass_mailing's failure types, then SMS ones (Odoo's selection_add). */
export const TRACE_FAILURE_TYPES_SMS: Selection = [
  ...TRACE_FAILURE_TYPES,
  ['sms_number_missing', 'Missing Number'],
  ['sms_number_format', 'Wrong Number Format'],
  ['sms_credit', 'Insufficient Credit'],
  ['sms_country_not_supported', 'Country Not Supported'],
  ['sms_registration_needed', 'Country-specific Registration Required'],
  ['sms_server', 'Server Error'],
  ['sms_acc', 'Unregistered Account'],
  ['sms_blacklist', 'Blacklisted'],
  ['sms_duplicate', 'Duplicate'],
  ['sms_optout', 'Opted Out'],
  ['sms_expired', 'Expired'],
  ['sms_invalid_destination', 'Invalid Destination'],
  ['sms_not_allowed', 'Not Allowed'],
  ['sms_not_delivered', 'Not Delivered'],
  ['sms_rejected', 'Rejected'],
  ['twilio_authentication', 'Authentication Error"'],
  ['twilio_callback', 'Incorrect callback URL'],
  ['twilio_from_missing', 'Missing From Number'],
  ['twilio_from_to', 'From / To identic'],
];

export const MailingTraceSms: ModelSpec = {
  _name: 'mailing.trace',
  _inherit: 'mailing.trace',
  fields: {
    trace_type: { type: 'selection', selection: [['mail', 'Email'], ['sms', 'SMS']] },
    failure_type: { type: 'selection', selection: TRACE_FAILURE_TYPES_SMS },
    // SMS
    sms_id_int: { type: 'integer', string: 'SMS ID', index: 'btree_not_null' },
    sms_id: { type: 'many2one', comodel: 'sms.sms', string: 'SMS', compute: '_compute_sms_id', depends: ['sms_id_int', 'trace_type'] },
    sms_tracker_ids: { type: 'one2many', comodel: 'sms.tracker', inverseName: 'mailing_trace_id', string: 'SMS Trackers' },
    sms_number: { type: 'char', string: 'Number' },
    sms_code: { type: 'char', string: 'Code' },
  },
  methods: {
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...v }));
        const mailingIds = [...new Set(list.map((v) => Number(v.mass_mailing_id)).filter(Boolean))];
        const campaigns = mailingIds.length
          ? new Map((await self.env.cr.query<{ id: number; campaign_id: number | null }>(sql`SELECT id, campaign_id FROM mailing_mailing WHERE id = ANY(${mailingIds}::int4[])`)).map((r) => [r.id, r.campaign_id]))
          : new Map<number, number | null>();
        for (const v of list) {
          // SMS traces always get a code (Odoo's create fills a missing one).
          if (v.trace_type === 'sms' && !v.sms_code) v.sms_code = randomTraceCode();
          if (v.mass_mailing_id && !('campaign_id' in v)) v.campaign_id = campaigns.get(Number(v.mass_mailing_id)) ?? false;
        }
        return this.super(list);
      },
    },
    _compute_sms_id: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['sms_id_int', 'trace_type']);
        const ids = rows.filter((r) => r.trace_type === 'sms' && r.sms_id_int).map((r) => r.sms_id_int as number);
        const alive = ids.length
          ? new Set((await self.env.cr.query<{ id: number }>(sql`SELECT id FROM sms_sms WHERE id = ANY(${ids}::int4[]) AND NOT COALESCE(to_delete, FALSE)`)).map((r) => r.id))
          : new Set<number>();
        return new Map(rows.map((r) => [r.id as number, { sms_id: r.trace_type === 'sms' && alive.has(r.sms_id_int as number) ? r.sms_id_int : false }]));
      },
    },
  },
};
