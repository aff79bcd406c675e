// Figures of the report pages of a mailing and of a campaign (/sms_marketing/...): the mailing's
// statistics as its fields give them over RPC (read as the user, so access rights apply), the
// cancelled and failed traces by reason, deliveries and clicks per day, and the credits spent.
// Every figure is one aggregate query: never a row per recipient (traces: their per-day counts).

import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';
import { MissingError } from '../orm/exceptions.ts';
import { compactTraceDaily, type TraceDailyCount } from '../mass_mailing/queries.ts';

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

const READ = ['subject', 'display_name', 'state', 'sent_date', 'campaign_id', 'ab_testing_enabled'];
const round2 = (x: number) => Math.round(x * 100) / 100;

function labelOf(selection: unknown, value: string | null): string {
  if (!value) return 'Unknown';
  const found = (selection as [string, string][] | undefined)?.find(([v]) => v === value);
  return found ? found[1] : value;
}

/**
 * Figures of mailings `ids`, in that order, read as `env`'s user: an AccessError (or MissingError)
 * when the user may not read one of them, exactly as over RPC. The statistics follow the
 * mailing's statistic fields (mailing.mailing _compute_statistics), from one pass over the traces.
 */
export async function mailingFigures(env: Env, ids: number[]): Promise<MailingFigures[]> {
  if (!ids.length) return [];
  const mailings = env.model('mailing.mailing').browse(ids);
  const rows = await mailings.read(READ);
  if (rows.length !== new Set(ids).size) throw new MissingError('Record does not exist or has been deleted.');
  const failureSel = env.registry.get('mailing.trace').fields.get('failure_type')?.spec.selection;
  const stateSel = env.registry.get('mailing.mailing').fields.get('state')?.spec.selection;
  // The user could read the mailings: their traces are counted from the per-day counts the
  // triggers keep (mailing_trace_daily), a few hundred groups for any size.
  const groups = await env.cr.query<TraceDailyCount>(compactTraceDaily(ids));
  const credits = await env.cr.query<{ id: number; credits: string }>(sql`
    SELECT mailing_id AS id, COALESCE(sum(credit), 0)::text AS credits FROM sms_sms WHERE mailing_id = ANY(${ids}::int4[]) GROUP BY 1`);
  return rows.map((r) => {
    const id = r.id as number;
    const mine = groups.filter((g) => g.id === id);
    const a = { expected: 0, sent: 0, delivered: 0, clicked: 0, canceled: 0, bounced: 0, failed: 0, scheduled: 0, pending: 0, clickable: 0, clickedReached: 0 };
    const days = new Map<string, DayCount>();
    const day = (d: string) => days.get(d) ?? days.set(d, { day: d, sent: 0, delivered: 0, clicked: 0 }).get(d)!;
    const reasons = { cancel: new Map<string, number>(), failed: new Map<string, number>() };
    for (const g of mine) {
      const delivered = g.status === 'sent' || g.status === 'open' || g.status === 'reply';
      a.expected += g.n;
      if (g.sent_day) {
        a.sent += g.n;
        day(g.sent_day).sent += g.n;
        if (delivered) day(g.sent_day).delivered += g.n;
      }
      if (g.click_day) {
        a.clicked += g.n;
        day(g.click_day).clicked += g.n;
      }
      if (delivered) a.delivered += g.n;
      if (g.status === 'outgoing') a.scheduled += g.n;
      else if (g.status === 'pending') a.pending += g.n;
      else if (g.status === 'cancel') a.canceled += g.n;
      else if (g.status === 'bounce') a.bounced += g.n;
      else if (g.status === 'error') a.failed += g.n;
      if (g.status === 'cancel') reasons.cancel.set(g.reason ?? '', (reasons.cancel.get(g.reason ?? '') ?? 0) + g.n);
      if (g.status === 'bounce' || g.status === 'error') reasons.failed.set(g.reason ?? '', (reasons.failed.get(g.reason ?? '') ?? 0) + g.n);
      if (g.status !== 'bounce' && g.status !== 'cancel' && g.status !== 'error') {
        a.clickable += g.n;
        if (g.click_day) a.clickedReached += g.n;
      }
    }
    const byReason = (m: Map<string, number>) => [...m].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
      .map(([reason, count]) => ({ reason, label: labelOf(failureSel, reason || null), count }));
    const stats = {
      expected: a.expected, sent: a.sent, delivered: a.delivered, clicked: a.clicked, canceled: a.canceled,
      bounced: a.bounced, failed: a.failed, scheduled: a.scheduled, pending: a.pending,
      received_ratio: round2((100 * a.delivered) / (a.expected - a.canceled || 1)),
      bounced_ratio: round2((100 * a.bounced) / (a.expected - a.canceled - a.failed || 1)),
      clicks_ratio: a.clickable ? round2((100 * a.clickedReached) / a.clickable) : 0,
    };
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
      canceledBy: byReason(reasons.cancel),
      failedBy: byReason(reasons.failed),
      perDay: [...days.values()].sort((x, y) => x.day.localeCompare(y.day)),
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
