// The machinery behind the short-link redirect route (rpc/link_redirect.ts), built for the burst
// of a mailing's recipients clicking within minutes:
//
//   RedirectCache — code → target URL from memory. Every server instance LISTENs on one channel;
//     database triggers NOTIFY it (at commit) when a tracker, code, UTM name or system parameter
//     changes, and each instance then drops its cache. While the LISTEN connection is down, the
//     cache is bypassed (every lookup reads the database), so no instance serves a stale target.
//   ClickBatcher — group commit: clicks arriving while a batch commits are written together by
//     the next one (one multi-row INSERT, tracker counts, trace updates, one transaction); each
//     caller is answered only once its click's transaction has committed.

import pg from 'pg';
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
  private listening = false;
  private client: pg.Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly registry: Registry, private readonly onError: (err: unknown) => void = () => undefined) {}

  /** Open the LISTEN connection (again after a failure, every second until it works). */
  async start(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.registry.connectionString });
    this.client = client;
    const lost = (err?: unknown) => {
      if (this.client !== client) return;
      this.client = null;
      this.listening = false;
      this.invalidate();
      if (err) this.onError(err);
      client.end().catch(() => undefined);
      if (!this.closed) this.retry = setTimeout(() => void this.start(), 1000);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', () => this.invalidate());
    try {
      await client.connect();
      await client.query(`LISTEN ${CACHE_CHANNEL}`);
      // Anything read before the LISTEN took effect may be stale: start from an empty cache.
      this.invalidate();
      this.listening = true;
    } catch (err) {
      lost(err);
    }
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
    const { text, values } = Q.redirectByCode(code).toQuery();
    const rows = (await this.registry.pool.query(text, values as unknown[])).rows as { id: number; url: string; campaign: string | null; source: string | null; medium: string | null; base_url: string | null; no_external: string | null }[];
    if (!rows.length) return null;
    const r = rows[0];
    const target = { linkId: r.id, redirectedUrl: redirectedUrl(r.url, r, { baseUrl: (r.base_url || '').replace(/\/+$/, ''), noExternalTracking: !!r.no_external }) };
    if (this.listening && generation === this.generation) {
      if (this.entries.size >= MAX_CACHED_CODES) this.entries.clear();
      this.entries.set(code, target);
    }
    return target;
  }

  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }
}

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

  /**
   * `maxInFlight` batches commit at once (the next one executes while the previous one waits for
   * its commit to reach the disk); `maxBatch` caps one statement.
   */
  constructor(private readonly registry: Registry, private readonly opts: { maxInFlight?: number; maxBatch?: number } = {}) {
    this.withTraces = registry.has('link.tracker.click') && registry.get('link.tracker.click').fields.has('mailing_trace_id');
  }

  /** Resolves once the click is committed. */
  add(click: Click): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...click, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || !this.queue.length || this.inFlight >= (this.opts.maxInFlight ?? 2)) return;
    this.scheduled = true;
    // Clicks of the same event-loop turn join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (!this.queue.length || this.inFlight >= (this.opts.maxInFlight ?? 2)) return;
    const batch = this.queue.splice(0, this.opts.maxBatch ?? 1000);
    this.inFlight++;
    try {
      // Sorted by tracker: concurrent batches lock the trackers' rows in the same order.
      batch.sort((a, b) => a.linkId - b.linkId || (a.smsId ?? 0) - (b.smsId ?? 0));
      await this.registry.transaction({ uid: SUPERUSER_ID, su: true, isolation: 'read committed', retryBackoffMs: 5 }, async (env) => {
        const links = batch.map((c) => c.linkId);
        const ips = batch.map((c) => c.ip);
        await env.cr.query(this.withTraces ? Q.insertClicksWithTraces(SUPERUSER_ID, links, ips, batch.map((c) => c.smsId)) : Q.insertClicks(SUPERUSER_ID, links, ips));
      });
      for (const c of batch) c.resolve();
    } catch (err) {
      for (const c of batch) c.reject(err);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }

  /** Wait for every queued click to be written (or failed). */
  async drain(): Promise<void> {
    while (this.queue.length || this.inFlight) await new Promise((r) => setTimeout(r, 5));
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
    const created: LinkRedirects = { cache: new RedirectCache(registry, onError), clicks: new ClickBatcher(registry) };
    s = created;
    services.set(registry, created);
    void created.cache.start();
    registry.onClose(async () => {
      await created.clicks.drain();
      await created.cache.close();
      services.delete(registry);
    });
  }
  return s;
}
