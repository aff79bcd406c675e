// The embedded default provider: a simulated SMS gateway that needs no account.
//
// It behaves like a real one:
//   - accepts valid E.164 numbers and answers a Twilio-like message id (SM + 32 hex);
//   - refuses Twilio's magic test numbers with the failure type Odoo would show (table below);
//   - remembers every accepted uuid in its own table (sms_simulator_message), so it survives
//     restarts and answers "do you know uuid X?" (lookup) authoritatively; a uuid submitted twice
//     is not sent twice (answered as a duplicate, and counted in `submit_count`);
//   - delivers asynchronously: after `delivery delay` a pump marks messages delivered and reports
//     them through the engine's delivery-report path (pending → sent), in the same transaction;
//   - can be told (settings) to add latency, answer 500, throttle with 429 + Retry-After, or time
//     out, for the next N requests or all of them.
//
// Acceptances are written by a group-commit writer: concurrent requests share one INSERT, and a
// request is answered only once its messages are stored (like a gateway answering 201).

import { randomBytes } from 'node:crypto';
import type { Registry } from '../../orm/registry.ts';
import type { Env } from '../../orm/env.ts';
import { smsEncodingInfo } from '../../tools/sms_encoding.ts';
import { loadSmsSettings, invalidateSmsSettings, SMS_SETTING_KEYS, type SmsSettings } from './settings.ts';
import { readCommitted } from './tx.ts';
import { ProviderError, type DeliveryReport, type LookupResult, type OutgoingSms, type ProviderCapabilities, type SendResult, type SmsProvider } from './types.ts';
import type { Logger } from '../../orm/config.ts';

export const SIMULATOR_DDL = [
  `CREATE TABLE IF NOT EXISTS sms_simulator_message (
     uuid varchar PRIMARY KEY,
     provider_ref varchar NOT NULL,
     number varchar,
     body text,
     sender varchar,
     segments int4,
     status varchar NOT NULL,
     accepted_at timestamp NOT NULL,
     deliver_at timestamp,
     delivered_at timestamp,
     submit_count int4 NOT NULL DEFAULT 1)`,
  `CREATE INDEX IF NOT EXISTS sms_simulator_message_due_idx ON sms_simulator_message (deliver_at) WHERE status = 'accepted'`,
];

/** Twilio's documented magic test numbers and what the simulator answers. */
export const SIMULATOR_MAGIC_NUMBERS: Record<string, { code: number; failureType: string; reason: string }> = {
  '+15005550001': { code: 21211, failureType: 'sms_number_format', reason: "21211: The 'To' number is not a valid phone number." },
  '+15005550002': { code: 21612, failureType: 'unknown', reason: "21612: The 'To' phone number is not currently reachable via SMS." },
  '+15005550003': { code: 21408, failureType: 'sms_country_not_supported', reason: '21408: Permission to send an SMS has not been enabled for the region indicated by the \'To\' number.' },
  '+15005550004': { code: 21610, failureType: 'sms_blacklist', reason: "21610: Attempt to send to unsubscribed recipient (the recipient replied STOP)." },
  '+15005550009': { code: 21614, failureType: 'sms_number_format', reason: "21614: 'To' number is not a valid mobile number." },
};

const E164 = /^\+[1-9]\d{5,14}$/;
const MAX_FLUSHES = 4;

interface PendingRow {
  uuid: string;
  ref: string;
  number: string;
  body: string;
  sender: string;
  segments: number;
}

interface QueuedWrite {
  rows: PendingRow[];
  resolve: (stored: Map<string, { ref: string; inserted: boolean }>) => void;
  reject: (err: unknown) => void;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface SimulatorOptions {
  logger: Logger;
  /** The engine's delivery-report path (applyDeliveryReports), run inside the pump's transaction. */
  deliver: (env: Env, reports: DeliveryReport[]) => Promise<unknown>;
}

export class SimulatorProvider implements SmsProvider {
  readonly name = 'simulator';
  private readonly registry: Registry;
  private readonly opts: SimulatorOptions;
  private settings: SmsSettings | undefined;
  private queue: QueuedWrite[] = [];
  private flushing = 0;
  private pumpTimer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  /** Requests received by this instance (tests, benchmarks). */
  requests = 0;

  constructor(registry: Registry, opts: SimulatorOptions) {
    this.registry = registry;
    this.opts = opts;
  }

  capabilities(): ProviderCapabilities {
    return { maxBatchSize: this.settings?.simulator.maxBatchSize ?? 500, authoritativeLookup: true, prepaid: true, timeoutMs: 15_000 };
  }

  /** Refresh the settings the simulator runs with (the engine calls it before each batch). */
  async refresh(): Promise<SmsSettings> {
    this.settings = await loadSmsSettings(this.registry);
    return this.settings;
  }

  senderFor(_number: string): string {
    return this.settings?.simulator.sender ?? 'SIMULATOR';
  }

