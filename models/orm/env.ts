// Environment (uid + context + cursor) and the cursor: one RPC call = one transaction.

import crypto from 'node:crypto';
import pg from 'pg';
import type { Knex } from 'knex';
import { SQL, sql as sqlTag } from './sql.ts';
import type { Registry } from './registry.ts';
import { RecordSet } from './records.ts';

export type Context = Record<string, unknown>;

export const SUPERUSER_ID = 1;

/** How a cursor talks to its connection (see Registry.transaction). */
export interface CursorOptions {
  /** The BEGIN statement not sent yet: it goes out with the first statement, in the same round trip (none: already sent). */
  begin?: string;
  /** Name statements with bound values (prepared once per connection); off behind a transaction pooler. */
  prepare?: boolean;
  /** Whether `allowReadOnlyProbe()` may take effect (RPC calls of read-only methods). */
  probe?: boolean;
  /** Pre-filter of statements that change tables whose caches live in memory (Notifier.touches). */
  watch?: (text: string) => boolean;
  /** The notifier's invalidation counter (Notifier.sequence), read when the first statement goes out. */
  sequence?: () => number;
}

/** Thrown inside a call whose first statement ran outside a transaction when a second one comes. */
export class RestartInTransaction extends Error {
  constructor() {
    super('the call runs again inside one transaction');
  }
}

// A plain read: its own statement-long snapshot is all a single-statement call needs.
const PLAIN_READ = /^\s*SELECT\b/i;
const READ_WITH_EFFECTS = /\bFOR\s+(NO\s+KEY\s+|KEY\s+)?(UPDATE|SHARE)\b|\b(pg_advisory|nextval|setval|set_config|pg_notify|txid_current|pg_current_xact)/i;
/** Whether a statement only reads (no data change to tell caches about). */
function isRead(text: string): boolean {
  return PLAIN_READ.test(text) || (/^\s*WITH\b/i.test(text) && !/\b(INSERT|UPDATE|DELETE|MERGE)\b/i.test(text));
}
const TEMP_OBJECT = /\bCREATE\s+(TEMP|TEMPORARY)\b/i;
// Named statements per connection at most (beyond, statements are parsed each time).
const MAX_NAMED_PER_CONNECTION = 500;
const namedCount = new WeakMap<pg.ClientBase, number>();
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `orm_${crypto.createHash('sha1').update(text).digest('base64url').slice(0, 22)}`;
    if (statementNames.size >= 20_000) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

/**
 * One statement on `conn` as a pg Query built from its text: pg copies any config object it is
 * given (property descriptors and all, on every call), never a text.
 */
function runStatement(conn: pg.ClientBase, text: string, values: unknown[] | undefined, name: string | undefined, rowMode?: 'array'): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    const query = new (pg.Query as any)(text, values, (err: Error | null, res: pg.QueryResult) => (err ? reject(err) : resolve(res)));
    if (name !== undefined) query.name = name;
    if (rowMode) arrayRows(query);
    conn.query(query);
  });
}

/** Rows of `query` as arrays of column values (what pg's `rowMode: 'array'` sets up, without a config copy). */
function arrayRows(query: any): void {
  query._rowMode = 'array';
  query._result = query._results = new query._result.constructor('array', query.types);
}

/**
 * A query preceded by BEGIN in the same round trip (one pipeline of extended-protocol messages,
 * one Sync): pg's Query with the BEGIN's messages sent first and its completion not counted as
 * a result.
 */
function pipelinedBegin(begin: string, config: pg.QueryConfig, rowMode?: 'array'): pg.Query {
  const query = new pg.Query(config) as any;
  if (rowMode) arrayRows(query);
  const submit = query.submit.bind(query);
  const complete = query.handleCommandComplete.bind(query);
  let beginDone = false;
  query.submit = (connection: any) => {
    connection.stream.cork?.();
    try {
      connection.parse({ text: begin, name: '', types: [] });
      connection.bind({ portal: '', statement: '', values: [] });
      connection.execute({ portal: '', rows: 0 });
      return submit(connection);
    } finally {
      connection.stream.uncork?.();
    }
  };
  query.handleCommandComplete = (msg: unknown, connection: unknown) => {
    if (beginDone) return complete(msg, connection);
    beginDone = true;
  };
  return query;
}

/**
 * A database cursor: one connection of knex's pool, inside one transaction. Our SQL fragments
 * are already `$n`-parameterised (values always travel as bindings), so they run on that pg
 * connection directly rather than through `knex.raw`, which would re-parse `?` placeholders on
 * every hot-path query; statements built by knex (`cr.knex`, e.g. its schema builder) run on
 * the same connection through `run()`.
 *
 * The transaction opens with the first statement (BEGIN travels with it: no round trip of its
 * own, none at all for a call answered from memory). A read-only RPC method may run its first
 * statement alone, outside any transaction (`allowReadOnlyProbe`): a call of one plain SELECT is
 * then that one round trip; a second statement makes the call run again inside one
 * transaction (RestartInTransaction), so several statements always share one snapshot.
 */
