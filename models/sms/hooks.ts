// Extension points of the SMS pipeline for addons built on top (mass_mailing_sms registers here,
// from its addon's registryBuilt hook, to move traces and mailings when SMS states change), so
// `sms` knows nothing of them.

import type { Env } from '../orm/env.ts';

/** One SMS outcome as written by the sending engine or a delivery report. */
export interface SmsStateUpdate {
  smsId: number;
  uuid: string;
  state: 'outgoing' | 'process' | 'pending' | 'sent' | 'error' | 'canceled';
  failureType: string | null;
  failureReason?: string | null;
}

/** Called (inside the engine's transaction) after sms_sms rows got their new states. */
export type SmsStateHook = (env: Env, updates: SmsStateUpdate[]) => Promise<void>;

export const SMS_STATE_HOOKS: SmsStateHook[] = [];

export function onSmsStateChange(hook: SmsStateHook): void {
  if (!SMS_STATE_HOOKS.includes(hook)) SMS_STATE_HOOKS.push(hook);
}
