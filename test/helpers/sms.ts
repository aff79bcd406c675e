// Shared helpers of the sending-engine tests.

import type { Registry } from '../../models/orm/registry.ts';
import { writeSmsSettings } from '../../models/sms/providers/settings.ts';
import { onSmsStateChange, SMS_STATE_HOOKS, type SmsStateUpdate } from '../../models/sms/hooks.ts';

/** Quiet, fast defaults: no latency, instant delivery reports, no rate limit. */
export async function fastSettings(registry: Registry, extra: Parameters<typeof writeSmsSettings>[1] = {}): Promise<void> {
  await writeSmsSettings(registry, {
    sms_simulator_latency: 0,
    sms_simulator_delivery_delay: 0,
    sms_simulator_failure_mode: 'none',
    sms_simulator_failure_count: 0,
    sms_rate_limit: 0,
    ...extra,
  });
}

/** Insert `n` outgoing SMS with SQL (like a mailing's preparation); returns their ids. */
export async function seedSms(registry: Registry, n: number, number: (i: number) => string = (i) => `+3247${String(1000000 + i).slice(-7)}`, body = 'Hello from the engine'): Promise<number[]> {
  const numbers = Array.from({ length: n }, (_, i) => number(i));
  const { rows } = await registry.pool.query<{ id: number }>(
    `INSERT INTO sms_sms (uuid, number, body, state, to_delete, create_uid, write_uid, create_date, write_date)
     SELECT md5(random()::text || clock_timestamp()::text || n), n, $2, 'outgoing', false, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
     FROM unnest($1::varchar[]) AS n RETURNING id`,
    [numbers, body],
  );
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

export async function states(registry: Registry, ids: number[]): Promise<Map<number, { state: string; failure_type: string | null; credit: number; attempt: number; provider_ref: string | null }>> {
  const { rows } = await registry.pool.query(`SELECT id, state, failure_type, credit::float8 AS credit, attempt, provider_ref FROM sms_sms WHERE id = ANY($1::int4[])`, [ids]);
  return new Map(rows.map((r) => [r.id, r]));
}

export async function balance(registry: Registry): Promise<number> {
  const { rows } = await registry.pool.query(`SELECT balance::float8 AS b FROM sms_credit_account ORDER BY id LIMIT 1`);
  return rows[0].b;
}

export async function setBalance(registry: Registry, amount: number): Promise<void> {
  await registry.pool.query(`UPDATE sms_credit_account SET balance = $1`, [amount]);
}

/** Record every SMS state update the engine reports (until `stop`). */
export function recordHooks(): { updates: SmsStateUpdate[]; stop: () => void } {
  const updates: SmsStateUpdate[] = [];
  const hook = async (_env: unknown, u: SmsStateUpdate[]) => {
    updates.push(...u);
  };
  onSmsStateChange(hook);
  return {
    updates,
    stop: () => {
      const i = SMS_STATE_HOOKS.indexOf(hook);
      if (i >= 0) SMS_STATE_HOOKS.splice(i, 1);
    },
  };
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000, everyMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
