// SMS outcomes → mailing traces → mailing state (mass_mailing_sms sms.tracker). The sending engine
// calls the SMS state hooks after writing sms.sms states; this propagates them set-based: one
// UPDATE per (status, failure) group, with Odoo's monotonic guards, then the mailing states.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';
import { formatDatetime } from '../orm/fields.ts';
import type { SmsStateUpdate } from '../sms/hooks.ts';
import { BOUNCE_DELIVERY_ERRORS, SMS_STATE_TO_TRACE_STATUS, TRACE_STATUSES_TO_IGNORE } from '../sms/sms_tracker.ts';

export const SmsTrackerMailing: ModelSpec = {
  _name: 'sms.tracker',
  _inherit: 'sms.tracker',
  fields: {
    mailing_trace_id: { type: 'many2one', comodel: 'mailing.trace', string: 'Mailing Trace', ondelete: 'cascade', index: 'btree_not_null' },
  },
};

// Statuses after which a trace's `sent_datetime` is filled (if still empty).
const NOT_SENT_YET = new Set(['outgoing', 'process', 'error', 'cancel']);

/** Trace status an SMS update means (a bounce-type delivery error is a `bounce`). */
export function traceStatusOf(u: Pick<SmsStateUpdate, 'state' | 'failureType'>): string {
  if (u.state === 'error' && u.failureType && BOUNCE_DELIVERY_ERRORS.has(u.failureType)) return 'bounce';
  return SMS_STATE_TO_TRACE_STATUS[u.state] ?? 'error';
}

/**
 * Mailings among `ids` in one of `fromStates` with no trace left outgoing or processing become
 * `done` (sent date now; KPI mail only on the first completion). ORM writes: tracked changes.
 */
export async function finishIdleMailings(env: Env, ids: number[], fromStates: string[] | null): Promise<number[]> {
  if (!ids.length) return [];
  const rows = await env.cr.query<{ id: number; sent_date: string | null }>(sql`
    SELECT m.id, m.sent_date FROM mailing_mailing m
    WHERE m.id = ANY(${ids}::int4[]) AND m.state <> 'done' AND (${fromStates === null} OR m.state = ANY(${fromStates ?? []}::varchar[]))
      AND NOT EXISTS (SELECT 1 FROM mailing_trace t WHERE t.mass_mailing_id = m.id AND t.trace_status IN ('outgoing', 'process'))`);
  await markDone(env, rows);
  return rows.map((r) => r.id);
}

async function markDone(env: Env, rows: { id: number; sent_date: string | null }[]): Promise<void> {
  const now = formatDatetime(new Date());
  const model = env.model('mailing.mailing').sudo();
  const first = rows.filter((r) => !r.sent_date).map((r) => r.id);
  const again = rows.filter((r) => r.sent_date).map((r) => r.id);
  if (first.length) await model.browse(first).write({ state: 'done', sent_date: now, kpi_mail_required: true });
  if (again.length) await model.browse(again).write({ state: 'done', sent_date: now, kpi_mail_required: false });
}

/**
 * Trackers of mailing SMS are written when the engine first reports on them (the SMS is still
 * there, so its id leads to its trace), rather than for every SMS when a mailing is prepared:
 * that keeps a million-recipient preparation to two inserts per recipient, and a delivery report
 * arriving after the SMS row was garbage-collected still finds its trace by uuid.
 */
async function ensureTrackers(env: Env, updates: SmsStateUpdate[]): Promise<void> {
  const ids = updates.filter((u) => u.smsId).map((u) => u.smsId);
  if (!ids.length) return;
  await env.cr.execute(sql`
    INSERT INTO sms_tracker (sms_uuid, mailing_trace_id, create_uid, write_uid, create_date, write_date)
    SELECT s.uuid, t.id, ${env.uid}, ${env.uid}, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
    FROM sms_sms s JOIN mailing_trace t ON t.sms_id_int = s.id
    WHERE s.id = ANY(${ids}::int4[]) AND s.uuid IS NOT NULL
    ON CONFLICT (sms_uuid) DO NOTHING`);
}

