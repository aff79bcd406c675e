// Environment (uid + context + cursor) and the cursor: one RPC call = one transaction.

import type pg from 'pg';
import type { Knex } from 'knex';
import { SQL, sql as sqlTag } from './sql.ts';
import type { Registry } from './registry.ts';
import { RecordSet } from './records.ts';

export type Context = Record<string, unknown>;

export const SUPERUSER_ID = 1;

/**
 * A database cursor: one connection of knex's pool, inside one transaction. Our SQL fragments
 * are already `$n`-parameterised (values always travel as bindings), so they run on that pg
 * connection directly rather than through `knex.raw`, which would re-parse `?` placeholders on
 * every hot-path query; statements built by knex (`cr.knex`, e.g. its schema builder) run on
 * the same connection through `run()`.
 */
export class Cursor {
  /** The transaction's pg connection (also used for COPY streams). */
  readonly client: pg.ClientBase;
  /** The registry's knex, to build statements (schema builder) that `run()` executes here. */
  readonly knex: Knex;
  /** Callbacks run after a successful commit (e.g. kick the send queue). */
  readonly postcommit: (() => Promise<void> | void)[] = [];
  /** Callbacks run just before commit (e.g. flush pending recomputations). */
  readonly precommit: (() => Promise<void> | void)[] = [];
  queryCount = 0;

  constructor(client: pg.ClientBase, knex: Knex) {
    this.client = client;
    this.knex = knex;
  }

  /** Run a query; `q` is an SQL fragment or plain text with $n params. */
  async query<T extends Record<string, any> = Record<string, any>>(q: SQL | string, params?: unknown[]): Promise<T[]> {
    this.queryCount++;
    if (q instanceof SQL) {
      const { text, values } = q.toQuery();
      const res = await this.client.query(text, values as any[]);
      return res.rows as T[];
    }
    const res = await this.client.query(q, params as any[] | undefined);
    return res.rows as T[];
  }

  /** Run a statement and return the number of affected rows. */
  async execute(q: SQL | string, params?: unknown[]): Promise<number> {
    this.queryCount++;
    const { text, values } = q instanceof SQL ? q.toQuery() : { text: q, values: params ?? [] };
    const res = await this.client.query(text, values as any[]);
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