  async send(batch: OutgoingSms[], opts: { signal: AbortSignal }): Promise<SendResult[]> {
    const settings = this.settings ?? (await this.refresh());
    this.requests++;
    // A request abandoned by its client before it reached the gateway is not processed.
    if (opts.signal.aborted) throw new ProviderError('timeout', 'request aborted before sending', { ambiguous: false });
    const latency = settings.simulator.latencyMs > 0 ? sleep(settings.simulator.latencyMs, opts.signal) : Promise.resolve();
    if (settings.simulator.failureMode !== 'none') {
      await latency.catch(() => undefined);
      await this.injectFailure(opts.signal);
    }
    if (batch.length > settings.simulator.maxBatchSize) {
      throw new ProviderError('server', `400: at most ${settings.simulator.maxBatchSize} messages per request`, { ambiguous: false });
    }
    const results = new Map<string, SendResult>();
    const rows: PendingRow[] = [];
    for (const m of batch) {
      const magic = SIMULATOR_MAGIC_NUMBERS[m.number];
      if (magic) results.set(m.uuid, { uuid: m.uuid, status: 'rejected', failureType: magic.failureType, failureReason: magic.reason });
      else if (!E164.test(m.number)) results.set(m.uuid, { uuid: m.uuid, status: 'rejected', failureType: 'sms_number_format', failureReason: "21211: The 'To' number is not a valid phone number." });
      else rows.push({ uuid: m.uuid, ref: `SM${randomBytes(16).toString('hex')}`, number: m.number, body: m.body, sender: m.sender, segments: Math.max(1, smsEncodingInfo(m.body ?? '').segments) });
    }
    // The gateway stores the messages while the answer travels back (the latency): a client
    // that gives up meanwhile cannot know whether they were taken, and must look them up.
    const stored = rows.length ? this.store(rows) : Promise.resolve(new Map<string, { ref: string; inserted: boolean }>());
    stored.catch(() => undefined);
    try {
      await latency;
    } catch {
      throw new ProviderError('timeout', 'request timed out', { ambiguous: true });
    }
    const done = await stored;
    for (const r of rows) {
      const s = done.get(r.uuid)!;
      results.set(r.uuid, { uuid: r.uuid, status: 'accepted', providerRef: s.ref, duplicate: !s.inserted });
    }
    return batch.map((m) => results.get(m.uuid)!);
  }

  async lookup(uuids: string[]): Promise<Map<string, LookupResult>> {
    const { rows } = await this.registry.pool.query<{ uuid: string; status: string; provider_ref: string }>(
      `SELECT uuid, status, provider_ref FROM sms_simulator_message WHERE uuid = ANY($1::varchar[])`,
      [uuids],
    );
    return new Map(rows.map((r) => [r.uuid, { state: r.status === 'delivered' ? 'sent' : 'pending', providerRef: r.provider_ref }]));
  }

  private async injectFailure(signal: AbortSignal): Promise<void> {
    // Failure switches are read fresh (not from the cache): counting down N failing requests
    // must be exact across instances.
    const modeKey = SMS_SETTING_KEYS.sms_simulator_failure_mode;
    const countKey = SMS_SETTING_KEYS.sms_simulator_failure_count;
    const { rows } = await this.registry.pool.query<{ key: string; value: string }>(`SELECT key, value FROM ir_config_parameter WHERE key = ANY($1::varchar[])`, [[modeKey, countKey]]);
    const p = new Map(rows.map((r) => [r.key, r.value]));
    const mode = p.get(modeKey) ?? 'none';
    if (mode === 'none') return;
    const count = parseInt(p.get(countKey) ?? '0', 10) || 0;
    if (count > 0) {
      // Take one failure from the counter; the last one switches the failure mode off.
      const res = await this.registry.pool.query<{ n_left: number }>(
        `WITH d AS (UPDATE ir_config_parameter SET value = (value::int - 1)::text WHERE key = $1 AND value ~ '^[0-9]+$' AND value::int > 0 RETURNING value::int AS n_left),
              m AS (UPDATE ir_config_parameter SET value = 'none' WHERE key = $2 AND EXISTS (SELECT 1 FROM d WHERE d.n_left = 0))
         SELECT n_left FROM d`,
        [countKey, modeKey],
      );
      if (!res.rows.length) return;
      if (res.rows[0].n_left === 0) invalidateSmsSettings();
    }
    const retryAfter = this.settings?.simulator.retryAfterSeconds ?? 1;
    switch (mode) {
      case 'throttle':
        throw new ProviderError('throttled', '429 Too Many Requests (20429)', { retryAfterMs: retryAfter * 1000, ambiguous: false });
      case 'server_error':
        // The client cannot tell whether a 500 was processed: the engine must look it up.
        throw new ProviderError('server', '500 Internal Server Error', { ambiguous: true });
      case 'timeout':
        await sleep(3_600_000, signal).catch(() => undefined);
        throw new ProviderError('timeout', 'request timed out', { ambiguous: true });
    }
  }

  // ---------------------------------------------------------------- group-commit writer

