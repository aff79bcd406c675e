// The registry's one LISTEN connection: in-memory caches of a server instance (credentials,
// access rights, short-link targets) subscribe to a channel and drop what they hold when any
// instance commits a change that NOTIFYs it (database triggers send them, so changes made by
// SQL or other tools count too, and they are delivered at commit only).
//
// Trust: a cache may answer from memory only while `trusted()`; that is, the connection is up
// and a heartbeat sent on it less than TRUST_WINDOW_MS ago has come back (PostgreSQL delivers
// the notifications of transactions committed before a statement ahead of that statement's
// answer, so a returned heartbeat proves nothing older was missed). After a reconnect every
// subscriber is reset: notifications may have been lost meanwhile.
//
// Same-process writes: a transaction of this process whose statements touch a subscriber's
// `tables` resets that subscriber right after its COMMIT (Registry.transaction calls
// `localCommit`), so the next call of this process never waits for the notification's trip.

import pg from 'pg';
import { pgClientConfig } from './pg_config.ts';

export interface Subscriber {
  /** A notification arrived (payload), or `null`: drop everything (reconnect, local commit). */
  invalidate(payload: string | null): void;
  /** Tables whose change by this process's own transactions invalidates at their commit. */
  tables?: string[];
}

/** How often the LISTEN connection is probed, and how long after a probe the caches stay trusted. */
const HEARTBEAT_MS = 250;
const TRUST_WINDOW_MS = 1000;
const RECONNECT_MS = 1000;
/** application_name of the LISTEN connection, followed by the process id. */
export const LISTENER_APPLICATION_NAME = 'sms_marketing listener';

export class Notifier {
  private readonly channels = new Map<string, Set<Subscriber>>();
  private client: pg.Client | null = null;
  private connected = false;
  private closed = false;
  private started = false;
  private retry: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  /** When the last heartbeat that came back was sent (ms since epoch). */
  private aliveSince = 0;
  /** Bumped by every invalidation (notification, reset, local commit): see `sequence`. */
  private seq = 0;
  private tablesRe: RegExp | null = null;
  private readonly localTables = new Map<Subscriber, RegExp>();

  /**
   * `connectionString` null: no LISTEN connection can be kept (a transaction pooler hands each
   * transaction to any server connection), so caches are never trusted.
   */
  constructor(private readonly connectionString: string | null, private readonly onError: (err: unknown) => void = () => undefined) {}

  /** Listen on `channel` for `sub` (opens the connection on first use); returns the unsubscribe function. */
  subscribe(channel: string, sub: Subscriber): () => void {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
    let subs = this.channels.get(channel);
    if (!subs) {
      this.channels.set(channel, (subs = new Set()));
      const client = this.client;
      if (this.connected && client) {
        // Until the LISTEN takes effect a notification may be missed: start that channel's subscribers over then.
        client.query(`LISTEN ${channel}`).then(
          () => {
            this.seq++;
            for (const s of this.channels.get(channel) ?? []) s.invalidate(null);
          },
          (err) => this.lost(client, err),
        );
      }
    }
    subs.add(sub);
    if (sub.tables?.length) this.localTables.set(sub, new RegExp(`\\b(${sub.tables.join('|')})\\b`));
    this.rebuildTables();
    if (!this.started && this.connectionString !== null) {
      this.started = true;
      void this.start();
    }
    return () => {
      subs!.delete(sub);
      this.localTables.delete(sub);
      this.rebuildTables();
    };
  }

  /** Whether caches may answer from memory now (see the header). */
  trusted(): boolean {
    return this.connected && Date.now() - this.aliveSince < TRUST_WINDOW_MS;
  }

  /**
   * A counter bumped by every invalidation: a cache fills an entry read at sequence `s` only if
   * it was not invalidated after `s` (a read older than a change must not outlive it).
   */
  get sequence(): number {
    return this.seq;
  }

  /** Whether a statement of this process may touch a subscriber's tables (cheap pre-filter). */
  touches(text: string): boolean {
    return this.tablesRe !== null && this.tablesRe.test(text);
  }

  /** A transaction of this process committed after running `statements` that touched watched tables. */
  localCommit(statements: string[]): void {
    for (const [sub, re] of this.localTables) {
      if (statements.some((s) => re.test(s))) {
        this.seq++;
        sub.invalidate(null);
      }
    }
  }

  private rebuildTables(): void {
    const tables = new Set<string>();
    for (const sub of this.localTables.keys()) for (const t of sub.tables ?? []) tables.add(t);
    this.tablesRe = tables.size ? new RegExp(`\\b(${[...tables].join('|')})\\b`) : null;
  }

  private resetAll(): void {
    this.seq++;
    for (const subs of this.channels.values()) for (const s of subs) s.invalidate(null);
  }

  private lost(client: pg.Client, err?: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    const wasConnected = this.connected;
    this.connected = false;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.resetAll();
    // A database that cannot be reached at all is reported by every query; a lost listener only here.
    if (err && wasConnected) this.onError(err);
    client.end().catch(() => undefined);
    if (!this.closed) {
      this.retry = setTimeout(() => void this.start(), RECONNECT_MS);
      this.retry.unref();
    }
  }

  private async start(): Promise<void> {
    if (this.closed || this.connectionString === null) return;
    // Named after the process, so an operator (or a test) can tell each instance's listener apart.
    const client = new pg.Client({ ...pgClientConfig(this.connectionString), application_name: `${LISTENER_APPLICATION_NAME} ${process.pid}` });
    this.client = client;
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (msg) => {
      if (this.client !== client) return;
      this.seq++;
      for (const s of this.channels.get(msg.channel) ?? []) s.invalidate(msg.payload ?? '');
    });
    try {
      await client.connect();
      // The connection must not keep a finished process alive (tools that forget close()).
      (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${channel}`);
      if (this.client !== client) return;
      // Anything cached before the LISTEN took effect may be stale: every subscriber starts over.
      this.resetAll();
      this.connected = true;
      this.aliveSince = Date.now();
      this.heartbeat = setInterval(() => this.beat(client), HEARTBEAT_MS);
      this.heartbeat.unref();
    } catch (err) {
      this.lost(client, err);
    }
  }

  private beat(client: pg.Client): void {
    const sent = Date.now();
    client.query('SELECT 1').then(
      () => {
        if (this.client === client && sent > this.aliveSince) this.aliveSince = sent;
      },
      (err) => this.lost(client, err),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.heartbeat) clearInterval(this.heartbeat);
    const client = this.client;
    this.client = null;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }
}
