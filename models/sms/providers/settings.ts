// Sending settings: fields of res.config.settings bound to system parameters (so every server
// instance sees them), and the engine's cached reader. Readable and writable over RPC the Odoo
// way: create a res.config.settings record with the new values, then call `execute`.

import type { Registry } from '../../orm/registry.ts';
import { assertConfigValue, bindConfigParameter, decodeConfigValue, type ConfigParameterBinding } from '../../base/res_config_settings.ts';

export type FailureMode = 'none' | 'server_error' | 'throttle' | 'timeout';

export interface SmsSettings {
  /** Engine provider name: `simulator` unless a resolver (e.g. sms_twilio's company setting) says otherwise. */
  provider: string;
  /** Odoo's `sms.session.batch.size`: SMS claimed per batch (and charged together). */
  batchSize: number;
  /** Messages per second per sender; 0 = unlimited. */
  rateLimit: number;
  /** Provider requests in flight per server instance. */
  concurrency: number;
  /** Claim loops per server instance (overlap database work with provider calls). */
  workers: number;
  /** Seconds a claimed batch belongs to its instance before another may reconcile it. */
  leaseSeconds: number;
  /** Transient failures (429, 5xx) retried this many times before `error`/`sms_server`. */
  maxAttempts: number;
  simulator: {
    latencyMs: number;
    deliveryDelayMs: number;
    failureMode: FailureMode;
    /** Requests still to fail with `failureMode`; 0 = all of them while the mode is set. */
    failureCount: number;
    retryAfterSeconds: number;
    maxBatchSize: number;
    sender: string;
  };
}

export interface Def extends ConfigParameterBinding {
  string: string;
  help?: string;
}

export const SMS_SETTING_DEFS: Record<string, Def> = {
  sms_batch_size: { key: 'sms.session.batch.size', type: 'integer', default: 500, minimum: 1, string: 'SMS Batch Size', help: 'SMS claimed, charged and sent together.' },
  sms_rate_limit: { key: 'sms.rate_limit', type: 'float', default: 0, minimum: 0, string: 'Rate Limit (SMS/second per sender)', help: '0 means no limit.' },
  sms_dispatch_concurrency: { key: 'sms.dispatch.concurrency', type: 'integer', default: 16, minimum: 1, string: 'Provider Requests in Flight', help: 'Per server instance.' },
  sms_dispatch_workers: { key: 'sms.dispatch.workers', type: 'integer', default: 3, minimum: 1, string: 'Dispatch Workers', help: 'Batches handled at once per server instance.' },
  sms_dispatch_lease: { key: 'sms.dispatch.lease', type: 'integer', default: 60, minimum: 1, string: 'Dispatch Lease (seconds)', help: 'After this delay a batch left by a crashed instance is reconciled by another one.' },
  sms_max_attempts: { key: 'sms.dispatch.max_attempts', type: 'integer', default: 6, minimum: 1, string: 'Attempts on Transient Errors' },
  sms_simulator_latency: { key: 'sms.simulator.latency_ms', type: 'integer', default: 0, minimum: 0, string: 'Simulator Latency (ms)', help: 'Added to every request.' },
  sms_simulator_delivery_delay: { key: 'sms.simulator.delivery_delay_ms', type: 'integer', default: 1000, minimum: 0, string: 'Simulator Delivery Delay (ms)', help: 'Time between acceptance (Sent) and the delivery report (Delivered).' },
  sms_simulator_failure_mode: {
    key: 'sms.simulator.failure_mode', type: 'selection', default: 'none', string: 'Simulator Failure Mode',
    selection: [['none', 'None'], ['server_error', 'Server error (HTTP 500)'], ['throttle', 'Throttling (HTTP 429)'], ['timeout', 'Timeout']],
  },
  sms_simulator_failure_count: { key: 'sms.simulator.failure_count', type: 'integer', default: 0, minimum: 0, string: 'Simulator Failing Requests', help: 'Number of next requests that fail with the failure mode; 0 = all of them.' },
  sms_simulator_retry_after: { key: 'sms.simulator.retry_after', type: 'integer', default: 1, minimum: 0, string: 'Simulator Retry-After (seconds)', help: 'Sent with throttling answers.' },
  sms_simulator_batch_size: { key: 'sms.simulator.max_batch_size', type: 'integer', default: 500, minimum: 1, string: 'Simulator Max Batch Size', help: 'Messages per request the simulated gateway accepts (1 = one request per SMS, like Twilio).' },
  sms_simulator_sender: { key: 'sms.simulator.sender', type: 'char', default: 'SIMULATOR', string: 'Simulator Sender' },
};