export class Cursor {
  private readonly conn: pg.ClientBase;
  /** The registry's knex, to build statements (schema builder) that `run()` executes here. */
  readonly knex: Knex;
  /** Callbacks run after a successful commit (e.g. kick the send queue). */
  readonly postcommit: (() => Promise<void> | void)[] = [];
  /** Callbacks run just before commit (e.g. flush pending recomputations). */
  readonly precommit: (() => Promise<void> | void)[] = [];
  queryCount = 0;
  /** Statements of this transaction that changed tables cached in memory (see Notifier.localCommit). */
  readonly touched: string[] = [];
  private pendingBegin: string | undefined;
  private readonly opts: CursorOptions;
  private probing = false;
  private probed = false;
  private temp = false;
  /** Set once a second statement came after a statement run outside a transaction. */
  restartNeeded = false;
  /**
   * Notifier.sequence when the first statement went out (before the transaction's snapshot):
   * what this transaction read may fill a cache invalidated no later than that.
   */
  snapshotSequence: number | undefined;

  constructor(client: pg.ClientBase, knex: Knex, opts: CursorOptions = {}) {
    this.conn = client;
    this.knex = knex;
    this.opts = opts;
    this.pendingBegin = opts.begin;
  }

  /** The transaction's pg connection (COPY streams, escaping); the transaction is opened first if needed. */
  get client(): pg.ClientBase {
    if (this.probed) {
      this.restartNeeded = true;
      throw new RestartInTransaction();
    }
    this.openNow();
    return this.conn;
  }

  /** Whether a transaction is open on the connection (COMMIT / ROLLBACK needed). */
  get inTransaction(): boolean {
    return this.pendingBegin === undefined && !this.probed;
  }

  /** Let the first statement run outside a transaction if it is a plain read (read-only RPC methods). */
  allowReadOnlyProbe(): void {
    if (this.opts.probe && this.pendingBegin !== undefined && !this.probed) this.probing = true;
  }

  /** Send the pending BEGIN now (queued on the connection ahead of anything sent later). */
  private openNow(): void {
    if (this.pendingBegin === undefined || this.probed) return;
    const begin = this.pendingBegin;
    this.pendingBegin = undefined;
    this.snapshotSequence = this.opts.sequence?.();
    this.conn.query(begin).catch(() => undefined); // a failure shows on the next statement
  }

  private async send(text: string, values: unknown[] | undefined, rowMode?: 'array'): Promise<pg.QueryResult> {
    this.queryCount++;
    if (this.restartNeeded) throw new RestartInTransaction();
    if (this.queryCount === 1 && this.pendingBegin !== undefined) this.snapshotSequence = this.opts.sequence?.();
    if (this.opts.watch && !isRead(text) && this.opts.watch(text)) this.touched.push(text);
    if (!this.temp && TEMP_OBJECT.test(text)) this.temp = true;
    if (this.probed) {
      this.restartNeeded = true;
      throw new RestartInTransaction();
    }
    const config: pg.QueryConfig = { text, values: values as any[] | undefined };
    const alone = this.pendingBegin !== undefined && this.probing && PLAIN_READ.test(text) && !READ_WITH_EFFECTS.test(text);
    const withBegin = this.pendingBegin !== undefined && !alone;
    // Statements with bindings go through the extended protocol anyway: name them so the
    // connection parses and plans each text once (never once temporary objects may shadow tables);
    // so are single SELECTs without bindings (a search with no domain values), planned once too.
    if (this.opts.prepare && ((values && values.length) || (PLAIN_READ.test(text) && !text.includes(';'))) && !this.temp) {
      const name = statementName(text);
      const parsed = (this.conn as any).connection?.parsedStatements as Record<string, string> | undefined;
      if (parsed && name in parsed) config.name = name;
      // Not first parsed behind a pipelined BEGIN: pg would take the BEGIN's ParseComplete for its own.
      else if (!withBegin && (namedCount.get(this.conn) ?? 0) < MAX_NAMED_PER_CONNECTION) {
        namedCount.set(this.conn, (namedCount.get(this.conn) ?? 0) + 1);
        config.name = name;
      }
    }
    if (alone) {
      this.probed = true;
      return runStatement(this.conn, text, config.values, config.name, rowMode);
    }
    if (withBegin) {
      const begin = this.pendingBegin!;
      this.pendingBegin = undefined;
      if (values && values.length) return lastResult(
          await new Promise<pg.QueryResult>((resolve, reject) => {
            this.conn.query(pipelinedBegin(begin, { ...config, callback: (err: Error | null, res: pg.QueryResult) => (err ? reject(err) : resolve(res)) } as pg.QueryConfig, rowMode));
          }),
        );
      // Without bindings (simple protocol, maybe several statements): one query string.
      const res: any = await this.conn.query({ text: `${begin}; ${text}`, rowMode } as pg.QueryConfig);
      return (Array.isArray(res) ? (res.length === 2 ? res[1] : res.slice(1)) : res) as pg.QueryResult;
    }
    return runStatement(this.conn, text, config.values, config.name, rowMode);
  }

