// The SMS sending engine: exactly-once dispatch of outgoing sms.sms rows through a provider.
//
// One batch goes through three short transactions (READ COMMITTED, see providers/tx.ts):
//
//   1. claim   `UPDATE sms_sms SET state='process', lease_owner=<me>, lease_until=now+lease
//              WHERE id IN (SELECT ... WHERE state='outgoing' ... FOR UPDATE SKIP LOCKED LIMIT n)`;
//              in the same transaction: missing/malformed numbers fail at no cost, the batch is
//              priced and the credits debited all-or-nothing (else every SMS of the batch fails
//              with `sms_credit` and the balance is unchanged). COMMIT before any provider call.
//   2. send    provider requests (batch size, per-sender rate limit, bounded concurrency), with
//              no transaction open. A request starts only if it can end (timeout) well before
//              the lease expires.
//   3. record  states, provider ids, refunds, and the SMS_STATE_HOOKS, in one transaction,
//              only for rows still leased to this instance.
//
// Reconciliation (an instance killed at any point): a row left in `process` whose instance is gone
// (its heartbeat promise ran out, seconds after a crash: see instance_heartbeat.ts) or whose lease
// expired is taken over by any instance, which asks the provider that was recorded at claim time
// whether it knows the uuid:
//   - known  → the message was accepted: `pending` (or `sent`/`error` as the provider says);
//   - unknown, and the provider's lookup is authoritative (the simulator's is: it stores every
//     accepted uuid before answering, and a request is never started after lease − timeout −
//     margin) → it was never taken: back to `outgoing`, credits refunded, sent again later;
//   - the provider cannot answer (no lookup) → `error`/`unknown` ("outcome unknown"), never
//     resent automatically: at most once, a person may use `resend_failed`.
// Ambiguous request failures (timeout, 5xx, connection reset) are resolved the same way right
// away. 429 and other "not processed" answers are retried with exponential backoff, honouring
// Retry-After; after `max attempts` the SMS fails with `sms_server`.

import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Registry } from '../orm/registry.ts';
import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';
import { applyReports, claimOutgoing, releaseDue, clearSettledLeases, failClaimed, forgetGoneInstances, RECONCILIATION_WORK, recordOutcomes, setClaimedCredits, takeOverExpired, type ClaimedRow, type RecordedRow } from './queries.ts';
import { InstanceHeartbeat } from './instance_heartbeat.ts';
export { SMS_ENGINE_DDL } from './queries.ts';
import { SMS_STATE_HOOKS, type SmsStateUpdate } from './hooks.ts';
import { SMS_FAILURE_KEYS } from './states.ts';
import { billedSegments, checkNumber, debitCredits, loadPriceTable, priceOf, refundCredits, toDecimal, UNIT } from './credit.ts';
import { readCommitted } from './providers/tx.ts';
import { loadSmsSettings, type SmsSettings } from './providers/settings.ts';
import { reservationSize, reserve } from './providers/rate_limit.ts';
import { SimulatorProvider } from './providers/simulator.ts';
import { timedProviderCall } from './providers/metrics.ts';
import { ProviderError, type DeliveryReport, type LookupResult, type OutgoingSms, type SmsProvider } from './providers/types.ts';
import { instanceId, triggerCron } from '../base/ir_cron.ts';
import type { Logger } from '../orm/config.ts';

export const SMS_QUEUE_CRON = 'sms.ir_cron_sms_scheduler_action';
/** How often a busy instance looks for batches of gone instances between its own batches. */
const RECOVER_EVERY_MS = 2000;



export interface ProviderFactoryOptions {
  logger: Logger;
  /** The delivery-report path (applyDeliveryReports), for providers that report in the background. */
  deliver: (env: Env, reports: DeliveryReport[]) => Promise<unknown>;
}
export type ProviderFactory = (registry: Registry, opts: ProviderFactoryOptions) => SmsProvider;
const PROVIDER_FACTORIES = new Map<string, ProviderFactory>();

/** Make a provider available to every engine under `name` (addons such as sms_twilio). */
export function registerSmsProvider(name: string, factory: ProviderFactory): void {
  PROVIDER_FACTORIES.set(name, factory);
}

// ---------------------------------------------------------------- small helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** A provider request's timeout: the provider's own, at most a third of the lease. */
function requestTimeout(providerTimeoutMs: number, leaseMs: number): number {
  return Math.max(100, Math.min(providerTimeoutMs, Math.floor(leaseMs / 3)));
}

