// The machinery behind the short-link redirect route (rpc/link_redirect.ts), built for the burst
// of a mailing's recipients clicking within minutes:
//
//   RedirectCache — code → target URL from memory. Every server instance LISTENs on one channel
//     (on the registry's LISTEN connection, models/orm/notify.ts); database triggers NOTIFY it (at
//     commit) when a tracker, code, UTM name or system parameter changes, and each instance then
//     drops its cache. While the LISTEN connection is down or behind, the cache is bypassed (every
//     lookup reads the database), so no instance serves a stale target. Behind a transaction
//     pooler LISTEN needs DATABASE_DIRECT_URL; without it the cache stays off.
//   ClickBatcher — group commit: clicks arriving while batches commit are written together by
//     the next one (one multi-row INSERT and the trace updates, one transaction); each caller is
//     answered only once its click's transaction has committed. Trackers' `count` is recounted
//     from the clicks right after (within RECOUNT_DELAY_MS), off the answer's path.

import type { Registry } from '../orm/registry.ts';
import { SUPERUSER_ID } from '../orm/env.ts';
import { redirectedUrl } from '../tools/link_url.ts';
import { CACHE_CHANNEL, Q } from './queries.ts';

export interface RedirectTarget {
  linkId: number;
  redirectedUrl: string;
}

// Cached codes per instance; past this the cache starts over (a mailing uses a handful of codes).
const MAX_CACHED_CODES = 100_000;

export class RedirectCache {
  private readonly entries = new Map<string, RedirectTarget>();
  /** Bumped by every invalidation: a lookup started before one must not fill the cache. */
  private generation = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly registry: Registry) {}

  /** Listen for invalidations on the registry's LISTEN connection (models/orm/notify.ts). */
  start(): void {
    this.unsubscribe ??= this.registry.notifier.subscribe(CACHE_CHANNEL, { invalidate: () => this.invalidate() });
  }

  /** Whether cached targets may be served: the LISTEN connection is up and caught up. */
  private get listening(): boolean {
    return this.unsubscribe !== null && this.registry.notifier.trusted();
  }

  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  /** The target of `code`, or null for an unknown code. */
  async lookup(code: string): Promise<RedirectTarget | null> {
    if (this.listening) {
      const hit = this.entries.get(code);
      if (hit) return hit;
    }
    const generation = this.generation;
    const listening = this.listening;
    const { text, values } = Q.redirectByCode(code).toQuery();
    const rows = (await this.registry.pool.query(text, values as unknown[])).rows as { id: number; url: string; campaign: string | null; source: string | null; medium: string | null; base_url: string | null; no_external: string | null }[];
    if (!rows.length) return null;
    const r = rows[0];
    const target = { linkId: r.id, redirectedUrl: redirectedUrl(r.url, r, { baseUrl: (r.base_url || '').replace(/\/+$/, ''), noExternalTracking: !!r.no_external }) };
    if (listening && this.listening && generation === this.generation) {
      if (this.entries.size >= MAX_CACHED_CODES) this.entries.clear();
      this.entries.set(code, target);
    }
    return target;
  }

  get size(): number {
    return this.entries.size;
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.invalidate();
  }
}

// How long a committed click may wait before its tracker's `count` includes it.
const RECOUNT_DELAY_MS = 200;

export interface Click {
  linkId: number;
  ip: string;
  /** The sms.sms id of `/r/<code>/s/<sms id>` (its trace gets the click), else null. */
  smsId: number | null;
}

interface Pending extends Click {
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class ClickBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly withTraces: boolean;
  private readonly maxInFlight: number;
  /** Trackers whose `count` lags their committed clicks. */
  private dirty = new Set<number>();
  private recountTimer: NodeJS.Timeout | null = null;
  private recounting: Promise<void> | null = null;

