// mailing.trace as mass_mailing defines it: one recipient of one mailing (status, failure, dates).

import type { ModelSpec } from '../orm/model.ts';
import type { Selection } from '../orm/fields.ts';
import type { RecordSet } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';
import { compactTraceDaily } from './queries.ts';

export const TRACE_STATUSES: Selection = [
  ['outgoing', 'Outgoing'],
  ['process', 'Processing'],
  ['pending', 'Sent'],
  ['sent', 'Delivered'],
  ['open', 'Opened'],
  ['reply', 'Replied'],
  ['bounce', 'Bounced'],
  ['error', 'Exception'],
  ['cancel', 'Cancelled'],
];

export const TRACE_FAILURE_TYPES: Selection = [
  ['unknown', 'Unknown error'],
  ['mail_bounce', 'Bounce'],
  ['mail_spam', 'Detected As Spam'],
  ['mail_email_invalid', 'Invalid email address'],
  ['mail_email_missing', 'Missing email address'],
  ['mail_from_invalid', 'Invalid from address'],
  ['mail_from_missing', 'Missing from address'],
  ['mail_smtp', 'Connection failed (outgoing mail server problem)'],
  ['mail_bl', 'Blacklisted Address'],
  ['mail_dup', 'Duplicated Email'],
  ['mail_optout', 'Opted Out'],
];

const NOW = sql`(now() AT TIME ZONE 'UTC')`;

/** `set_*` methods: act on these traces plus those matching `domain`, return them. */
async function withDomain(self: RecordSet, domain: unknown): Promise<RecordSet> {
  if (!domain || (Array.isArray(domain) && !domain.length)) return self;
  return self.union(await self.search(domain as unknown[]));
}