  /** Run a query; `q` is an SQL fragment or plain text with $n params. */
  async query<T extends Record<string, any> = Record<string, any>>(q: SQL | string, params?: unknown[]): Promise<T[]> {
    if (q instanceof SQL) {
      const { text, values } = q.toQuery();
      return (await this.send(text, values)).rows as T[];
    }
    return (await this.send(q, params)).rows as T[];
  }

  /** Run a query whose rows come as arrays of column values, in the SELECT's order (no object per row). */
  async queryArrays(q: SQL): Promise<unknown[][]> {
    const { text, values } = q.toQuery();
    return (await this.send(text, values, 'array')).rows as unknown[][];
  }

  /** Run a statement and return the number of affected rows. */
  async execute(q: SQL | string, params?: unknown[]): Promise<number> {
    const { text, values } = q instanceof SQL ? q.toQuery() : { text: q, values: params ?? [] };
    const res = await this.send(text, values);
    return res.rowCount ?? 0;
  }

  /** Run the statements a knex builder compiles (`?` bindings turned into `$n` by knex). */
  async run(builder: { toSQL(): { sql: string; bindings?: readonly unknown[] } | { sql: string; bindings?: readonly unknown[] }[] }): Promise<void> {
    const compiled = builder.toSQL();
    for (const s of Array.isArray(compiled) ? compiled : [compiled]) {
      const native = this.knex.raw(s.sql, (s.bindings ?? []) as Knex.RawBinding[]).toSQL().toNative();
      await this.query(native.sql, native.bindings as unknown[]);
    }
  }

  sql = sqlTag;
}

function lastResult(res: pg.QueryResult | pg.QueryResult[]): pg.QueryResult {
  return Array.isArray(res) ? res[res.length - 1]! : res;
}

export class Env {
  readonly registry: Registry;
  readonly cr: Cursor;
  readonly uid: number;
  readonly context: Context;
  /** Superuser mode: access rights are not checked (Odoo's `sudo()`). */
  readonly su: boolean;
  /** Per-transaction scratch space shared by every env of the same cursor. */
  readonly cache: Map<string, unknown>;

  constructor(registry: Registry, cr: Cursor, uid: number, context: Context = {}, su = false, cache?: Map<string, unknown>) {
    this.registry = registry;
    this.cr = cr;
    this.uid = uid;
    this.context = context;
    this.su = su;
    this.cache = cache ?? new Map();
  }

  /** An empty recordset of `model` (like `env['model']`). */
  model(name: string): RecordSet {
    const model = this.registry.get(name);
    return new RecordSet(this, model, []);
  }

  withContext(extra: Context): Env {
    return new Env(this.registry, this.cr, this.uid, { ...this.context, ...extra }, this.su, this.cache);
  }
  withNewContext(context: Context): Env {
    return new Env(this.registry, this.cr, this.uid, context, this.su, this.cache);
  }
  sudo(flag = true): Env {
    return new Env(this.registry, this.cr, this.uid, this.context, flag, this.cache);
  }
  withUser(uid: number): Env {
    return new Env(this.registry, this.cr, uid, this.context, false, this.cache);
  }

  get lang(): string {
    return (this.context.lang as string) || 'en_US';
  }
  /** The context's time zone when it is a known IANA name, else UTC (Odoo falls back to UTC too). */
  get tz(): string {
    const tz = this.context.tz;
    return typeof tz === 'string' && knownTimeZone(tz) ? tz : 'UTC';
  }
  get activeTest(): boolean {
    return this.context.active_test !== false;
  }
  get isSuperuser(): boolean {
    return this.su || this.uid === SUPERUSER_ID;
  }
}

const TIME_ZONES = new Map<string, boolean>();

function knownTimeZone(tz: string): boolean {
  let known = TIME_ZONES.get(tz);
  if (known === undefined) {
    known = /^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(tz);
    if (known) {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
      } catch {
        known = false;
      }
    }
    if (TIME_ZONES.size < 1000) TIME_ZONES.set(tz, known);
  }
  return known;
}