  /**
   * Up to `maxInFlight` batches commit at once (their WAL flushes overlap; default: half the
   * pool); `maxBatch` caps one statement.
   */
  constructor(private readonly registry: Registry, private readonly opts: { maxInFlight?: number; maxBatch?: number } = {}) {
    this.withTraces = registry.has('link.tracker.click') && registry.get('link.tracker.click').fields.has('mailing_trace_id');
    this.maxInFlight = opts.maxInFlight ?? Math.max(2, Math.floor((registry.pool?.options.max ?? 10) / 2));
  }

  /** Resolves once the click is committed. */
  add(click: Click): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...click, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || !this.queue.length || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    // Clicks of the same event-loop turn join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (!this.queue.length || this.inFlight >= this.maxInFlight) return;
    const batch = this.queue.splice(0, this.opts.maxBatch ?? 1000);
    this.inFlight++;
    this.schedule();
    try {
      const links = batch.map((c) => c.linkId);
      const ips = batch.map((c) => c.ip);
      const q = (this.withTraces ? Q.insertClicksWithTraces(SUPERUSER_ID, links, ips, batch.map((c) => c.smsId)) : Q.insertClicks(SUPERUSER_ID, links, ips)).toQuery();
      // One statement is its own transaction (autocommit): one round trip instead of BEGIN/COMMIT.
      await this.registry.pool.query(q.text, q.values as unknown[]);
      for (const c of batch) {
        this.dirty.add(c.linkId);
        c.resolve();
      }
      this.scheduleRecount();
    } catch (err) {
      for (const c of batch) c.reject(err);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }

  private scheduleRecount(delay = RECOUNT_DELAY_MS): void {
    if (this.recountTimer || this.recounting || !this.dirty.size) return;
    this.recountTimer = setTimeout(() => {
      this.recountTimer = null;
      void this.recount();
    }, delay);
  }

  /** Bring the dirty trackers' `count` up to their clicks (one statement). */
  private recount(): Promise<void> {
    if (this.recounting) return this.recounting;
    const ids = [...this.dirty];
    this.dirty.clear();
    this.recounting = (async () => {
      try {
        if (ids.length) await this.registry.transaction({ uid: SUPERUSER_ID, su: true, isolation: 'read committed' }, (env) => env.cr.execute(Q.recountTrackers(ids)));
      } catch {
        for (const id of ids) this.dirty.add(id);
      } finally {
        this.recounting = null;
        this.scheduleRecount();
      }
    })();
    return this.recounting;
  }

  /** Counts left behind by a crashed instance: recount every tracker (once, at start). */
  async repairCounts(): Promise<void> {
    await this.registry.transaction({ uid: SUPERUSER_ID, su: true, isolation: 'read committed' }, (env) => env.cr.execute(Q.recountTrackers(null)));
  }

  /** Wait for every queued click to be written (or failed) and counted. */
  async drain(): Promise<void> {
    while (this.queue.length || this.inFlight) await new Promise((r) => setTimeout(r, 5));
    if (this.recountTimer) {
      clearTimeout(this.recountTimer);
      this.recountTimer = null;
    }
    for (let i = 0; i < 5 && (this.dirty.size || this.recounting); i++) await this.recount();
  }
}

export interface LinkRedirects {
  cache: RedirectCache;
  clicks: ClickBatcher;
}

const services = new WeakMap<Registry, LinkRedirects>();

/** The redirect cache and click batcher of `registry` (one per registry, released with it). */
export function linkRedirects(registry: Registry, onError?: (err: unknown) => void): LinkRedirects {
  let s = services.get(registry);
  if (!s) {
    const created: LinkRedirects = { cache: new RedirectCache(registry), clicks: new ClickBatcher(registry) };
    s = created;
    services.set(registry, created);
    created.cache.start();
    created.clicks.repairCounts().catch((err) => onError?.(err));
    registry.onClose(async () => {
      await created.clicks.drain();
      created.cache.close();
      services.delete(registry);
    });
  }
  return s;
}