export const MailingTrace: ModelSpec = {
  _name: 'mailing.trace',
  _description: 'Mailing Statistics',
  _order: 'create_date DESC',
  _sql_constraints: [['check_res_id_is_set', 'CHECK(res_id IS NOT NULL AND res_id !=0 )', 'Traces have to be linked to records with a not null res_id.']],
  _indexes: [
    // "Is any SMS of this mailing still processing?" (checked on every SMS state update) without
    // scanning its traces; empty while preparing, so bulk inserts do not maintain it.
    ['mass_mailing_process_idx', "(mass_mailing_id) WHERE trace_status = 'process'"],
  ],
  fields: {
    display_name: { type: 'char', string: 'Display Name', compute: '_compute_display_name', search: '_search_display_name', depends: ['trace_type', 'mass_mailing_id', 'id'], automatic: true },
    trace_type: { type: 'selection', string: 'Type', selection: [['mail', 'Email']], required: true, default: 'mail' },
    is_test_trace: { type: 'boolean', string: 'Generated for testing' },
    mail_mail_id_int: { type: 'integer', string: 'Mail ID (tech)', index: 'btree_not_null', help: 'ID of the related mail_mail. This field is an integer field because the related mail_mail can be deleted separately from its statistics. However the ID is needed for several action and controllers.' },
    email: { type: 'char', string: 'Email', help: 'Normalized email address' },
    message_id: { type: 'char', string: 'Message-ID', help: 'Technical field for the email Message-ID' },
    medium_id: { type: 'many2one', comodel: 'utm.medium', string: 'Medium', related: 'mass_mailing_id.medium_id', readonly: true },
    source_id: { type: 'many2one', comodel: 'utm.source', string: 'Source', related: 'mass_mailing_id.source_id', readonly: true },
    model: { type: 'char', string: 'Document model', required: true },
    res_id: { type: 'many2one_reference', string: 'Document ID' },
    // Indexed (statistics, remaining recipients): one key per mailing, so bulk inserts append.
    mass_mailing_id: { type: 'many2one', comodel: 'mailing.mailing', string: 'Mailing', ondelete: 'cascade', index: true },
    // Stored copy of the mailing's campaign (kept in sync by mailing.mailing's write).
    campaign_id: { type: 'many2one', comodel: 'utm.campaign', string: 'Campaign', related: 'mass_mailing_id.campaign_id', store: true, readonly: true, index: 'btree_not_null' },
    sent_datetime: { type: 'datetime', string: 'Sent On' },
    open_datetime: { type: 'datetime', string: 'Opened On' },
    reply_datetime: { type: 'datetime', string: 'Replied On' },
    trace_status: { type: 'selection', string: 'Status', selection: TRACE_STATUSES, default: 'outgoing' },
    failure_type: { type: 'selection', string: 'Failure type', selection: TRACE_FAILURE_TYPES },
    failure_reason: { type: 'text', string: 'Failure reason', readonly: true, copy: false },
    links_click_ids: { type: 'one2many', comodel: 'link.tracker.click', inverseName: 'mailing_trace_id', string: 'Links click' },
    links_click_datetime: { type: 'datetime', string: 'Clicked On', help: 'Stores last click datetime in case of multi clicks.' },
  },
  methods: {
    // Daily vacuum: fold the per-day trace counts of mailings whose report nobody opened.
    _gc_trace_daily: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet) => {
        await self.env.cr.execute(compactTraceDaily(null));
        return null;
      },
    },
    _compute_display_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        // "<type>: <mailing name> (<id>)", the name being the mailing's source name.
        const rows = await self.env.cr.query<{ id: number; trace_type: string | null; name: string | null }>(sql`
          SELECT t.id, t.trace_type, s.name FROM mailing_trace t LEFT JOIN mailing_mailing m ON m.id = t.mass_mailing_id LEFT JOIN utm_source s ON s.id = m.source_id
          WHERE t.id = ANY(${self.ids}::int4[])`);
        return new Map(rows.map((r) => [r.id, { display_name: `${r.trace_type ?? ''}: ${r.name ?? ''} (${r.id})` }]));
      },
    },
    set_sent: {
      api: 'record',
      params: [['domain', null]],
      fn: async (self: RecordSet, domain: unknown) => {
        const traces = await withDomain(self, domain);
        await traces.write({ trace_status: 'sent', sent_datetime: new Date(), failure_type: false });
        return traces;
      },
    },
    set_opened: {
      api: 'record',
      params: [['domain', null]],
      fn: async (self: RecordSet, domain: unknown) => {
        const traces = await withDomain(self, domain);
        const rows = await traces.fetch(['trace_status']);
        const todo = traces.browse(rows.filter((r) => r.trace_status !== 'open' && r.trace_status !== 'reply').map((r) => r.id as number));
        await todo.write({ trace_status: 'open', open_datetime: new Date() });
        return traces;
      },
    },
    set_clicked: {
      api: 'record',
      params: [['domain', null]],
      fn: async (self: RecordSet, domain: unknown) => {
        const traces = await withDomain(self, domain);
        await traces.write({ links_click_datetime: new Date() });
        return traces;
      },
    },
    set_replied: {
      api: 'record',
      params: [['domain', null]],
      fn: async (self: RecordSet, domain: unknown) => {
        const traces = await withDomain(self, domain);
        await traces.write({ trace_status: 'reply', reply_datetime: new Date() });
        return traces;
      },
    },
    set_bounced: {
      api: 'record',
      params: [['domain', null], ['bounce_message', false]],
      fn: async (self: RecordSet, domain: unknown, bounceMessage: unknown) => {
        const traces = await withDomain(self, domain);
        await traces.write({ trace_status: 'bounce', failure_type: 'mail_bounce', failure_reason: bounceMessage || false });
        return traces;
      },
    },
    set_failed: {
      api: 'record',
      params: [['domain', null], ['failure_type', false]],
      fn: async (self: RecordSet, domain: unknown, failureType: unknown) => {
        const traces = await withDomain(self, domain);
        await traces.write({ trace_status: 'error', failure_type: failureType || false });
        return traces;
      },
    },
    set_canceled: {
      api: 'record',
      params: [['domain', null]],
      fn: async (self: RecordSet, domain: unknown) => {
        const traces = await withDomain(self, domain);
        await traces.write({ trace_status: 'cancel' });
        return traces;
      },
    },
    action_view_contact: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        self.ensureOne();
        const [r] = await self.fetch(['model', 'res_id']);
        return { type: 'ir.actions.act_window', view_mode: 'form', res_model: r.model, target: 'current', res_id: r.res_id };
      },
    },
  },
};


export { NOW };
