// Figures of the report pages of a mailing and of a campaign (/sms_marketing/...): the mailing's
// statistics as its fields give them over RPC (read as the user, so access rights apply), the
// cancelled and failed traces by reason, deliveries and clicks per day, and the credits spent.
// Every figure is one aggregate query: never a row per recipient.

import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';
import { MissingError } from '../orm/exceptions.ts';

export const FUNNEL_FIELDS = ['expected', 'sent', 'delivered', 'clicked', 'canceled', 'bounced', 'failed', 'scheduled', 'pending'] as const;

export interface ReasonCount {
  reason: string;
  label: string;
  count: number;
}

export interface DayCount {
  day: string;
  sent: number;
  delivered: number;
  clicked: number;
}

export interface MailingFigures {
  id: number;
  name: string;
  subject: string;
  state: string;
  stateLabel: string;
  sentDate: string | false;
  campaign: [number, string] | false;
  abTesting: boolean;
  stats: Record<(typeof FUNNEL_FIELDS)[number], number> & { clicks_ratio: number; received_ratio: number; bounced_ratio: number };
  canceledBy: ReasonCount[];
  failedBy: ReasonCount[];
  perDay: DayCount[];
  credits: number;
}

const READ = ['subject', 'display_name', 'state', 'sent_date', 'campaign_id', 'ab_testing_enabled', ...FUNNEL_FIELDS, 'clicks_ratio', 'received_ratio', 'bounced_ratio'];

function labelOf(selection: unknown, value: string | null): string {
  if (!value) return 'Unknown';
  const found = (selection as [string, string][] | undefined)?.find(([v]) => v === value);
  return found ? found[1] : value;
}

/**
 * Figures of mailings `ids`, in that order, read as `env`'s user: an AccessError (or MissingError)
 * when the user may not read one of them, exactly as over RPC.
 */
export async function mailingFigures(env: Env, ids: number[]): Promise<MailingFigures[]> {
  if (!ids.length) return [];
  const mailings = env.model('mailing.mailing').browse(ids);
  const rows = await mailings.read(READ);
  if (rows.length !== new Set(ids).size) throw new MissingError('Record does not exist or has been deleted.');
  const traceModel = env.registry.get('mailing.trace');
  const failureSel = traceModel.fields.get('failure_type')?.spec.selection;
  const stateSel = env.registry.get('mailing.mailing').fields.get('state')?.spec.selection;
  // The user could read the mailings: their traces and SMS are aggregated without per-row checks.
  const reasons = await env.cr.query<{ id: number; status: string; reason: string | null; n: number }>(sql`
    SELECT mass_mailing_id AS id, trace_status AS status, failure_type AS reason, count(*)::int AS n
    FROM mailing_trace WHERE mass_mailing_id = ANY(${ids}::int4[]) AND trace_status IN ('cancel', 'error', 'bounce')
    GROUP BY 1, 2, 3 ORDER BY 4 DESC, 3`);
  const days = await env.cr.query<{ id: number; day: string; sent: number; delivered: number; clicked: number }>(sql`
    WITH d AS (
      SELECT mass_mailing_id AS id, sent_datetime::date AS day, count(*)::int AS sent,
             count(*) FILTER (WHERE trace_status IN ('sent', 'open', 'reply'))::int AS delivered, 0 AS clicked
      FROM mailing_trace WHERE mass_mailing_id = ANY(${ids}::int4[]) AND sent_datetime IS NOT NULL GROUP BY 1, 2
      UNION ALL
      SELECT mass_mailing_id, links_click_datetime::date, 0, 0, count(*)::int
      FROM mailing_trace WHERE mass_mailing_id = ANY(${ids}::int4[]) AND links_click_datetime IS NOT NULL GROUP BY 1, 2
    )
    SELECT id, to_char(day, 'YYYY-MM-DD') AS day, sum(sent)::int AS sent, sum(delivered)::int AS delivered, sum(clicked)::int AS clicked
    FROM d GROUP BY id, day ORDER BY id, day`);
  const credits = await env.cr.query<{ id: number; credits: string }>(sql`
    SELECT mailing_id AS id, COALESCE(sum(credit), 0)::text AS credits FROM sms_sms WHERE mailing_id = ANY(${ids}::int4[]) GROUP BY 1`);
  return rows.map((r) => {
    const id = r.id as number;
    const mine = reasons.filter((x) => x.id === id);
    const by = (statuses: string[]) => {
      const acc = new Map<string, number>();
      for (const x of mine.filter((m) => statuses.includes(m.status))) acc.set(x.reason ?? '', (acc.get(x.reason ?? '') ?? 0) + x.n);
      return [...acc].map(([reason, count]) => ({ reason, label: labelOf(failureSel, reason || null), count }));
    };
    const stats = Object.fromEntries([...FUNNEL_FIELDS, 'clicks_ratio', 'received_ratio', 'bounced_ratio'].map((f) => [f, Number(r[f] ?? 0)])) as MailingFigures['stats'];
    return {
      id,
      name: String(r.display_name || r.subject || ''),
      subject: String(r.subject || ''),
      state: String(r.state),
      stateLabel: labelOf(stateSel, r.state as string),
      sentDate: (r.sent_date as string | false) ?? false,
      campaign: (r.campaign_id as [number, string] | false) ?? false,
      abTesting: !!r.ab_testing_enabled,
      stats,
      canceledBy: by(['cancel']),
      failedBy: by(['error', 'bounce']),
      perDay: days.filter((d) => d.id === id).map(({ day, sent, delivered, clicked }) => ({ day, sent, delivered, clicked })),
      credits: Number(credits.find((c) => c.id === id)?.credits ?? 0),
    };
  });
}

export interface CampaignFigures {
  id: number;
  name: string;
  mailings: MailingFigures[];
  winner: number | false;
}

/** A campaign and its SMS mailings (variants first by id), read as `env`'s user. */
export async function campaignFigures(env: Env, id: number): Promise<CampaignFigures> {
  const [campaign] = await env.model('utm.campaign').browse([id]).read(['display_name', 'ab_testing_winner_mailing_id']);
  if (!campaign) throw new MissingError('Record does not exist or has been deleted.');
  const mailings = await env.model('mailing.mailing').search([['campaign_id', '=', id], ['mailing_type', '=', 'sms']], { order: 'id' });
  const winner = campaign.ab_testing_winner_mailing_id as [number, string] | false;
  return { id, name: String(campaign.display_name), mailings: await mailingFigures(env, mailings.ids), winner: winner ? winner[0] : false };
}
