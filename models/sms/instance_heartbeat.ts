// Liveness of a sending-engine instance, so that the batches of a crashed instance are reconciled
// within seconds instead of after their lease (`sms_dispatch_lease`, a minute or more).
//
// Design: a heartbeat row per instance, `sms_engine_instance(id, heartbeat_at, alive_until)`,
// renewed every second while the instance holds leased SMS. Each renewal is a promise: "I start no
// provider request that could still be running after alive_until". The instance keeps it by
// starting a request only while `now + request timeout` is before the end of the window of its last
// successful renewal (measured from the moment the renewal was sent, so the database clock is never
// compared with the local one). Once alive_until has passed, another instance may take the gone
// instance's SMS over at once: nothing of it can reach the provider any more, so the usual
// reconciliation (ask the provider, then decide) stays exact and never sends twice. The window is
// 3 s of missed heartbeats plus the longest provider request timeout plus a 2 s margin (about 20 s
// with the simulator's 15 s timeout, 12 s with Twilio's 7 s).
//
// Why not a PostgreSQL session advisory lock per instance: a free lock proves that the session
// ended, not that the process stopped sending (a dropped connection, pg_terminate_backend, a
// network partition leave a live process with requests in flight), so a takeover would still have
// to wait for the longest request: the same bound as the heartbeat, for more machinery. Session
// locks also do not survive a transaction pooler (PgBouncer in transaction mode hands each
// statement any server session); the heartbeat row is a plain upsert and works through any pooler.
// Instances without a heartbeat row (older versions) keep the lease-expiry behaviour.

import type { Registry } from '../orm/registry.ts';
import type { Logger } from '../orm/config.ts';
import { beatInstance } from './queries.ts';

/** Renewal period while the instance holds leases. */
export const HEARTBEAT_MS = 1000;
/** Heartbeats that may be missed (slow database) before the instance stops starting requests. */
const STALE_MS = 3000;
/** Slack for timers and a request abandoned at its timeout but still finishing at the provider. */
const MARGIN_MS = 2000;

export class InstanceHeartbeat {
  private readonly registry: Registry;
  private readonly id: string;
  private readonly logger: () => Logger;
  private windowMs = STALE_MS + MARGIN_MS;
  /** Local time until which a provider request started now would still end inside the promise. */
  private sendableUntil = 0;
  private holders = 0;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private failing = false;

  constructor(registry: Registry, id: string, logger: () => Logger) {
    this.registry = registry;
    this.id = id;
    this.logger = logger;
  }

  /** Start holding leases whose provider requests last up to `requestTimeoutMs`; renews as needed before returning. */
  async hold(requestTimeoutMs: number): Promise<void> {
    this.holders++;
    this.timer ??= setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS).unref();
    const needed = STALE_MS + requestTimeoutMs + MARGIN_MS;
    const grow = needed > this.windowMs;
    if (grow) this.windowMs = needed;
    // A fresh renewal unless the last one still leaves the full stale allowance.
    if (grow || this.sendableUntil - Date.now() < this.windowMs - MARGIN_MS - HEARTBEAT_MS) {
      try {
        await this.beat();
      } catch (err) {
        this.release();
        throw err;
      }
    }
  }

  /** Done with the leases taken after `hold`; renewals stop when nobody holds any. */
  release(): void {
    this.holders = Math.max(0, this.holders - 1);
    if (!this.holders && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Whether a provider request of at most `timeoutMs` may start now without breaking the promise. */
  mayStart(timeoutMs: number): boolean {
    return Date.now() + timeoutMs <= this.sendableUntil;
  }

  private beat(): Promise<void> {
    this.beating ??= (async () => {
      const sentAt = Date.now();
      const windowMs = this.windowMs;
      try {
        const q = beatInstance(this.id, windowMs).toQuery();
        await this.registry.pool.query(q.text, q.values);
        this.sendableUntil = Math.max(this.sendableUntil, sentAt + windowMs - MARGIN_MS);
        if (this.failing) this.logger().info({ instance: this.id }, 'sms engine heartbeat restored');
        this.failing = false;
      } catch (err) {
        // Without renewals the promise runs out: this instance stops starting requests by itself.
        if (!this.failing) this.logger().warn({ err, instance: this.id }, 'sms engine heartbeat failed');
        this.failing = true;
        throw err;
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }
}
