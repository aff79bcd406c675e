// mass_mailing / mass_mailing_sms additions to utm.campaign: its mailings (email / SMS), A/B
// testing settings and the campaign-wide ratios.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';
import { actionForXmlId, defaultAbTestingSchedule } from '../mass_mailing/ab_testing.ts';
import { campaignTraceCounts } from '../mass_mailing/queries.ts';

/** Context of the campaign's SMS actions: new mailings are SMS of this campaign, by the current user. */
function smsContext(self: RecordSet): Vals {
  return { default_campaign_id: self.ids[0], default_mailing_type: 'sms', search_default_assigned_to_me: 1, search_default_campaign_id: self.ids[0], default_user_id: self.env.uid };
}

/** Active mailings of the campaigns by type, in one query: campaign → type → ids. */
async function mailingsByType(self: RecordSet): Promise<Map<number, Record<string, number[]>>> {
  const rows = await self.env.cr.query<{ c: number; t: string; id: number }>(sql`SELECT campaign_id AS c, mailing_type AS t, id FROM mailing_mailing WHERE campaign_id = ANY(${self.ids}::int4[]) AND active ORDER BY id`);
  const out = new Map<number, Record<string, number[]>>(self.ids.map((id) => [id, {}]));
  for (const r of rows) (out.get(r.c)![r.t] ??= []).push(r.id);
  return out;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export const UtmCampaignMailing: ModelSpec = {
  _name: 'utm.campaign',
  _inherit: 'utm.campaign',
  fields: {
    mailing_mail_ids: { type: 'one2many', comodel: 'mailing.mailing', inverseName: 'campaign_id', string: 'Mass Mailings', compute: '_compute_mailing_ids', store: true, readonly: false, domain: [['mailing_type', '=', 'mail']] },
    mailing_mail_count: { type: 'integer', string: 'Number of Mass Mailing', compute: '_compute_mailing_counts', depends: ['mailing_mail_ids'] },
    mailing_sms_ids: { type: 'one2many', comodel: 'mailing.mailing', inverseName: 'campaign_id', string: 'Mass SMS', compute: '_compute_mailing_ids', store: true, readonly: false, domain: [['mailing_type', '=', 'sms']], groups: 'mass_mailing.group_mass_mailing_user' },
    mailing_sms_count: { type: 'integer', string: 'Number of Mass SMS', compute: '_compute_mailing_counts', depends: ['mailing_sms_ids'], groups: 'mass_mailing.group_mass_mailing_user' },
    is_mailing_campaign_activated: { type: 'boolean', string: 'Is Mailing Campaign Activated', compute: '_compute_is_mailing_campaign_activated' },
    ab_testing_mailings_count: { type: 'integer', string: 'A/B Test Mailings #', compute: '_compute_mailing_counts', depends: ['mailing_mail_ids'] },
    ab_testing_mailings_sms_count: { type: 'integer', string: 'A/B Test Mailings SMS #', compute: '_compute_mailing_counts', depends: ['mailing_sms_ids'] },
    ab_testing_completed: { type: 'boolean', string: 'A/B Testing Campaign Finished', compute: '_compute_ab_testing_completed', store: true, copy: false, depends: ['ab_testing_winner_mailing_id'] },
    ab_testing_winner_mailing_id: { type: 'many2one', comodel: 'mailing.mailing', string: 'A/B Campaign Winner Mailing', copy: false },
    ab_testing_schedule_datetime: { type: 'datetime', string: 'Send Final On', default: defaultAbTestingSchedule, help: 'Date that will be used to know when to determine and send the winner mailing' },
    ab_testing_winner_selection: { type: 'selection', string: 'Winner Selection', selection: [['manual', 'Manual'], ['opened_ratio', 'Highest Open Rate'], ['clicks_ratio', 'Highest Click Rate'], ['replied_ratio', 'Highest Reply Rate']], default: 'opened_ratio', help: 'Selection to determine the winner mailing that will be sent.' },
    ab_testing_sms_winner_selection: { type: 'selection', string: 'SMS Winner Selection', selection: [['manual', 'Manual'], ['clicks_ratio', 'Highest Click Rate']], default: 'clicks_ratio' },
    received_ratio: { type: 'float', string: 'Received Ratio', compute: '_compute_campaign_statistics' },
    opened_ratio: { type: 'float', string: 'Opened Ratio', compute: '_compute_campaign_statistics' },
    replied_ratio: { type: 'float', string: 'Replied Ratio', compute: '_compute_campaign_statistics' },
    bounced_ratio: { type: 'float', string: 'Bounced Ratio', compute: '_compute_campaign_statistics' },
  },
  methods: {
    _compute_mailing_ids: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const byType = await mailingsByType(self);
        return new Map(self.ids.map((id) => [id, { mailing_mail_ids: byType.get(id)?.mail ?? [], mailing_sms_ids: byType.get(id)?.sms ?? [] }]));
      },
    },
    _compute_mailing_counts: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ c: number; t: string; ab: boolean; n: number }>(sql`
          SELECT campaign_id AS c, mailing_type AS t, ab_testing_enabled AS ab, count(*)::int AS n FROM mailing_mailing
          WHERE campaign_id = ANY(${self.ids}::int4[]) AND active GROUP BY 1, 2, 3`);
        const out = new Map<number, Vals>(self.ids.map((id) => [id, { mailing_mail_count: 0, mailing_sms_count: 0, ab_testing_mailings_count: 0, ab_testing_mailings_sms_count: 0 }]));
        for (const r of rows) {
          const v = out.get(r.c)!;
          if (r.t === 'mail') {
            v.mailing_mail_count = (v.mailing_mail_count as number) + r.n;
            if (r.ab) v.ab_testing_mailings_count = (v.ab_testing_mailings_count as number) + r.n;
          } else if (r.t === 'sms') {
            v.mailing_sms_count = (v.mailing_sms_count as number) + r.n;
            if (r.ab) v.ab_testing_mailings_sms_count = (v.ab_testing_mailings_sms_count as number) + r.n;
          }
        }
        return out;
      },
    },
    _compute_is_mailing_campaign_activated: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => new Map(self.ids.map((id) => [id, { is_mailing_campaign_activated: false }])),
    },
    _compute_ab_testing_completed: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => new Map((await self.fetch(['ab_testing_winner_mailing_id'])).map((r) => [r.id as number, { ab_testing_completed: !!r.ab_testing_winner_mailing_id }])),
    },
    _compute_campaign_statistics: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => campaignStatistics(self.env, self.ids),
    },
    action_create_mass_sms: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => ({ ...(await actionForXmlId(self.env, 'mass_mailing.action_create_mass_mailings_from_campaign')), context: smsContext(self) }),
    },
    action_redirect_to_mailing_sms: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => ({ ...(await actionForXmlId(self.env, 'mass_mailing_sms.mailing_mailing_action_sms')), context: smsContext(self), domain: [['mailing_type', '=', 'sms']] }),
    },
    /**
     * The A/B cron (`mass_mailing.ir_cron_mass_mailing_ab_testing`): every campaign past its final
     * send date and not completed, whose winner is chosen automatically, sends its winner once one
     * A/B mailing is done. Odoo's SMS pass filters on the email selection; we use the SMS one.
     */
    _cron_process_mass_mailing_ab_testing: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet) => {
        const env = self.env;
        const due = await env.cr.query<{ c: number; mailing_type: string; ids: number[] }>(sql`
          SELECT c.id AS c, m.mailing_type, array_agg(m.id ORDER BY m.calendar_date DESC NULLS LAST, m.id) AS ids
          FROM utm_campaign c JOIN mailing_mailing m ON m.campaign_id = c.id AND m.ab_testing_enabled AND m.active
          WHERE c.ab_testing_schedule_datetime <= (now() AT TIME ZONE 'UTC') AND NOT COALESCE(c.ab_testing_completed, FALSE)
            AND ((m.mailing_type = 'mail' AND c.ab_testing_winner_selection <> 'manual') OR (m.mailing_type = 'sms' AND c.ab_testing_sms_winner_selection <> 'manual'))
          GROUP BY c.id, m.mailing_type
          HAVING bool_or(m.state = 'done')
          ORDER BY c.id`);
        const done: number[] = [];
        for (const row of due) {
          if (done.includes(row.c)) continue;
          await env.model('mailing.mailing').browse(row.ids).call('action_send_winner_mailing');
          done.push(row.c);
        }
        return done;
      },
    },
  },
};

/** Campaign ratios from all its traces: total = expected − cancel, delivered = sent − bounce. */
async function campaignStatistics(env: Env, ids: number[]): Promise<Map<number, Vals>> {
  const out = new Map<number, Vals>(ids.map((id) => [id, { received_ratio: 0, opened_ratio: 0, replied_ratio: 0, bounced_ratio: 0 }]));
  const rows = await env.cr.query<{ c: number; expected: number; canceled: number; sent: number; bounced: number; opened: number; replied: number }>(campaignTraceCounts(ids));
  for (const r of rows) {
    const total = r.expected - r.canceled || 1;
    const delivered = r.sent - r.bounced;
    out.set(r.c, {
      received_ratio: round2((100 * delivered) / total),
      opened_ratio: round2((100 * r.opened) / total),
      replied_ratio: round2((100 * r.replied) / total),
      bounced_ratio: round2((100 * r.bounced) / total),
    });
  }
  return out;
}