function smsFailureType(t: string | undefined): string {
  return t && SMS_FAILURE_KEYS.has(t) ? t : 'unknown';
}

async function runHooks(env: Env, updates: SmsStateUpdate[]): Promise<void> {
  if (!updates.length) return;
  for (const hook of SMS_STATE_HOOKS) await hook(env, updates);
}

// ---------------------------------------------------------------- types

interface Claimed {
  id: number;
  uuid: string;
  number: string;
  body: string;
  attempt: number;
  credit: number;
}

type Outcome =
  | { kind: 'accepted'; ref?: string; state?: 'pending' | 'sent' }
  | { kind: 'rejected'; failureType: string; reason?: string }
  | { kind: 'retry'; delayMs?: number; reason?: string }
  | { kind: 'ambiguous'; reason: string }
  | { kind: 'release'; delayMs?: number }
  | { kind: 'unknown'; reason: string };

export interface QueueResult {
  claimed: number;
  /** Handed to the provider (`pending` or already `sent`). */
  sent: number;
  failed: number;
  /** Put back in the queue for a later attempt (transient errors, lease too short). */
  retried: number;
  /** Outgoing SMS (in scope) still claimable when the run stopped (counted up to 100,000). */
  remaining: number;
  /** Rows taken over from crashed instances. */
  recovered: number;
}

export interface ProcessQueueOptions {
  /** Only these SMS (send()/force send); default: the whole queue. */
  ids?: number[];
  /** Date.now() after which no new batch is claimed. */
  deadline?: number;
  /** Odoo's unlink_sent / unlink_failed: mark SMS `to_delete` when sent / failed. */
  unlinkSent?: boolean;
  unlinkFailed?: boolean;
  /** Wait inside this run for retries due within this many ms (default 5 s). */
  inlineRetryMs?: number;
  /** Stop claiming when aborted (scheduler shutdown); the batches in hand are finished. */
  signal?: AbortSignal;
}

// ---------------------------------------------------------------- engine

export class SmsEngine {
  readonly registry: Registry;
  logger: Logger;
  readonly owner: string;
  private readonly providers = new Map<string, SmsProvider>();
  /** Provider requests in flight in this instance (`sms.dispatch.concurrency`, resized live). */
  private readonly slots = pLimit(16);
  private readonly pausedUntil = new Map<string, number>();
  /** Claims of this instance's workers go one at a time: batches stay whole (a small queue is not split). */
  private claiming: Promise<unknown> = Promise.resolve();
  private started = false;
  /** This instance's liveness promise, renewed while it holds leases. */
  readonly heartbeat: InstanceHeartbeat;
  private recovering: Promise<number> | undefined;
  private lastRecover = 0;
  private lastForget = 0;

  constructor(registry: Registry, opts: { logger?: Logger; owner?: string } = {}) {
    this.registry = registry;
    // Engines nobody configured (tests, one-off scripts) log through the registry's logger.
    this.logger = opts.logger ?? registry.logger.child({ component: 'sms' });
    this.owner = opts.owner ?? `${instanceId()}:${randomUUID().slice(0, 8)}`;
    this.heartbeat = new InstanceHeartbeat(registry, this.owner, () => this.logger);
  }

  /** Provider by name; the simulator and registered providers are built on first use. */
  provider(name: string): SmsProvider {
    let p = this.providers.get(name);
    const factory = name === 'simulator' ? (r: Registry, o: ProviderFactoryOptions) => new SimulatorProvider(r, o) : PROVIDER_FACTORIES.get(name);
    if (!p && factory) {
      p = factory(this.registry, { logger: this.logger, deliver: (env, reports) => applyDeliveryReports(env, reports) });
      this.providers.set(name, p);
      if (this.started) p.start?.();
    }
    if (!p) throw new Error(`Unknown SMS provider ${name}`);
    return p;
  }

  /** Install a provider (Twilio later; tests). */
  setProvider(p: SmsProvider): void {
    this.providers.set(p.name, p);
    if (this.started) p.start?.();
  }

