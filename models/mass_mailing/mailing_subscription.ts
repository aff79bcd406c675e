// mailing.subscription: a contact's membership of a list, with its opt-out state. Its table
// `mailing_subscription` is also the relation table of list.contact_ids / contact.list_ids: rows
// added through those many2many fields only get (list_id, contact_id) and read as not opted out
// (NULL opt_out, as in Odoo, hence the COALESCE in the list statistics).

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { toColumn } from '../orm/fields_convert.ts';
import { sql } from '../orm/sql.ts';
import { formatDatetime } from '../orm/fields.ts';

function forceOptOut(vals: Vals): Vals {
  if (!vals || typeof vals !== 'object') return vals;
  return vals.opt_out_datetime || vals.opt_out_reason_id ? { ...vals, opt_out: true } : { ...vals };
}

export const MailingSubscription: ModelSpec = {
  _name: 'mailing.subscription',
  _description: 'Mailing List Subscription',
  _table: 'mailing_subscription',
  _rec_name: 'contact_id',
  _order: 'list_id DESC, contact_id DESC',
  _sql_constraints: [['unique_contact_list', 'unique (contact_id, list_id)', 'A mailing contact cannot subscribe to the same mailing list multiple times.']],
  fields: {
    contact_id: { type: 'many2one', comodel: 'mailing.contact', string: 'Contact', required: true, ondelete: 'cascade' },
    list_id: { type: 'many2one', comodel: 'mailing.list', string: 'Mailing List', required: true, index: true, ondelete: 'cascade' },
    opt_out: { type: 'boolean', string: 'Opt Out', default: false, help: 'The contact has chosen not to receive mails anymore from this list' },
    opt_out_reason_id: { type: 'many2one', comodel: 'mailing.subscription.optout', string: 'Reason', ondelete: 'restrict' },
    opt_out_datetime: { type: 'datetime', string: 'Unsubscription Date', compute: '_compute_opt_out_datetime', store: true, readonly: false, depends: ['opt_out'] },
    message_bounce: { type: 'integer', string: 'Bounce', related: 'contact_id.message_bounce', store: false, readonly: false },
    is_blacklisted: { type: 'boolean', string: 'Blacklist', related: 'contact_id.is_blacklisted', store: false, readonly: false },
  },
  methods: {
    // Now (transaction time) when opted out, empty otherwise.
    _compute_opt_out_datetime: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ id: number; opt_out: boolean | null; now: string }>(sql`
          SELECT id, opt_out, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS now
          FROM mailing_subscription WHERE id = ANY(${self.ids}::int4[])`);
        return new Map<number, Vals>(rows.map((r) => [r.id, { opt_out_datetime: r.opt_out ? r.now : false }]));
      },
    },
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(_self: RecordSet, valsList: unknown) {
        const list = ((Array.isArray(valsList) ? valsList : [valsList]) as Vals[]).map(forceOptOut);
        // The ORM computes a stored field at create only when no record of the batch gives it.
        if (list.some((v) => v && 'opt_out_datetime' in v) && list.some((v) => v && !('opt_out_datetime' in v))) {
          const now = formatDatetime(new Date());
          for (const v of list) if (v && !('opt_out_datetime' in v)) v.opt_out_datetime = v.opt_out ? now : false;
        }
        return this.super(list);
      },
    },
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: Vals) {
        const forced = forceOptOut(vals);
        const res = await this.super(forced);
        // A date given with opt_out keeps its value (the recompute triggered by opt_out ran after).
        if (forced && typeof forced === 'object' && 'opt_out_datetime' in forced && 'opt_out' in forced && self.ids.length) {
          const value = toColumn(self.field('opt_out_datetime'), forced.opt_out_datetime);
          await self.env.cr.execute(sql`UPDATE mailing_subscription SET opt_out_datetime = ${value}::timestamp WHERE id = ANY(${self.ids}::int4[])`);
        }
        return res;
      },
    },
    open_mailing_contact: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['contact_id']);
        const contactIds = [...new Set(rows.map((r) => r.contact_id as number).filter(Boolean))];
        if (self.ids.length === 1) {
          return { name: 'Mailing Contact', type: 'ir.actions.act_window', view_mode: 'form', domain: [['id', 'in', contactIds]], res_model: 'mailing.contact', res_id: contactIds[0] ?? false };
        }
        return { name: 'Mailing Contacts', type: 'ir.actions.act_window', view_mode: 'list,form', domain: [['id', 'in', contactIds]], res_model: 'mailing.contact' };
      },
    },
  },
};
