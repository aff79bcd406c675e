// Handing prepared SMS to the sending engine: "Send Directly" (sms_force_send) dispatches them
// once the transaction that created them has committed; otherwise the SMS queue cron is woken,
// as Odoo's sms.sms create does.

import type { Env } from '../orm/env.ts';
import { dispatchSmsNow, SMS_QUEUE_CRON } from '../sms/dispatch.ts';
import { triggerCron } from '../base/ir_cron.ts';
export { wakeMailingQueue } from '../mass_mailing/mailing_mailing.ts';

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

