// mass_mailing / mass_mailing_sms additions to mailing.list: its mailings, the default recipient
// domain and opt-out rule of list mailings, and "Send SMS" from a list.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import { sql, type SQL } from '../orm/sql.ts';

async function listIdsOf(mailing: RecordSet): Promise<number[]> {
  if (!mailing?.ids?.length) return [];
  const rows = await mailing.env.cr.query<{ id: number }>(sql`SELECT mailing_list_id AS id FROM mail_mass_mailing_list_rel WHERE mailing_mailing_id = ${mailing.ids[0]} ORDER BY mailing_list_id`);
  return rows.map((r) => r.id);
}

/**
 * Contacts opted out of the targeted lists: an opted-out subscription on one of them and an
 * opted-in one on none (opted in on any targeted list wins), as `_mailing_get_opt_out_list_sms`.
 */
function optOutQuery(listIds: number[]): SQL {
  return sql`SELECT s.contact_id FROM mailing_subscription s WHERE s.list_id = ANY(${listIds}::int4[]) GROUP BY s.contact_id HAVING bool_and(COALESCE(s.opt_out, FALSE))`;
}

export const MailingListMailing: ModelSpec = {
  _name: 'mailing.list',
  _inherit: 'mailing.list',
  fields: {
    mailing_ids: { type: 'many2many', comodel: 'mailing.mailing', relation: 'mail_mass_mailing_list_rel', column1: 'mailing_list_id', column2: 'mailing_mailing_id', string: 'Mass Mailings', copy: false },
    mailing_count: { type: 'integer', string: 'Number of Mailing', compute: '_compute_mailing_count', depends: ['mailing_ids'] },
  },
  methods: {
    _compute_mailing_count: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ id: number; n: number }>(sql`SELECT mailing_list_id AS id, count(*)::int AS n FROM mail_mass_mailing_list_rel WHERE mailing_list_id = ANY(${self.ids}::int4[]) GROUP BY mailing_list_id`);
        const counts = new Map(rows.map((r) => [r.id, r.n]));
        return new Map(self.ids.map((id) => [id, { mailing_count: counts.get(id) ?? 0 }]));
      },
    },
    /** Recipients of a list mailing: contacts of its lists (`[('list_ids', 'in', [])]` without lists). */
    _mailing_get_default_domain: {
      api: 'model',
      private: true,
      fn: async (_self: RecordSet, mailing: RecordSet) => [['list_ids', 'in', await listIdsOf(mailing)]],
    },
    _mailing_get_opt_out_list_sms: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet, mailing: RecordSet) => {
        const lists = self.ids.length ? self.ids : await listIdsOf(mailing);
        if (!lists.length) return [];
        return (await self.env.cr.query<{ contact_id: number }>(optOutQuery(lists))).map((r) => r.contact_id);
      },
    },
    /** Same as `_mailing_get_opt_out_list_sms`, as SQL for the set-based preparation. */
    _mailing_get_opt_out_query_sms: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet, mailing: RecordSet) => {
        const lists = self.ids.length ? self.ids : await listIdsOf(mailing);
        return lists.length ? optOutQuery(lists) : null;
      },
    },
    action_send_mailing_sms: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        const model = await self.env.cr.query<{ id: number }>(sql`SELECT id FROM ir_model WHERE model = 'mailing.list'`);
        return {
          type: 'ir.actions.act_window',
          name: 'SMS Marketing',
          res_model: 'mailing.mailing',
          view_mode: 'form',
          views: [[false, 'form']],
          target: 'current',
          view_type: 'form',
          context: { default_contact_list_ids: self.ids, default_model_id: model[0]?.id ?? false, default_mailing_type: 'sms' },
        };
      },
    },
  },
};
