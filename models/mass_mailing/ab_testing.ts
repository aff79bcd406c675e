// A/B testing of mailings: the cron, the winner rules (one entry per winner selection value), the
// campaign values of an auto-created A/B campaign, and the summary shown on the mailing.

import type { Env } from '../orm/env.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import type { CronData } from '../orm/addon.ts';
import { formatDatetime } from '../orm/fields.ts';
import { sql, ident, type SQL } from '../orm/sql.ts';
import { abTestingSample, abTestingVariants, clickedByMailing, notReachedBySiblings, reachedByMailing, recipientCounts } from './queries.ts';
import { ref } from '../base/ir_model_data.ts';
import { triggerCron } from '../base/ir_cron.ts';

export const AB_TESTING_CRON = 'mass_mailing.ir_cron_mass_mailing_ab_testing';

export const AB_TESTING_CRON_DATA: CronData = {
  xmlId: AB_TESTING_CRON, name: 'Mail Marketing: A/B Testing', model: 'utm.campaign', method: '_cron_process_mass_mailing_ab_testing', intervalNumber: 1, intervalType: 'days',
  // Mailings wake this cron at their final send date (trigger); the probe is the safety net.
  probe: async (registry) => {
    const { rows } = await registry.pool.query<{ w: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM utm_campaign c WHERE NOT COALESCE(c.ab_testing_completed, FALSE) AND c.ab_testing_schedule_datetime <= now() AT TIME ZONE 'UTC'
         AND EXISTS (SELECT 1 FROM mailing_mailing m WHERE m.campaign_id = c.id AND m.ab_testing_enabled AND m.state = 'done')) AS w`,
    );
    return !!rows[0]?.w;
  },
};

/** Wake the A/B cron at each given final send date. */
export async function wakeAbTestingCron(env: Env, dates: unknown[]): Promise<void> {
  for (const at of new Set(dates.filter(Boolean) as string[])) await triggerCron(env, AB_TESTING_CRON, at);
}

/** Default final send date of a campaign: one day from now. */
export const defaultAbTestingSchedule = () => formatDatetime(new Date(Date.now() + 86_400_000));

/**
 * A winner rule: given the sent ("done") A/B mailings of a campaign in the order Odoo sorts them,
 * returns the winner's id (null: none). Keyed by winner selection value; `manual` is no rule (the
 * mailing the user picked wins). Add delivered ratio, opt-out ratio, leads, revenue... here.
 */
export type WinnerRule = (done: RecordSet) => Promise<number | null>;

/** Highest value of a mailing statistic; ties go to the first in campaign order (Python's stable sort). */
export const highestStatistic = (field: string): WinnerRule => async (done) => {
  const rows = await done.fetch([field]);
  let best: { id: number; v: number } | null = null;
  for (const r of rows) {
    const v = Number(r[field]) || 0;
    if (!best || v > best.v) best = { id: r.id as number, v };
  }
  return best?.id ?? null;
};

export const WINNER_RULES: Record<string, WinnerRule> = {
  opened_ratio: highestStatistic('opened_ratio'),
  clicks_ratio: highestStatistic('clicks_ratio'),
  replied_ratio: highestStatistic('replied_ratio'),
};

/** Odoo's action `mass_mailing.action_ab_testing_open_winner_mailing` (its stored values) on `resId`. */
export async function winnerMailingAction(env: Env, resId: number): Promise<Vals> {
  const action = await actionForXmlId(env, 'mass_mailing.action_ab_testing_open_winner_mailing');
  return { ...action, res_id: resId };
}

// Keys of a window action as Odoo's `_for_xml_id` returns them.
const ACTION_KEYS = ['id', 'display_name', 'name', 'type', 'xml_id', 'path', 'help', 'binding_model_id', 'binding_type', 'binding_view_types', 'view_id', 'domain', 'context', 'res_id', 'res_model', 'target', 'view_mode', 'mobile_view_mode', 'views', 'limit', 'group_ids', 'search_view_id', 'embedded_action_ids', 'filter', 'cache'];

/** A stored window action as a dict (Odoo's `ir.actions.actions._for_xml_id`). */
export async function actionForXmlId(env: Env, xmlid: string): Promise<Vals> {
  const rec = (await ref(env.sudo(), xmlid))!;
  const fields = ACTION_KEYS.filter((k) => k === 'id' || rec.model.fields.has(k));
  const [row] = await rec.read(fields);
  const out: Vals = {};
  for (const k of ACTION_KEYS) out[k] = k in row ? row[k] : k === 'embedded_action_ids' ? [] : false;
  return out;
}

// ------------------------------------------------------------------ sampling

export interface AbRecipientMailing {
  id: number;
  campaign_id: number | false;
  ab_testing_enabled: boolean;
  ab_testing_pc: number;
  mailing_type: string;
}

/**
 * Odoo's A/B part of `_get_recipients` / `_get_remaining_recipients`, as a condition on
 * `<alias>.id` (null: not an A/B mailing). Below 100%: a random sample of
 * max(int(n / 100 * pc), 1) of the n matching records, taken among those no mailing of the
 * campaign reached (less what this mailing already traced, so preparing again draws nobody new).
 * At 100% (the final mailing): whoever no A/B sibling reached.
 */
export async function abTestingRecipientCondition(env: Env, m: AbRecipientMailing, model: string, domain: unknown[], alias: string): Promise<SQL | null> {
  if (!m.ab_testing_enabled) return null;
  const a = ident(alias);
  const idsQuery = env.model(model).searchQuery(domain, { order: null });
  if (m.ab_testing_pc >= 100) {
    if (!m.campaign_id) return null;
    const siblings = await env.cr.query<{ id: number }>(sql`SELECT id FROM mailing_mailing WHERE campaign_id = ${m.campaign_id} AND mailing_type = ${m.mailing_type} AND ab_testing_enabled`);
    return sql`${a}.id IN (${notReachedBySiblings(idsQuery, m.campaign_id, siblings.map((s) => s.id), model)})`;
  }
  const [{ n, own }] = await env.cr.query<{ n: number; own: number }>(recipientCounts(idsQuery, m.id, model));
  // Odoo's arithmetic (float division, then truncation).
  const size = n ? Math.max(Math.trunc((n / 100) * m.ab_testing_pc), 1) : 0;
  const missing = Math.max(size - own, 0);
  if (!missing) return sql`FALSE`;
  return sql`${a}.id IN (${abTestingSample(idsQuery, m.campaign_id, model, missing)})`;
}

// ------------------------------------------------------------------ summary (ours)

export interface VariantStats {
  id: number;
  name: string;
  pc: number;
  /** Recipients the variant could be clicked by (Odoo's clicks_ratio denominator). */
  reached: number;
  clicked: number;
}

/** Per A/B mailing of the given campaigns: recipients reached and clicked (three short queries, none reading every trace). */
export async function variantStats(env: Env, campaignIds: number[], mailingType: string): Promise<Map<number, VariantStats[]>> {
  const mailings = await env.cr.query<{ c: number; id: number; name: string; pc: number }>(abTestingVariants(campaignIds, mailingType));
  const out = new Map<number, VariantStats[]>();
  if (!mailings.length) return out;
  const ids = mailings.map((m) => m.id);
  const reachedRows = await env.cr.query<{ id: number; n: number; marked: number }>(reachedByMailing(ids));
  const reached = new Map(reachedRows.map((r) => [r.id, r.n]));
  const sum = (k: 'n' | 'marked') => reachedRows.reduce((x, r) => x + r[k], 0);
  const clicked = await clickedTracesByMailing(env, ids, sum('n'), sum('marked'));
  for (const m of mailings) out.set(m.c, [...(out.get(m.c) ?? []), { id: m.id, name: m.name, pc: m.pc, reached: reached.get(m.id) ?? 0, clicked: clicked.get(m.id) ?? 0 }]);
  return out;
}

/**
 * Reached traces of each mailing having a click. `reached`: all mailings' reached traces;
 * `marked`: those of them marked clicked, about as many as the clicked ones (the trace a click
 * names is marked clicked), which picks the query's side: the clicked traces looked up one by one
 * while they are few (a lookup by id costs several times reading a trace in a scan).
 */
export async function clickedTracesByMailing(env: Env, ids: number[], reached: number, marked: number): Promise<Map<number, number>> {
  if (!reached) return new Map();
  const rows = await env.cr.query<{ id: number; n: number }>(clickedByMailing(ids, marked * 8 < reached));
  return new Map(rows.map((r) => [r.id, r.n]));
}

/** Standard normal cumulative distribution (Abramowitz–Stegun 7.1.26, error < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * Two-proportion z-test (pooled) between the two best variants: two-sided p-value, or null when
 * a sample is empty or nobody / everybody clicked (no variance to test).
 */
export function twoProportionPValue(a: { reached: number; clicked: number }, b: { reached: number; clicked: number }): number | null {
  if (!a.reached || !b.reached) return null;
  const pooled = (a.clicked + b.clicked) / (a.reached + b.reached);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.reached + 1 / b.reached));
  if (!se) return null;
  const z = (a.clicked / a.reached - b.clicked / b.reached) / se;
  return 2 * (1 - normalCdf(Math.abs(z)));
}

/** Significance level of the summary's verdict. */
export const AB_SIGNIFICANCE = 0.05;

const pct = (x: number) => `${Math.round(x * 10000) / 100}%`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The statistics part of the summary: sample sizes, click ratios, and whether the lead is real. */
export function abTestingVerdictHtml(variants: VariantStats[]): string {
  const sent = variants.filter((v) => v.reached > 0);
  if (!sent.length) return '';
  const items = sent.map((v) => `<li>${esc(v.name)}: ${v.reached} recipients, ${v.clicked} clicked (${pct(v.clicked / v.reached)})</li>`).join('');
  let verdict: string;
  if (sent.length < 2) verdict = 'Too early to tell: only one version has been sent.';
  else {
    const [best, second] = [...sent].sort((x, y) => y.clicked / y.reached - x.clicked / x.reached);
    const p = twoProportionPValue(best, second);
    if (p !== null && p < AB_SIGNIFICANCE) verdict = `${esc(best.name)} leads, and the difference is statistically significant (two-proportion z-test, p = ${p.toFixed(3)}).`;
    else verdict = `Too early to tell: the difference between ${esc(best.name)} and ${esc(second.name)} could be chance at these sample sizes (two-proportion z-test, p ${p === null ? 'not computable' : `= ${p.toFixed(3)}`}); a winner picked now is a coin toss.`;
  }
  return `<ul>${items}</ul><p>${verdict}</p>`;
}

/** Odoo's A/B description text for one mailing, then our statistics. */
export function abTestingDescriptionHtml(m: { pc: number; otherPc: number; criterion: string | false; completed: boolean }, variants: VariantStats[]): string {
  const remaining = 100 - (m.otherPc + m.pc);
  const parts = [`A sample of ${m.pc}% of recipients will receive this version.`];
  if (m.otherPc) parts.push(`${m.otherPc}% of recipients receive the other versions of this campaign.`);
  if (m.criterion) parts.push(`Try different variations in the campaign to compare their ${m.criterion}.`);
  if (remaining > 0) parts.push(m.completed ? 'The best version has been sent to the remaining recipients.' : 'Once the best version is identified, we will send the best one to the remaining recipients.');
  return `<p>${parts.join(' ')}</p>${abTestingVerdictHtml(variants)}`;
}
