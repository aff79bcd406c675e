// Quiet hours of SMS mailings (beyond Odoo): once a mailing's SMS are prepared, each is held
// (`sms_sms.not_before`) until the sending window opens in its recipient's local time; the zone
// comes from the number (libphonenumber's data). "Send Directly" and test SMS are never held.
//
// Rule for numbers without a single zone: a number whose prefix maps to several zones waits until
// the window is open in all of them; if they share no open time, the set's main zone (the zone
// most prefixes of the data map to alone, e.g. America/Chicago for +1 non-geographic numbers)
// decides; a number the data has no zone for is held to the window in UTC.

import type { Env } from '../orm/env.ts';
import type { RecordSet } from '../orm/records.ts';
import { MAIN_COMPANY_ID } from '../base/res_company.ts';
import { triggerCron } from '../base/ir_cron.ts';
import { SMS_QUEUE_CRON } from '../sms/dispatch.ts';
import { MAX_PREFIX_LENGTH, mainZone, zonePrefixTable } from '../tools/phone_timezone.ts';
import { quietHoursNotBefore, type QuietWindow } from '../tools/quiet_hours.ts';
import { holdUntilWindow, loadPhoneZones, quietHoursZoneSets } from './queries.ts';
import { raw } from '../orm/sql.ts';

/** The window that applies to a mailing (its own, the company's, or none). */
export async function mailingQuietWindow(mailing: RecordSet): Promise<QuietWindow | null> {
  const [m] = await mailing.sudo().fetch(['sms_quiet_hours', 'sms_quiet_hours_start', 'sms_quiet_hours_end']);
  if (m.sms_quiet_hours === 'off') return null;
  if (m.sms_quiet_hours === 'custom') return { start: Number(m.sms_quiet_hours_start), end: Number(m.sms_quiet_hours_end) };
  const [c] = await mailing.env.sudo().model('res.company').browse([MAIN_COMPANY_ID]).fetch(['sms_quiet_hours_enabled', 'sms_quiet_hours_start', 'sms_quiet_hours_end']);
  if (!c?.sms_quiet_hours_enabled) return null;
  return { start: Number(c.sms_quiet_hours_start), end: Number(c.sms_quiet_hours_end) };
}

/** Addon data step: the zone table from the package's data, with fresh planner statistics. */
export async function loadPhoneZoneData(env: Env): Promise<void> {
  const { prefixes, zones } = zonePrefixTable();
  await env.cr.execute(loadPhoneZones(prefixes, zones));
  await env.cr.execute(raw('ANALYZE sms_phone_zone'));
}

const utc = (d: Date): string => d.toISOString().replace('T', ' ').slice(0, 19);

/**
 * Hold the mailing's outgoing SMS until their recipients' window opens, as seen at `now`; wakes the
 * SMS queue at each opening. Returns the number of SMS held.
 */
export async function holdMailingSms(env: Env, mailingId: number, w: QuietWindow, now: Date): Promise<number> {
  const rows = await env.cr.query<{ zones: string }>(quietHoursZoneSets(mailingId, MAX_PREFIX_LENGTH));
  const sets: string[] = [];
  const notBefore: string[] = [];
  for (const { zones: key } of rows) {
    const zs = key ? key.split('&') : [];
    const at = quietHoursNotBefore(zs, w, now, zs.length ? mainZone(zs) : 'UTC');
    if (at) {
      sets.push(key);
      notBefore.push(utc(at));
    }
  }
  if (!sets.length) return 0;
  const held = await env.cr.execute(holdUntilWindow(mailingId, MAX_PREFIX_LENGTH, sets, notBefore));
  for (const at of new Set(notBefore)) await triggerCron(env, SMS_QUEUE_CRON, at);
  return held;
}