  /** Start providers' background work (simulator delivery reports). */
  start(): void {
    this.started = true;
    this.provider('simulator');
    for (const p of this.providers.values()) p.start?.();
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const p of this.providers.values()) await p.stop?.();
  }

  // -------------------------------------------------------------- queue

  /** Send outgoing SMS until none is left (or the deadline): Odoo's `_process_queue`. */
  async processQueue(opts: ProcessQueueOptions = {}): Promise<QueueResult> {
    const deadline = opts.deadline ?? Date.now() + 120_000;
    const inlineRetryMs = opts.inlineRetryMs ?? 5000;
    const total: QueueResult = { claimed: 0, sent: 0, failed: 0, retried: 0, remaining: 0, recovered: 0 };
    total.recovered = await this.recover();
    const ids = opts.ids && opts.ids.length ? [...new Set(opts.ids)] : undefined;
    if (opts.ids && !ids) return total;
    for (;;) {
      const settings = await loadSmsSettings(this.registry);
      this.slots.concurrency = settings.concurrency;
      let failure: unknown;
      const worker = async () => {
        while (Date.now() < deadline && !opts.signal?.aborted && failure === undefined) {
          try {
            // A peer that died during this run is reconciled now, not at the next run.
            if (!this.recovering && Date.now() - this.lastRecover >= RECOVER_EVERY_MS) total.recovered += await this.recover();
            const res = await this.runBatch(settings, { ids, unlinkSent: opts.unlinkSent ?? true, unlinkFailed: opts.unlinkFailed ?? false });
            if (!res) return;
            total.claimed += res.claimed;
            total.sent += res.sent;
            total.failed += res.failed;
            total.retried += res.retried;
          } catch (err) {
            // The batch in hand stays leased: reconciliation settles it. Stop the other workers too.
            failure ??= err;
          }
        }
      };
      await Promise.all(Array.from({ length: settings.workers }, worker));
      if (failure !== undefined) throw failure;
      if (Date.now() >= deadline || opts.signal?.aborted) break;
      // Nothing claimable now: wait here for retries due soon, else leave them to a cron trigger.
      const next = await this.nextRetryIn(ids);
      if (next === null) break;
      if (next > inlineRetryMs || Date.now() + next >= deadline) {
        await this.registry.sudo((env) => triggerCron(env, SMS_QUEUE_CRON, new Date(Date.now() + next)));
        break;
      }
      await sleep(next + 20);
    }
    total.remaining = await this.claimableCount(ids);
    return total;
  }

  private async nextRetryIn(ids?: number[]): Promise<number | null> {
    const { rows } = await this.registry.pool.query<{ ms: number | null }>(
      `SELECT (extract(epoch FROM min(next_try) - (now() AT TIME ZONE 'UTC')) * 1000)::float8 AS ms FROM sms_sms
       WHERE state = 'outgoing' AND NOT to_delete AND next_try IS NOT NULL ${ids ? 'AND id = ANY($1::int4[])' : ''}`,
      ids ? [ids] : [],
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? null : Math.max(0, Number(ms));
  }

  private async claimableCount(ids?: number[]): Promise<number> {
    const { rows } = await this.registry.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM sms_sms WHERE state = 'outgoing' AND NOT to_delete AND (next_try IS NULL OR next_try <= now() AT TIME ZONE 'UTC')
         AND (not_before IS NULL OR not_before <= now() AT TIME ZONE 'UTC')
       ${ids ? 'AND id = ANY($1::int4[])' : ''} LIMIT 100000) x`,
      ids ? [ids] : [],
    );
    return rows[0]?.n ?? 0;
  }

  /** Claim, send and record one batch; null when nothing was claimable. */
  async runBatch(settings: SmsSettings, opts: { ids?: number[]; unlinkSent: boolean; unlinkFailed: boolean }): Promise<{ claimed: number; sent: number; failed: number; retried: number } | null> {
    const started = Date.now();
    const provider = this.provider(settings.provider);
    await provider.refresh?.();
    const caps = provider.capabilities();
    const leaseMs = settings.leaseSeconds * 1000;
    const timeoutMs = requestTimeout(caps.timeoutMs, leaseMs);
    let size = settings.batchSize;
    // Rate-limited: a batch should take a few seconds at most, shared between the workers.
    const totalRate = provider.totalRateLimit?.() ?? settings.rateLimit;
    if (totalRate > 0) size = Math.max(1, Math.min(size, Math.floor((totalRate * Math.min(5, settings.leaseSeconds / 4)) / settings.workers)));
    // Renewing before the claim: no SMS is ever leased to an instance without a live heartbeat row.
    await this.heartbeat.hold(timeoutMs);
    let claim: Awaited<ReturnType<SmsEngine['claim']>>;
    let outcomes: Map<number, Outcome>;
    let res: Awaited<ReturnType<SmsEngine['record']>>;
    try {
      const turn = this.claiming.then(() => this.claim(size, leaseMs, provider, caps.prepaid, opts));
      this.claiming = turn.catch(() => undefined);
      claim = await turn;
      if (!claim) return null;
      outcomes = await this.sendAll(claim.rows, settings, provider, claim.leaseEnd, timeoutMs);
      res = await this.record(outcomes, claim.rows, settings, opts);
    } finally {
      this.heartbeat.release();
    }
    const { rows, failed: claimFailed, creditFailed } = claim;
    const stats = { claimed: rows.length + claimFailed, sent: res.sent, failed: res.failed + claimFailed, retried: res.retried };
    this.logger.info(
      { provider: provider.name, claimed: stats.claimed, sent: stats.sent, failed: stats.failed, retried: stats.retried, credit_refused: creditFailed, ms: Date.now() - started },
      'sms batch',
    );
    return stats;
  }

  // -------------------------------------------------------------- 1. claim

  private async claim(
    limit: number,
    leaseMs: number,
    provider: SmsProvider,
    prepaid: boolean,
    opts: { ids?: number[]; unlinkFailed: boolean },
  ): Promise<{ rows: Claimed[]; failed: number; creditFailed: number; leaseEnd: number } | null> {
    const table = prepaid ? await loadPriceTable(this.registry) : null;
    return readCommitted(this.registry, async (env) => {
      if (!opts.ids) await env.cr.execute(releaseDue());
      const claimed = await env.cr.query<ClaimedRow>(claimOutgoing({ owner: this.owner, leaseMs, provider: provider.name, limit, ids: opts.ids }));
      if (!claimed.length) return null;
      // Local clock time when the lease ends (measured from the database's clock, no skew).
      const leaseEnd = Date.now() + Math.min(...claimed.map((r) => Number(r.lease_ms)));
      claimed.sort((a, b) => a.id - b.id);
      const failures: { id: number; uuid: string; failureType: string; reason?: string }[] = [];
      const ok: Claimed[] = [];
      let cost = 0;
      for (const r of claimed) {
        const check = checkNumber(r.number, this.registry.config.defaultCountry);
        if (!check.ok) {
          failures.push({ id: r.id, uuid: r.uuid, failureType: check.failureType });
          continue;
        }
        const credit = table ? priceOf(table, check.country, billedSegments(r.body)) : 0;
        cost += credit;
        ok.push({ id: r.id, uuid: r.uuid, number: check.e164, body: r.body ?? '', attempt: r.attempt, credit });
      }
      let creditFailed = 0;
      if (ok.length && prepaid && !(await debitCredits(env, cost))) {
        // All or nothing: nothing of this batch is sent, nothing is charged.
        for (const r of ok) failures.push({ id: r.id, uuid: r.uuid, failureType: 'sms_credit', reason: "You don't have enough credits on your IAP account." });
        creditFailed = ok.length;
        ok.length = 0;
      }
      if (ok.length && prepaid) {
        await env.cr.execute(setClaimedCredits(ok.map((r) => r.id), ok.map((r) => toDecimal(r.credit))));
      }
      if (failures.length) {
        const rows = await env.cr.query<{ id: number; uuid: string; failure_type: string }>(failClaimed(failures.map((f) => f.id), failures.map((f) => f.failureType), opts.unlinkFailed));
        const reasons = new Map(failures.map((f) => [f.id, f.reason ?? null]));
        await runHooks(env, rows.map((r) => ({ smsId: r.id, uuid: r.uuid, state: 'error', failureType: r.failure_type, failureReason: reasons.get(r.id) ?? null })));
      }
      return { rows: ok, failed: failures.length, creditFailed, leaseEnd };
    });
  }

  // -------------------------------------------------------------- 2. send

  private async sendAll(rows: Claimed[], settings: SmsSettings, provider: SmsProvider, leaseEnd: number, timeoutMs: number): Promise<Map<number, Outcome>> {
    const outcomes = new Map<number, Outcome>();
    if (!rows.length) return outcomes;
    const caps = provider.capabilities();
    const leaseMs = settings.leaseSeconds * 1000;
    const margin = Math.min(5000, Math.floor(leaseMs / 10));
    // The last moment a request may start so that it ends (or is abandoned) before the lease ends.
    const lastStart = leaseEnd - timeoutMs - margin;
    const bySender = new Map<string, Claimed[]>();
    for (const r of rows) {
      const s = provider.senderFor(r.number);
      const list = bySender.get(s);
      if (list) list.push(r);
      else bySender.set(s, [r]);
    }
    const tasks: Promise<void>[] = [];
    for (const [sender, list] of bySender) {
      const requests = (part: Claimed[]) => {
        const out: Claimed[][] = [];
        for (let i = 0; i < part.length; i += caps.maxBatchSize) out.push(part.slice(i, i + caps.maxBatchSize));
        return out;
      };
      const rate = provider.rateLimitFor?.(sender) ?? settings.rateLimit;
      if (rate > 0) {
        // Reservations of about 1/10 s of traffic, in order, so each sender's messages leave at
        // the configured pace; each reservation is then sent as provider requests.
        const size = reservationSize(rate, list.length);
        tasks.push(
          (async () => {
            const inflight: Promise<void>[] = [];
            for (let i = 0; i < list.length; i += size) {
              const group = list.slice(i, i + size);
              if (Date.now() >= lastStart) {
                for (const r of group) outcomes.set(r.id, { kind: 'release' });
                continue;
              }
              const { waitMs } = await reserve(this.registry, `${provider.name}:${sender}`, group.length, rate);
              if (Date.now() + waitMs >= lastStart) {
                // Its slot comes after the lease: back to the queue until then.
                for (const r of group) outcomes.set(r.id, { kind: 'release', delayMs: waitMs });
                continue;
              }
              if (waitMs > 0) await sleep(waitMs);
              for (const chunk of requests(group)) inflight.push(this.sendChunk(chunk, sender, provider, timeoutMs, lastStart, outcomes));
            }
            await Promise.all(inflight);
          })(),
        );
      } else {
        for (const chunk of requests(list)) tasks.push(this.sendChunk(chunk, sender, provider, timeoutMs, lastStart, outcomes));
      }
    }
    await Promise.all(tasks);
    await this.resolveAmbiguous(rows, provider, outcomes, timeoutMs);
    return outcomes;
  }

  private sendChunk(chunk: Claimed[], sender: string, provider: SmsProvider, timeoutMs: number, lastStart: number, outcomes: Map<number, Outcome>): Promise<void> {
    return this.slots(() => this.sendChunkNow(chunk, sender, provider, timeoutMs, lastStart, outcomes));
  }

  /** One provider request for `chunk`, once a slot is free; outcomes recorded per SMS. */
  private async sendChunkNow(chunk: Claimed[], sender: string, provider: SmsProvider, timeoutMs: number, lastStart: number, outcomes: Map<number, Outcome>): Promise<void> {
    const paused = (this.pausedUntil.get(provider.name) ?? 0) - Date.now();
    if (paused > 0) {
      if (Date.now() + paused >= lastStart) {
        for (const r of chunk) outcomes.set(r.id, { kind: 'release', delayMs: paused });
        return;
      }
      await sleep(paused);
    }
    // Past the lease, or this instance could no longer renew its heartbeat: back to the queue.
    if (Date.now() >= lastStart || !this.heartbeat.mayStart(timeoutMs)) {
      for (const r of chunk) outcomes.set(r.id, { kind: 'release' });
      return;
    }
    const batch: OutgoingSms[] = chunk.map((r) => ({ uuid: r.uuid, number: r.number, body: r.body, sender }));
    try {
      const results = await timedProviderCall(provider.name, () => provider.send(batch, { signal: AbortSignal.timeout(timeoutMs) }));
      const byUuid = new Map(results.map((x) => [x.uuid, x]));
      for (const r of chunk) {
        const x = byUuid.get(r.uuid);
        if (!x) outcomes.set(r.id, { kind: 'ambiguous', reason: 'no answer for this message' });
        else if (x.status === 'accepted') {
          if (x.duplicate) this.logger.warn({ uuid: r.uuid }, 'provider already had this SMS (not sent twice)');
          outcomes.set(r.id, { kind: 'accepted', ref: x.providerRef });
        } else if (x.status === 'rejected') outcomes.set(r.id, { kind: 'rejected', failureType: x.failureType, reason: x.failureReason });
        else outcomes.set(r.id, { kind: 'retry', delayMs: x.retryAfterMs, reason: x.failureReason });
      }
    } catch (err) {
      const e = err instanceof ProviderError ? err : new ProviderError('timeout', err instanceof Error ? err.message : String(err), { ambiguous: true });
      if (e.kind === 'throttled' && e.retryAfterMs) this.pausedUntil.set(provider.name, Date.now() + e.retryAfterMs);
      this.logger.warn({ provider: provider.name, kind: e.kind, ambiguous: e.ambiguous, messages: chunk.length, err: e.message }, 'provider request failed');
      for (const r of chunk) {
        outcomes.set(r.id, e.ambiguous ? { kind: 'ambiguous', reason: e.message } : e.kind === 'auth' ? { kind: 'rejected', failureType: 'sms_acc', reason: e.message } : { kind: 'retry', delayMs: e.retryAfterMs, reason: e.message });
      }
    }
  }

  /** Requests that may or may not have been processed: ask the provider before anything else. */
  private async resolveAmbiguous(rows: Claimed[], provider: SmsProvider, outcomes: Map<number, Outcome>, timeoutMs: number): Promise<void> {
    const amb = rows.filter((r) => outcomes.get(r.id)?.kind === 'ambiguous');
    if (!amb.length) return;
    const caps = provider.capabilities();
    if (!provider.lookup) {
      for (const r of amb) outcomes.set(r.id, { kind: 'unknown', reason: `Outcome unknown (${(outcomes.get(r.id) as { reason: string }).reason}); not resent automatically.` });
      return;
    }
    let known: Map<string, LookupResult>;
    try {
      known = await provider.lookup(amb.map((r) => r.uuid), { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      // Cannot tell now: leave these rows in `process`; reconciliation asks again once this instance is idle or the lease expired.
      this.logger.warn({ err, messages: amb.length }, 'provider lookup failed, left for reconciliation');
      for (const r of amb) outcomes.delete(r.id);
      return;
    }
    for (const r of amb) {
      const k = known.get(r.uuid);
      const reason = (outcomes.get(r.id) as { reason: string }).reason;
      if (k) outcomes.set(r.id, lookupOutcome(k));
      else if (caps.authoritativeLookup) outcomes.set(r.id, { kind: 'retry', reason });
      else outcomes.set(r.id, { kind: 'unknown', reason: `Outcome unknown (${reason}); not resent automatically.` });
    }
  }

  // -------------------------------------------------------------- 3. record

  private async record(
    outcomes: Map<number, Outcome>,
    rows: Pick<Claimed, 'id' | 'attempt'>[],
    settings: SmsSettings,
    opts: { unlinkSent: boolean; unlinkFailed: boolean },
  ): Promise<{ sent: number; failed: number; retried: number }> {
    const ids: number[] = [];
    const states: string[] = [];
    const ftypes: (string | null)[] = [];
    const refs: (string | null)[] = [];
    const delays: (number | null)[] = [];
    const incs: number[] = [];
    const refunds: boolean[] = [];
    const dels: boolean[] = [];
    const reasons = new Map<number, string | null>();
    // Provider failure types sms.sms does not list (e.g. twilio_from_missing) still reach the traces.
    const rawTypes = new Map<number, string>();
    let sent = 0;
    let failed = 0;
    let retried = 0;
    for (const r of rows) {
      const o = outcomes.get(r.id);
      if (!o) continue;
      let state: string;
      let ftype: string | null = null;
      let ref: string | null = null;
      let delay: number | null = null;
      let inc = 0;
      let refund = false;
      let del = false;
      switch (o.kind) {
        case 'accepted':
          state = o.state ?? 'pending';
          ref = o.ref ?? null;
          del = opts.unlinkSent;
          sent++;
          break;
        case 'rejected':
          state = 'error';
          ftype = smsFailureType(o.failureType);
          if (o.failureType !== ftype) rawTypes.set(r.id, o.failureType);
          reasons.set(r.id, o.reason ?? (o.failureType !== ftype ? o.failureType : null));
          refund = true;
          del = opts.unlinkFailed;
          failed++;
          break;
        case 'unknown':
          state = 'error';
          ftype = 'unknown';
          reasons.set(r.id, o.reason);
          del = opts.unlinkFailed;
          failed++;
          break;
        case 'retry':
          refund = true;
          if (r.attempt + 1 >= settings.maxAttempts) {
            state = 'error';
            ftype = 'sms_server';
            reasons.set(r.id, o.reason ?? null);
            del = opts.unlinkFailed;
            failed++;
          } else {
            state = 'outgoing';
            inc = 1;
            delay = o.delayMs ?? Math.min(300_000, 1000 * 2 ** r.attempt) * (0.8 + 0.4 * Math.random());
            retried++;
          }
          break;
        case 'release':
          state = 'outgoing';
          refund = true;
          delay = o.delayMs ?? null;
          retried++;
          break;
        default:
          continue;
      }
      ids.push(r.id);
      states.push(state);
      ftypes.push(ftype);
      refs.push(ref);
      delays.push(delay);
      incs.push(inc);
      refunds.push(refund);
      dels.push(del);
    }
    if (!ids.length) return { sent, failed, retried };
    await readCommitted(this.registry, async (env) => {
      const changed = await env.cr.query<RecordedRow>(recordOutcomes({ owner: this.owner, ids, states, ftypes, refs, delays, incs, refunds, dels }));
      if (changed.length < ids.length) this.logger.warn({ expected: ids.length, recorded: changed.length }, 'some SMS were taken over by another instance before their result was recorded');
      const refund = changed.reduce((s, r) => s + Math.round(Number(r.refunded) * UNIT), 0);
      await refundCredits(env, refund);
      await runHooks(
        env,
        changed
          .filter((r) => r.old_state === 'process' && r.new_state !== 'outgoing')
          .map((r) => ({ smsId: r.id, uuid: r.uuid, state: r.new_state as SmsStateUpdate['state'], failureType: rawTypes.get(r.id) ?? r.failure_type, failureReason: reasons.get(r.id) ?? null })),
      );
    });
    return { sent, failed, retried };
  }

  // -------------------------------------------------------------- reconciliation

  /**
   * Take over `process` rows whose lease expired or whose instance is gone, and settle them (see
   * the file header); also clear the lease of rows a delivery report settled. One run at a time.
   */
  recover(limit = 1000): Promise<number> {
    this.recovering ??= (async () => {
      try {
        return await this.reconcile(limit);
      } finally {
        this.lastRecover = Date.now();
        this.recovering = undefined;
      }
    })();
    return this.recovering;
  }

  private async reconcile(limit: number): Promise<number> {
    await readCommitted(this.registry, async (env) => {
      const cleared = await env.cr.query<{ id: number }>(clearSettledLeases(limit));
      if (cleared.length) this.logger.info({ cleared: cleared.length }, 'sms leases of settled SMS cleared');
      if (Date.now() - this.lastForget > 600_000) {
        this.lastForget = Date.now();
        await env.cr.execute(forgetGoneInstances());
      }
    });
    // The rows taken over are leased to this instance: its heartbeat lets others take them back fast if it dies too.
    await this.heartbeat.hold(0);
    try {
      return await this.takeOverAndSettle(limit);
    } finally {
      this.heartbeat.release();
    }
  }

  private async takeOverAndSettle(limit: number): Promise<number> {
    let total = 0;
    for (;;) {
      const settings = await loadSmsSettings(this.registry);
      const leaseMs = settings.leaseSeconds * 1000;
      const rows = await readCommitted(this.registry, (env) =>
        env.cr.query<{ id: number; uuid: string; provider: string | null; attempt: number }>(takeOverExpired({ owner: this.owner, leaseMs, limit })),
      );
      if (!rows.length) return total;
      total += rows.length;
      const outcomes = new Map<number, Outcome>();
      const byProvider = new Map<string, typeof rows>();
      for (const r of rows) {
        const key = r.provider ?? '';
        byProvider.set(key, [...(byProvider.get(key) ?? []), r]);
      }
      for (const [name, list] of byProvider) {
        let provider: SmsProvider | undefined;
        try {
          provider = name ? this.provider(name) : undefined;
        } catch {
          provider = undefined;
        }
        if (!provider?.lookup) {
          for (const r of list) outcomes.set(r.id, { kind: 'unknown', reason: 'Outcome unknown after an interrupted send; not resent automatically.' });
          continue;
        }
        const authoritative = provider.capabilities().authoritativeLookup;
        try {
          const known = await provider.lookup(list.map((r) => r.uuid), { signal: AbortSignal.timeout(15_000) });
          for (const r of list) {
            const k = known.get(r.uuid);
            outcomes.set(r.id, k ? lookupOutcome(k) : authoritative ? { kind: 'release' } : { kind: 'unknown', reason: 'Outcome unknown after an interrupted send; not resent automatically.' });
          }
        } catch (err) {
          this.logger.warn({ err, provider: name }, 'lookup failed during reconciliation; asked again at a later reconciliation');
        }
      }
      const res = await this.record(outcomes, rows, settings, { unlinkSent: true, unlinkFailed: false });
      this.logger.info({ recovered: rows.length, sent: res.sent, requeued: res.retried, failed: res.failed }, 'sms reconciliation');
      if (rows.length < limit) return total;
    }
  }
}

function lookupOutcome(k: LookupResult): Outcome {
  if (k.state === 'error') return { kind: 'rejected', failureType: k.failureType ?? 'unknown', reason: k.failureReason };
  return { kind: 'accepted', ref: k.providerRef, state: k.state };
}

// ---------------------------------------------------------------- per-registry engines

const engines = new WeakMap<Registry, SmsEngine>();

/** The sending engine of a registry (one per registry, created on first use). */
export function smsEngine(registry: Registry): SmsEngine {
  let e = engines.get(registry);
  if (!e) {
    e = new SmsEngine(registry);
    engines.set(registry, e);
  }
  return e;
}

/** Set the engine's logger (the server and CLI give theirs: per-batch lines at info). */
export function configureSmsEngine(registry: Registry, opts: { logger?: Logger }): SmsEngine {
  const e = smsEngine(registry);
  if (opts.logger) e.logger = opts.logger.child({ component: 'sms' });
  return e;
}

/**
 * Send these SMS now (Odoo's `send()` / a mailing's "Send Directly"), typically from a
 * postcommit callback. Waits up to 30 s; what is left (rate limit, retries) stays queued for the
 * SMS cron. Never throws: failures are logged and the SMS stay queued.
 */
export async function dispatchSmsNow(registry: Registry, smsIds: number[], opts: { unlinkSent?: boolean; unlinkFailed?: boolean; timeBudgetMs?: number } = {}): Promise<QueueResult | null> {
  if (!smsIds.length) return null;
  const engine = smsEngine(registry);
  try {
    const res = await engine.processQueue({ ids: smsIds, deadline: Date.now() + (opts.timeBudgetMs ?? 30_000), unlinkSent: opts.unlinkSent, unlinkFailed: opts.unlinkFailed });
    if (res.remaining > 0) await registry.sudo((env) => triggerCron(env, SMS_QUEUE_CRON));
    return res;
  } catch (err) {
    engine.logger.error({ err, sms: smsIds.length }, 'immediate SMS dispatch failed; left to the queue');
    await registry.sudo((env) => triggerCron(env, SMS_QUEUE_CRON)).catch(() => undefined);
    return null;
  }
}

/** Whether the SMS queue has work now: claimable SMS, or leases expired or held by a gone instance (scheduler probe). */
export async function smsQueueHasWork(registry: Registry): Promise<boolean> {
  const q = sql`SELECT EXISTS (SELECT 1 FROM sms_sms WHERE state = 'outgoing' AND NOT to_delete AND (next_try IS NULL OR next_try <= now() AT TIME ZONE 'UTC')
           AND (not_before IS NULL OR not_before <= now() AT TIME ZONE 'UTC'))
         OR ${RECONCILIATION_WORK} AS w`.toQuery();
  const { rows } = await registry.pool.query<{ w: boolean }>(q.text, q.values);
  return !!rows[0]?.w;
}

// ---------------------------------------------------------------- delivery reports

/**
 * The delivery-report path (the simulator's pump, and the `/sms/status` webhook of a real
 * gateway): moves handed-over SMS forward only (`process` → `pending` → `sent` | `error`) and marks
 * them to_delete like Odoo. Every report still reaches SMS_STATE_HOOKS (in the caller's
 * transaction), as Odoo updates traces through the uuid's tracker whatever the SMS row says: a
 * bounce reported after a delivery makes the trace `bounce`. Uuids whose SMS row was
 * garbage-collected reach the hooks with smsId 0. Returns the number of SMS rows moved.
 */
export async function applyDeliveryReports(env: Env, reports: DeliveryReport[]): Promise<number> {
  if (!reports.length) return 0;
  const uuids = reports.map((r) => r.uuid);
  const states = reports.map((r) => r.state);
  const ftypes = reports.map((r) => (r.state === 'error' ? smsFailureType(r.failureType) : null));
  const rows = await env.cr.query<{ id: number; uuid: string; state: string; failure_type: string | null; changed: boolean }>(applyReports(uuids, states, ftypes));
  const seen = new Set(rows.map((r) => r.uuid));
  const byUuid = new Map(reports.map((r) => [r.uuid, r]));
  const smsIdOf = new Map(rows.map((r) => [r.uuid, r.id]));
  const updates: SmsStateUpdate[] = [...byUuid.values()].map((r) => ({
    smsId: seen.has(r.uuid) ? smsIdOf.get(r.uuid)! : 0, uuid: r.uuid, state: r.state,
    failureType: r.state === 'error' ? r.failureType ?? 'unknown' : null, failureReason: r.failureReason ?? null,
  }));
  await runHooks(env, updates);
  return rows.filter((r) => r.changed).length;
}
