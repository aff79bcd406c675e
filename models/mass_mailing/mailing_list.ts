// mailing.list: a list of mailing contacts (membership = mailing.subscription rows), with its
// statistics computed by ONE aggregate query for all the lists of a batch.
//
// Counters (mass_mailing + mass_mailing_sms), per list:
//   contact_count              subscriptions
//   contact_count_email        with an email, not opted out (no email blacklist in this product)
//   contact_count_sms          with a sanitised phone, not opted out, not phone-blacklisted
//   contact_count_opt_out      opted out of this list
//   contact_count_blacklisted  phone-blacklisted (Odoo: email OR phone blacklisted; no email
//                              blacklist here)
//   contact_pct_*              percentages of contact_count (bounce: contacts with message_bounce)
// `mailing_count` / `mailing_ids` belong to the mailing.mailing extension.

import type { ModelSpec } from '../orm/model.ts';
import type { FieldSpec } from '../orm/fields.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';
import { UserError } from '../orm/exceptions.ts';

const STAT = (string: string, type: 'integer' | 'float' = 'integer'): FieldSpec => ({
  type, string, compute: '_compute_mailing_list_statistics', depends: ['contact_ids'],
});

interface Stats {
  id: number;
  contact_count: number;
  contact_count_email: number;
  contact_count_opt_out: number;
  contact_count_blacklisted: number;
  contact_count_sms: number;
  bounce: number;
}

/** Every counter of every list of `self`: one GROUP BY over the subscriptions. */
async function fetchStatistics(self: RecordSet): Promise<Map<number, Stats>> {
  const rows = await self.env.cr.query<Stats>(sql`
    SELECT r.list_id AS id,
           COUNT(*) AS contact_count,
           COUNT(*) FILTER (WHERE c.email_normalized IS NOT NULL AND NOT COALESCE(r.opt_out, FALSE)) AS contact_count_email,
           COUNT(*) FILTER (WHERE COALESCE(r.opt_out, FALSE)) AS contact_count_opt_out,
           COUNT(*) FILTER (WHERE bl.id IS NOT NULL) AS contact_count_blacklisted,
           COUNT(*) FILTER (WHERE c.phone_sanitized IS NOT NULL AND NOT COALESCE(r.opt_out, FALSE) AND bl.id IS NULL) AS contact_count_sms,
           COUNT(*) FILTER (WHERE c.message_bounce > 0) AS bounce
      FROM mailing_subscription r
      JOIN mailing_contact c ON c.id = r.contact_id
      LEFT JOIN phone_blacklist bl ON bl.number = c.phone_sanitized AND bl.active
     WHERE r.list_id = ANY(${self.ids}::int4[])
     GROUP BY r.list_id`);
  return new Map(rows.map((r) => [r.id, r]));
}

export const MailingList: ModelSpec = {
  _name: 'mailing.list',
  _description: 'Mailing List',
  _order: 'create_date DESC',
  fields: {
    display_name: { type: 'char', string: 'Display Name', compute: '_compute_display_name', search: '_search_display_name', depends: ['contact_count', 'name'], automatic: true },
    name: { type: 'char', string: 'Mailing List', required: true },
    active: { type: 'boolean', string: 'Active', default: true },
    contact_count: STAT('Number of Contacts'),
    contact_count_email: STAT('Number of Emails'),
    contact_count_opt_out: STAT('Number of Opted-out'),
    contact_pct_opt_out: STAT('Percentage of Opted-out', 'float'),
    contact_count_blacklisted: STAT('Number of Blacklisted'),
    contact_pct_blacklisted: STAT('Percentage of Blacklisted', 'float'),
    contact_pct_bounce: STAT('Percentage of Bouncing', 'float'),
    contact_count_sms: STAT('SMS Contacts'),
    contact_ids: {
      type: 'many2many', comodel: 'mailing.contact', relation: 'mailing_subscription', column1: 'list_id', column2: 'contact_id',
      string: 'Mailing Lists', copy: false,
    },
    subscription_ids: {
      type: 'one2many', comodel: 'mailing.subscription', inverseName: 'list_id', string: 'Subscription Information', copy: true, depends: ['contact_ids'],
    },
    is_public: {
      type: 'boolean', string: 'Show In Preferences', default: true,
      help: 'The mailing list can be accessible by recipients in the subscription management page to allows them to update their preferences.',
    },
  },
  methods: {
    _compute_mailing_list_statistics: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const stats = await fetchStatistics(self);
        const out = new Map<number, Vals>();
        for (const id of self.ids) {
          const s = stats.get(id);
          const total = s?.contact_count ?? 0;
          const pct = (n: number) => (total ? (100 * n) / total : 0);
          out.set(id, {
            contact_count: total,
            contact_count_email: s?.contact_count_email ?? 0,
            contact_count_opt_out: s?.contact_count_opt_out ?? 0,
            contact_count_blacklisted: s?.contact_count_blacklisted ?? 0,
            contact_count_sms: s?.contact_count_sms ?? 0,
            contact_pct_opt_out: pct(s?.contact_count_opt_out ?? 0),
            contact_pct_blacklisted: pct(s?.contact_count_blacklisted ?? 0),
            contact_pct_bounce: pct(s?.bounce ?? 0),
          });
        }
        return out;
      },
    },
    // "Newsletter (12)": name and number of contacts.
    _compute_display_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ id: number; name: string | null; n: number }>(sql`
          SELECT l.id, l.name, (SELECT COUNT(*) FROM mailing_subscription r WHERE r.list_id = l.id) AS n
          FROM mailing_list l WHERE l.id = ANY(${self.ids}::int4[])`);
        return new Map<number, Vals>(rows.map((r) => [r.id, { display_name: `${r.name ?? ''} (${r.n})` }]));
      },
    },
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: Vals) {
        if (vals && typeof vals === 'object' && 'active' in vals && !vals.active && self.ids.length) {
          const ongoing = await self.env.model('mailing.mailing').searchCount([['state', '!=', 'done'], ['contact_list_ids', 'in', self.ids]]);
          if (ongoing > 0) throw new UserError('At least one of the mailing list you are trying to archive is used in an ongoing mailing campaign.');
        }
        return this.super(vals);
      },
    },
    // "<name> (copy)" with the same subscriptions (opt-outs included, dated now).
    copy: {
      api: 'record',
      params: [['default', null]],
      async fn(self: RecordSet, defaults: unknown) {
        const [rec] = await self.ensureOne().fetch(['name']);
        if (!rec) throw self.missingError(self.ids, []);
        const copied = (await this.super({ ...((defaults as Vals) || {}), name: `${rec.name ?? ''} (copy)` })) as RecordSet;
        const newId = copied.ids[0];
        await self.env.cr.execute(sql`
          INSERT INTO mailing_subscription (contact_id, list_id, opt_out, opt_out_reason_id, opt_out_datetime, create_uid, write_uid, create_date, write_date)
          SELECT contact_id, ${newId}::int4, opt_out, opt_out_reason_id, CASE WHEN opt_out THEN now() AT TIME ZONE 'UTC' END,
                 ${self.env.uid}::int4, ${self.env.uid}::int4, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM mailing_subscription WHERE list_id = ${self.ids[0]}::int4
          ON CONFLICT DO NOTHING`);
        return copied;
      },
    },
  },
};
