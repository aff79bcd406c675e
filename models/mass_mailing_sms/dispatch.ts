// Handing prepared SMS to the sending engine: "Send Directly" (sms_force_send) dispatches them
// once the transaction that created them has committed; otherwise the SMS queue cron is woken,
// as Odoo's sms.sms create does.

import type { Env } from '../orm/env.ts';
import { dispatchSmsNow, SMS_QUEUE_CRON } from '../sms/dispatch.ts';
import { triggerCron } from '../base/ir_cron.ts';

/** After commit, send `smsIds` now (what the engine cannot send in time stays queued). */
export function dispatchAfterCommit(env: Env, smsIds: number[]): void {
  if (!smsIds.length) return;
  const registry = env.registry;
  const ids = [...smsIds];
  env.cr.postcommit.push(async () => {
    await dispatchSmsNow(registry, ids);
  });
}

/** Wake the SMS queue cron (new outgoing SMS were inserted without the ORM). */
export async function wakeSmsQueue(env: Env): Promise<void> {
  await triggerCron(env, SMS_QUEUE_CRON);
}

/** Wake the mailing queue cron at each date (now when none), like `action_put_in_queue`. */
export async function wakeMailingQueue(env: Env, dates: (string | false | null)[]): Promise<void> {
  const unique = [...new Set(dates.map((d) => d || null))];
  for (const at of unique.length ? unique : [null]) await triggerCron(env, 'mass_mailing.ir_cron_mass_mailing_queue', at);
}