/** Addons choosing the provider (sms_twilio: the company's `sms_provider`); the first answer wins. */
const PROVIDER_RESOLVERS: ((registry: Registry) => Promise<string | null>)[] = [];
export function registerProviderResolver(fn: (registry: Registry) => Promise<string | null>): void {
  if (!PROVIDER_RESOLVERS.includes(fn)) PROVIDER_RESOLVERS.push(fn);
}

async function resolveProvider(registry: Registry): Promise<string> {
  for (const fn of PROVIDER_RESOLVERS) {
    const name = await fn(registry);
    if (name) return name;
  }
  return 'simulator';
}

// Every instance re-reads the parameters at most once per second; a change made in this process
// is seen at once.
const CACHE_MS = 1000;
const cache = new WeakMap<Registry, { at: number; version: number; value: SmsSettings }>();
let version = 0;
export function invalidateSmsSettings(): void {
  version++;
}

/** Bind the settings fields to their system parameters (run when a registry loads the sms addon). */
export function bindSmsSettings(): void {
  for (const [field, def] of Object.entries(SMS_SETTING_DEFS)) bindConfigParameter(field, { ...def, onChange: invalidateSmsSettings });
}

/** Current settings (cached for a second per registry). */
export async function loadSmsSettings(registry: Registry): Promise<SmsSettings> {
  const hit = cache.get(registry);
  if (hit && hit.version === version && Date.now() - hit.at < CACHE_MS) return hit.value;
  const { rows } = await registry.pool.query<{ key: string; value: string }>(`SELECT key, value FROM ir_config_parameter WHERE key LIKE 'sms.%'`);
  const p = new Map(rows.map((r) => [r.key, r.value]));
  // Each value is checked against its field's schema; one that does not fit reads as the default.
  const g = <T>(field: keyof typeof SMS_SETTING_DEFS) => decodeConfigValue(field, p.get(SMS_SETTING_DEFS[field].key)) as T;
  const value: SmsSettings = {
    provider: await resolveProvider(registry),
    batchSize: g<number>('sms_batch_size'),
    rateLimit: g<number>('sms_rate_limit'),
    concurrency: g<number>('sms_dispatch_concurrency'),
    workers: g<number>('sms_dispatch_workers'),
    leaseSeconds: g<number>('sms_dispatch_lease'),
    maxAttempts: g<number>('sms_max_attempts'),
    simulator: {
      latencyMs: g<number>('sms_simulator_latency'),
      deliveryDelayMs: g<number>('sms_simulator_delivery_delay'),
      failureMode: g<FailureMode>('sms_simulator_failure_mode'),
      failureCount: g<number>('sms_simulator_failure_count'),
      retryAfterSeconds: g<number>('sms_simulator_retry_after'),
      maxBatchSize: g<number>('sms_simulator_batch_size'),
      sender: g<string>('sms_simulator_sender') || 'SIMULATOR',
    },
  };
  cache.set(registry, { at: Date.now(), version, value });
  return value;
}

/** Write settings parameters directly (tests, benchmarks, CLI); keys are settings field names. */
export async function writeSmsSettings(registry: Registry, values: Partial<Record<keyof typeof SMS_SETTING_DEFS, string | number | boolean | null>>): Promise<void> {
  for (const [field, value] of Object.entries(values)) {
    const def = SMS_SETTING_DEFS[field];
    if (!def) throw new Error(`Unknown SMS setting ${field}`);
    if (value !== null && value !== false && value !== '') assertConfigValue(field, value, def.string);
    if (value === null || value === false || value === '') await registry.pool.query(`DELETE FROM ir_config_parameter WHERE key = $1`, [def.key]);
    else {
      await registry.pool.query(
        `INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date) VALUES ($1, $2, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_date = EXCLUDED.write_date`,
        [def.key, String(value)],
      );
    }
  }
  invalidateSmsSettings();
}

export const SMS_SETTING_KEYS: Record<string, string> = Object.fromEntries(Object.entries(SMS_SETTING_DEFS).map(([f, d]) => [f, d.key]));