  private store(rows: PendingRow[]): Promise<Map<string, { ref: string; inserted: boolean }>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (this.flushing < MAX_FLUSHES) void this.flush();
    });
  }

  // Up to MAX_FLUSHES inserts at once, each taking every request queued when it starts.
  private async flush(): Promise<void> {
    this.flushing++;
    try {
      while (this.queue.length) {
        const writes = this.queue.splice(0, this.queue.length);
        try {
          const stored = await this.insert(writes.flatMap((w) => w.rows));
          for (const w of writes) w.resolve(stored);
        } catch (err) {
          for (const w of writes) w.reject(err);
        }
      }
    } finally {
      this.flushing--;
    }
  }

  private async insert(all: PendingRow[]): Promise<Map<string, { ref: string; inserted: boolean }>> {
    const first = new Map<string, PendingRow>();
    const extra = new Map<string, number>();
    for (const r of all) {
      if (first.has(r.uuid)) extra.set(r.uuid, (extra.get(r.uuid) ?? 0) + 1);
      else first.set(r.uuid, r);
    }
    const rows = [...first.values()];
    const delay = this.settings?.simulator.deliveryDelayMs ?? 1000;
    const { rows: out } = await this.registry.pool.query<{ uuid: string; provider_ref: string; inserted: boolean }>(
      `INSERT INTO sms_simulator_message AS m (uuid, provider_ref, number, body, sender, segments, status, accepted_at, deliver_at)
       SELECT u, r, n, b, s, g, 'accepted', clock_timestamp() AT TIME ZONE 'UTC', clock_timestamp() AT TIME ZONE 'UTC' + $7 * interval '1 millisecond'
       FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::text[], $5::varchar[], $6::int4[]) AS v(u, r, n, b, s, g)
       ON CONFLICT (uuid) DO UPDATE SET submit_count = m.submit_count + 1
       RETURNING m.uuid, m.provider_ref, (m.xmax = 0) AS inserted`,
      [rows.map((r) => r.uuid), rows.map((r) => r.ref), rows.map((r) => r.number), rows.map((r) => r.body), rows.map((r) => r.sender), rows.map((r) => r.segments), delay],
    );
    if (extra.size) {
      await this.registry.pool.query(
        `UPDATE sms_simulator_message m SET submit_count = m.submit_count + v.k FROM unnest($1::varchar[], $2::int4[]) AS v(u, k) WHERE m.uuid = v.u`,
        [[...extra.keys()], [...extra.values()]],
      );
    }
    return new Map(out.map((r) => [r.uuid, { ref: r.provider_ref, inserted: r.inserted }]));
  }

  // ---------------------------------------------------------------- delivery reports

  start(): void {
    if (this.pumpTimer) return;
    const tick = Math.min(500, Math.max(50, Math.floor((this.settings?.simulator.deliveryDelayMs ?? 1000) / 4)));
    this.pumpTimer = setInterval(() => {
      if (!this.pumping) this.pumping = this.deliverDue().then(() => undefined, (err) => this.opts.logger.warn({ err }, 'simulator delivery pump failed')).finally(() => (this.pumping = undefined));
    }, tick);
    this.pumpTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.pumpTimer) clearInterval(this.pumpTimer);
    this.pumpTimer = undefined;
    await this.pumping;
    while (this.flushing > 0) await sleep(5);
  }

  /**
   * Deliver every message whose delivery time has come: mark it delivered and report it to the
   * engine in the same transaction (a crash loses no report). Returns the number delivered.
   */
  async deliverDue(limit = 5000): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await readCommitted(this.registry, async (env) => {
        const rows = await env.cr.query<{ uuid: string }>(
          `WITH due AS (SELECT uuid FROM sms_simulator_message WHERE status = 'accepted' AND deliver_at <= (clock_timestamp() AT TIME ZONE 'UTC')
                        ORDER BY deliver_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           UPDATE sms_simulator_message m SET status = 'delivered', delivered_at = clock_timestamp() AT TIME ZONE 'UTC'
           FROM due WHERE m.uuid = due.uuid RETURNING m.uuid`,
          [limit],
        );
        if (rows.length) await this.opts.deliver(env, rows.map((r) => ({ uuid: r.uuid, state: 'sent' as const })));
        return rows.length;
      });
      total += n;
      if (n < limit) return total;
    }
  }
}

/** Counts of the simulated gateway (tests, benchmarks): accepted uuids and double submissions. */
export async function simulatorStats(registry: Registry): Promise<{ accepted: number; submissions: number; duplicates: number; delivered: number }> {
  const { rows } = await registry.pool.query<{ accepted: number; submissions: number; duplicates: number; delivered: number }>(
    `SELECT count(*)::int AS accepted, COALESCE(sum(submit_count), 0)::int AS submissions,
            count(*) FILTER (WHERE submit_count > 1)::int AS duplicates, count(*) FILTER (WHERE status = 'delivered')::int AS delivered
     FROM sms_simulator_message`,
  );
  return rows[0];
}