/** The SMS state hook: traces of these SMS follow them; their mailings move on. */
export async function propagateSmsStates(env: Env, updates: SmsStateUpdate[]): Promise<void> {
  if (!updates.length) return;
  const groups = new Map<string, { status: string; failureType: string | null; failureReason: string | null; ids: number[]; uuids: string[] }>();
  for (const u of updates) {
    const status = traceStatusOf(u);
    // Success statuses clear the failure; others keep what the engine reported.
    const failureType = status === 'outgoing' || status === 'process' || status === 'pending' || status === 'sent' ? null : u.failureType ?? null;
    const failureReason = failureType ? u.failureReason ?? null : null;
    const key = JSON.stringify([status, failureType, failureReason]);
    const g = groups.get(key) ?? { status, failureType, failureReason, ids: [], uuids: [] };
    if (u.smsId) g.ids.push(u.smsId);
    if (u.uuid) g.uuids.push(u.uuid);
    groups.set(key, g);
  }
  await ensureTrackers(env, updates);
  const toSending = new Set<number>();
  const toCheck = new Set<number>();
  for (const g of groups.values()) {
    const ignore = TRACE_STATUSES_TO_IGNORE[g.status] ?? [];
    const setSent = !NOT_SENT_YET.has(g.status);
    // One UPDATE per status group (traces found by SMS id, or by uuid through their tracker when
    // the SMS row is gone); the guard skips traces already as far or further along.
    const rows = await env.cr.query<{ mass_mailing_id: number }>(sql`
      WITH u AS (
        UPDATE mailing_trace t SET trace_status = ${g.status}, failure_type = ${g.failureType}::varchar, failure_reason = ${g.failureReason}::text,
               sent_datetime = CASE WHEN ${setSent} AND t.sent_datetime IS NULL THEN (now() AT TIME ZONE 'UTC') ELSE t.sent_datetime END,
               write_uid = ${env.uid}, write_date = (now() AT TIME ZONE 'UTC')
        WHERE t.id IN (SELECT id FROM mailing_trace WHERE sms_id_int = ANY(${g.ids}::int4[])
                       UNION SELECT mailing_trace_id FROM sms_tracker WHERE sms_uuid = ANY(${g.uuids}::varchar[]) AND mailing_trace_id IS NOT NULL)
          AND t.trace_status <> ALL(${ignore}::varchar[])
        RETURNING t.mass_mailing_id)
      SELECT DISTINCT mass_mailing_id FROM u WHERE mass_mailing_id IS NOT NULL`);
    for (const r of rows) (g.status === 'process' ? toSending : toCheck).add(r.mass_mailing_id);
  }
  if (toSending.size) {
    const rows = await env.cr.query<{ id: number }>(sql`SELECT id FROM mailing_mailing WHERE id = ANY(${[...toSending]}::int4[]) AND state <> 'sending'`);
    if (rows.length) await env.model('mailing.mailing').sudo().browse(rows.map((r) => r.id)).write({ state: 'sending' });
  }
  const check = [...toCheck].filter((id) => !toSending.has(id));
  if (check.length) {
    // Odoo's rule (sms.tracker `_update_sms_mailings`): any other update ends every touched
    // mailing that has no trace left in `process` (outgoing ones may remain: statistics show them).
    const rows = await env.cr.query<{ id: number; sent_date: string | null }>(sql`
      SELECT m.id, m.sent_date FROM mailing_mailing m
      WHERE m.id = ANY(${check}::int4[]) AND m.state <> 'done'
        AND NOT EXISTS (SELECT 1 FROM mailing_trace t WHERE t.mass_mailing_id = m.id AND t.trace_status = 'process')`);
    await markDone(env, rows);
  }
}

