// SMS opt-out: the "STOP SMS" line added to mailing bodies and what the public unsubscribe pages
// (rpc/sms_unsubscribe.ts) do with a number (Odoo's mass_mailing_sms composer and controller).

import type { Env } from '../orm/env.ts';
import type { RecordSet } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';
import { getParam } from '../base/ir_config_parameter.ts';
import { escapeHtml } from '../tools/html_template.ts';
import { isNumberTaken } from '../phone_validation/phone_blacklist.ts';

/** Odoo's `get_base_url()`: the `web.base.url` system parameter. */
export async function webBaseUrl(env: Env): Promise<string> {
  return (await getParam(env, 'web.base.url')) ?? '';
}

/** Odoo's `url_join(base, path)` for an absolute path: the base's scheme and host, then `path`. */
export function urlJoin(base: string, path: string): string {
  try {
    const u = new URL(base);
    return `${u.protocol}//${u.host}${path}`;
  } catch {
    return `${base.replace(/\/+$/, '')}${path}`;
  }
}

/** `<base>/sms/<mailing id>/` : the unsubscribe URL of a trace is this plus its `sms_code`. */
export function unsubscribeUrlPrefix(base: string, mailingId: number): string {
  return urlJoin(base, `/sms/${mailingId}/`);
}

/** What sendable SMS of an opt-out mailing end with, before the trace code (`_get_unsubscribe_info`). */
export function stopSmsPrefix(base: string, mailingId: number): string {
  return `\nSTOP SMS: ${unsubscribeUrlPrefix(base, mailingId)}`;
}

/** The STOP line as counted before sending: the trace code is 3 characters. */
export function stopSmsPlaceholder(base: string, mailingId: number): string {
  return `${stopSmsPrefix(base, mailingId)}xxx`;
}

export interface TraceCheck {
  mailingId: number;
  /** sms_number of every SMS trace of that mailing with that code (codes are not unique). */
  numbers: string[];
}

/** Odoo's `_check_trace`: the mailing exists and has SMS traces with that code; null otherwise. */
export async function checkTrace(env: Env, mailingId: number, code: string): Promise<TraceCheck | null> {
  if (!Number.isSafeInteger(mailingId) || mailingId <= 0 || mailingId > 0x7fffffff) return null;
  const rows = await env.cr.query<{ id: number; numbers: (string | null)[] | null }>(sql`
    SELECT m.id, array_agg(t.sms_number) FILTER (WHERE t.id IS NOT NULL) AS numbers
    FROM mailing_mailing m
    LEFT JOIN mailing_trace t ON t.mass_mailing_id = m.id AND t.trace_type = 'sms' AND t.sms_code = ${code}
    WHERE m.id = ${mailingId} GROUP BY m.id`);
  if (!rows.length || !rows[0].numbers?.length) return null;
  return { mailingId, numbers: rows[0].numbers.filter((n): n is string => !!n) };
}

export interface UnsubscribeResult {
  /** Names shown for the lists the number was opted out of ("Mailing List" for non-public ones). */
  listsOptout: string[];
  /** The mailing has no lists: the number was added to the phone blacklist. */
  blacklisted: boolean;
}

/**
 * Opt `number` (E.164, matching one of the mailing's traces) out of mailing `mailingId`: its
 * subscriptions to the mailing's lists get `opt_out`, or, for a mailing without lists, the number
 * is blacklisted with a note saying where it came from.
 */
export async function unsubscribeNumber(env: Env, mailingId: number, number: string): Promise<UnsubscribeResult> {
  const [m] = await env.model('mailing.mailing').browse([mailingId]).read(['contact_list_ids', 'mailing_model_id']);
  const lists = m.contact_list_ids as number[];
  if (lists.length) {
    const subscriptions = await env.model('mailing.subscription').search([['list_id', 'in', lists], ['contact_id.phone_sanitized', '=', number]]);
    if (!subscriptions.length) return { listsOptout: [], blacklisted: false };
    await subscriptions.write({ opt_out: true });
    // Named in the subscriptions' order (list_id DESC: the oldest list first), as Odoo's mapped('list_id').
    const listIds = [...new Set((await subscriptions.fetch(['list_id'])).map((s) => s.list_id as number))];
    const rows = await env.model('mailing.list').browse(listIds).read(['name', 'is_public']);
    return { listsOptout: rows.map((l) => (l.is_public ? (l.name as string) : 'Mailing List')), blacklisted: false };
  }
  const entry = await blacklistOnce(env, number);
  // A concurrent opt-out of the same number (a double tap) created the entry and logged the note.
  if (!entry) return { listsOptout: [], blacklisted: true };
  const model = Array.isArray(m.mailing_model_id) ? String(m.mailing_model_id[1]) : '';
  await entry.call('_message_log', escapeHtml(`Blacklist through SMS Marketing unsubscribe (mailing ID: ${mailingId} - model: ${model})`));
  return { listsOptout: [], blacklisted: true };
}

/**
 * `phone.blacklist.add(number)` in a savepoint; null when a concurrent transaction blacklisted the
 * number first (its entry is committed but not visible in this transaction's snapshot).
 */
async function blacklistOnce(env: Env, number: string): Promise<RecordSet | null> {
  await env.cr.execute('SAVEPOINT sms_unsubscribe_blacklist');
  try {
    const entry = await env.model('phone.blacklist').call<RecordSet>('add', number);
    await env.cr.execute('RELEASE SAVEPOINT sms_unsubscribe_blacklist');
    return entry;
  } catch (err) {
    await env.cr.execute('ROLLBACK TO SAVEPOINT sms_unsubscribe_blacklist');
    await env.cr.execute('RELEASE SAVEPOINT sms_unsubscribe_blacklist');
    if (isNumberTaken(err)) return null;
    throw err;
  }
}
