// The model registry: assembles model declarations (with `_inherit`), owns the database layer
// (one knex instance: its pool, its schema builder), and runs each unit of work in one
// transaction on a connection of that pool with Odoo's retry policy.

import pg from 'pg';
import knexFactory, { type Knex } from 'knex';
import { Field, type FieldSpec } from './fields.ts';
import { Model, type MethodLayer, type MethodSpec, type ModelSpec } from './model.ts';
import { Cursor, Env, SUPERUSER_ID, type Context } from './env.ts';
import { listenConnectionString } from './pooler.ts';
import { Notifier } from './notify.ts';
import { UserError, ValidationError, OdooError, PyKeyError, PyValueError } from './exceptions.ts';
import { BASE_METHODS } from './methods.ts';
import { DEFAULT_REGISTRY_CONFIG, SILENT_LOGGER, type Logger, type RegistryConfig } from './config.ts';
import { sortAddons, type Addon } from './addon.ts';
import { pgClientConfig } from './pg_config.ts';

// Read timestamps/dates as Odoo strings and big counts as numbers (never JS Dates, never strings).
pg.types.setTypeParser(1114, (v: string) => v);
pg.types.setTypeParser(1184, (v: string) => v);
pg.types.setTypeParser(1082, (v: string) => v);
pg.types.setTypeParser(20, (v: string) => parseInt(v, 10));
pg.types.setTypeParser(1700, (v: string) => parseFloat(v));

const MAGIC_LOG_FIELDS: Record<string, FieldSpec> = {
  create_uid: { type: 'many2one', comodel: 'res.users', string: 'Created by', readonly: true, ondelete: 'set null', automatic: true },
  create_date: { type: 'datetime', string: 'Created on', readonly: true, automatic: true },
  write_uid: { type: 'many2one', comodel: 'res.users', string: 'Last Updated by', readonly: true, ondelete: 'set null', automatic: true },
  write_date: { type: 'datetime', string: 'Last Updated on', readonly: true, automatic: true },
};

/** A stored computed field to recompute when `field` of `model` changes on some records. */
export interface Trigger {
  target: Field;
  /** Path from the target model to the changed model (empty: same records). */
  path: string[];
}

export interface TransactionOptions {
  uid?: number;
  context?: Context;
  su?: boolean;
  /** Read-only work (no retry needed, but still one transaction). */
  readonly?: boolean;
  /**
   * Isolation level (default REPEATABLE READ, as Odoo). READ COMMITTED suits queue work where
   * `FOR UPDATE SKIP LOCKED` and conditional updates must see the latest committed rows.
   */
  isolation?: 'repeatable read' | 'read committed';
  /** Translate database errors into Odoo's (IntegrityError → ValidationError...); default true. */
  translateErrors?: boolean;
  /** Base of the random backoff between retries, in ms (default 100). */
  retryBackoffMs?: number;
  /** An RPC call: a read-only method may run its single statement without BEGIN/COMMIT (see Cursor). */
  probeReadOnly?: boolean;
}

function rank(name: string): number {
  if (name === 'id') return 0;
  if (name === 'display_name') return 1;
  if (name in MAGIC_LOG_FIELDS) return 3;
  return 2;
}

/** The ORM's own methods: the last class of every model's MRO. */
const BASE_LAYER: MethodLayer = { key: BASE_METHODS, methods: BASE_METHODS };

const RETRYABLE = new Set(['40001', '40P01', '55P03']);
const MAX_TRIES = 5;

/**
 * Thrown by a unit of work that met a row committed after its snapshot began (e.g. a unique key
 * taken by a concurrent call): `transaction` runs it again, as it does on a serialization failure.
 */
export class TransactionConflict extends Error {
  readonly code = '40001';
}

export interface RegistryOptions {
  /** Addons whose models, data and hooks this registry loads (sorted on `depends`). */
  addons?: Addon[];
  /** The server's validated configuration, as models need it. */
  config?: RegistryConfig;
  logger?: Logger;
}

/** A connection of the knex pool, lent with pg's PoolClient shape (`query`, `release`). */
export type PooledConnection = pg.ClientBase & { release(): void };

/**
 * The knex pool seen through the subset of pg.Pool's API that single-statement call sites use
 * (`query`, `connect`, counters), so they run on knex's pool without a second client.
 */
export class KnexPool {
  constructor(private readonly knex: Knex) {}

  /** One statement (already `$n`-parameterised) on a connection borrowed from knex's pool. */
  async query<T extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<T>> {
    const conn: pg.ClientBase = await this.knex.client.acquireConnection();
    try {
      return await conn.query<T>(text, values as any[] | undefined);
    } finally {
      await this.knex.client.releaseConnection(conn);
    }
  }

  /** A connection of knex's pool held by the caller until `release()` (a transaction of its own: a held lock, a COPY). */
  async connect(): Promise<PooledConnection> {
    const conn: pg.ClientBase = await this.knex.client.acquireConnection();
    let released = false;
    return Object.assign(conn, {
      release: () => {
        if (released) return;
        released = true;
        void this.knex.client.releaseConnection(conn);
      },
    });
  }

  private get tarn(): { numUsed(): number; numFree(): number; numPendingCreates(): number } {
    return this.knex.client.pool;
  }
  /** Connections open (in use or idle), as pg.Pool's `totalCount`. */
  get totalCount(): number {
    return this.tarn ? this.tarn.numUsed() + this.tarn.numFree() : 0;
  }
  /** The pool's size, as pg.Pool's `options.max`. */
  get options(): { max: number } {
    return { max: (this.knex.client.pool as { max?: number } | undefined)?.max ?? 10 };
  }
  /** Idle connections, as pg.Pool's `idleCount`. */
  get idleCount(): number {
    return this.tarn ? this.tarn.numFree() : 0;
  }
}

export class Registry {
  readonly models = new Map<string, Model>();
  private readonly specs: ModelSpec[] = [];
  /** Loaded addons, dependencies first. */
  readonly addons: Addon[];
  readonly config: RegistryConfig;
  readonly logger: Logger;
  readonly triggers = new Map<string, Trigger[]>();
  /** The one database layer: every query runs on a connection of its pool. */
  knex!: Knex;
  /** pg.Pool-shaped facade over knex's pool for single statements outside a transaction. */
  pool!: KnexPool;
  readonly connectionString: string;
  /** Access checker installed by the security layer (res.groups / ir.model.access). */
  accessChecker?: (env: Env, model: string, operation: 'read' | 'write' | 'create' | 'unlink', raise: boolean) => Promise<boolean>;
  /** Whether the env's user belongs to one of these groups (external ids): fields' `groups=`. */
  groupChecker?: (env: Env, xmlids: string[]) => Promise<boolean>;
  /** Hook for data loaded after schema creation. */
  readonly dbName: string;
  /** Resources tied to this registry (listeners, batchers), released first by close(). */
  private readonly closers: (() => Promise<void>)[] = [];
  private notifierInstance?: Notifier;

  constructor(connectionString: string, specs: ModelSpec[] = [], opts: RegistryOptions = {}) {
    this.connectionString = connectionString;
    this.dbName = decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, '')) || 'postgres';
    this.addons = sortAddons(opts.addons ?? []);
    this.config = opts.config ?? DEFAULT_REGISTRY_CONFIG;
    this.logger = opts.logger ?? SILENT_LOGGER;
    for (const a of this.addons) this.specs.push(...a.models);
    for (const s of specs) this.specs.push(s);
  }

  register(...specs: ModelSpec[]): this {
    this.specs.push(...specs);
    return this;
  }

  /** Assemble every declared model: inheritance, magic fields, inverses, triggers. */
  build(): this {
    this.models.clear();
    for (const spec of this.specs) this.applySpec(spec);
    for (const model of this.models.values()) this.finalize(model);
    this.buildTriggers();
    for (const a of this.addons) a.hooks?.registryBuilt?.(this);
    return this;
  }

  /**
   * Replace the outermost implementation of method `name` of `model` (what `records.call(name)`
   * runs, overrides included) by `wrap(original)`; `original` keeps the whole override chain.
   */
  wrapMethod(model: Model, name: string, wrap: (original: MethodSpec['fn']) => MethodSpec['fn']): void {
    const current = model.methods.get(name);
    if (!current) return;
    model.methods.set(name, { ...current, fn: wrap(current.fn) });
  }

  private applySpec(spec: ModelSpec): void {
    const inherits = spec._inherit === undefined ? [] : Array.isArray(spec._inherit) ? spec._inherit : [spec._inherit];
    let model = this.models.get(spec._name);
    if (model && !inherits.includes(spec._name)) {
      throw new Error(`Model ${spec._name} declared twice without _inherit`);
    }
    if (!model) {
      model = new Model(spec._name);
      this.models.set(spec._name, model);
      model.logAccess = spec._log_access ?? true;
      model.layers = [BASE_LAYER];
      model.addField('id', { type: 'integer', string: 'ID', readonly: true, automatic: true });
    }
    // MRO like Odoo's class assembly: this declaration, then each parent's MRO in `_inherit`
    // order (the model itself being its previous MRO), each class kept at its last occurrence.
    const concat: MethodLayer[] = [{ key: spec, methods: spec.methods ?? {} }];
    for (const parentName of inherits) {
      const parent = parentName === spec._name ? model : this.models.get(parentName);
      if (parent) concat.push(...parent.layers);
    }
    if (!inherits.includes(spec._name)) concat.push(...model.layers);
    model.layers = concat.filter((l, i) => !concat.slice(i + 1).some((m) => m.key === l.key));
    for (const parentName of inherits) {
      if (parentName === spec._name) continue;
      const parent = this.models.get(parentName);
      if (!parent) throw new Error(`Model ${spec._name} inherits unknown model ${parentName}`);
      model.mixins.add(parentName);
      for (const m of parent.mixins) model.mixins.add(m);
      for (const [fname, f] of parent.fields) if (fname !== 'id') model.addField(fname, f.spec);
      model.sqlConstraints.push(...parent.sqlConstraints);
      model.constraints.push(...parent.constraints);
      model.indexes.push(...parent.indexes);
      if (parent.order !== 'id' && !spec._order) model.order = parent.order;
      if (parent.recName && !spec._rec_name) model.recName = parent.recName;
      if (parent.recNamesSearch && !spec._rec_names_search) model.recNamesSearch = parent.recNamesSearch;
    }
    if (spec._description) model.description = spec._description;
    if (spec._order) model.order = spec._order;
    if (spec._rec_name) model.recName = spec._rec_name;
    if (spec._rec_names_search) model.recNamesSearch = spec._rec_names_search;
    if (spec._table) model.table = spec._table;
    if (spec._abstract !== undefined) model.abstract = spec._abstract;
    if (spec._transient !== undefined) model.transient = spec._transient;
    if (spec._log_access !== undefined) model.logAccess = spec._log_access;
    if (spec._parent_name) model.parentName = spec._parent_name;
    if (spec._access_filter) model.accessFilter = spec._access_filter;
    for (const [name, f] of Object.entries(spec.fields ?? {})) model.addField(name, f);
    model.sqlConstraints.push(...(spec._sql_constraints ?? []));
    model.indexes.push(...(spec._indexes ?? []));
    model.constraints.push(...(spec._constraints ?? []));
  }

  private finalize(model: Model): void {
    model.resolveMethods();
    if (model.logAccess) for (const [n, f] of Object.entries(MAGIC_LOG_FIELDS)) if (!model.fields.has(n)) model.addField(n, f);
    if (!model.fields.has('display_name')) {
      model.addField('display_name', { type: 'char', string: 'Display Name', compute: '_compute_display_name', automatic: true, search: '_search_display_name' });
    }
    if (!model.parentName && model.fields.get('parent_id')?.comodel === model.name) model.parentName = 'parent_id';
    // Field order as Odoo lists it: id, display_name, declared fields, then log-access fields.
    const ordered = [...model.fields.entries()].sort(([a], [b]) => rank(a) - rank(b));
    model.fields.clear();
    for (const [k, v] of ordered) model.fields.set(k, v);
    for (const f of model.fields.values()) {
      if (f.isRelational && f.comodel && !this.models.has(f.comodel)) {
        throw new Error(`Field ${model.name}.${f.name} refers to unknown model ${f.comodel}`);
      }
      // A related one2many mirrors its path's field and has no inverse of its own.
      if (f.type === 'one2many' && !f.isRelated) {
        const inv = this.models.get(f.comodel!)!.fields.get(f.spec.inverseName ?? '');
        if (!inv) throw new Error(`one2many ${model.name}.${f.name}: inverse ${f.comodel}.${f.spec.inverseName} not found`);
        f.inverseField = inv;
      }
    }
    model.columns = [...model.fields.values()].filter((f) => f.columnType !== undefined && f.name !== 'id');
  }

  /** For each stored computed field, register which (model, field) changes trigger it. */
  private buildTriggers(): void {
    for (const model of this.models.values()) {
      if (model.abstract) continue;
      for (const f of model.fields.values()) {
        if (!(f.isComputed || f.isRelated) || !f.store) continue;
        // A stored related field depends on its path.
        for (const dep of (f.spec.depends ?? (f.isRelated ? [f.spec.related!] : [])).flatMap((d) => this.expandRelatedDependency(model, d))) {
          const parts = dep.split('.');
          let cur: Model = model;
          for (let i = 0; i < parts.length; i++) {
            const df = cur.fields.get(parts[i]);
            if (!df) throw new Error(`${model.name}.${f.name} depends on unknown ${cur.name}.${parts[i]}`);
            this.addTrigger(cur.name, df.name, { target: f, path: parts.slice(0, i) });
            // A dependency through a one2many also fires when the comodel's inverse changes.
            if (df.type === 'one2many' && df.inverseField) this.addTrigger(df.comodel!, df.inverseField.name, { target: f, path: [...parts.slice(0, i), df.name] });
            if (i < parts.length - 1) {
              if (!df.isRelational) throw new Error(`${model.name}.${f.name}: ${dep} goes through non-relational ${parts[i]}`);
              cur = this.models.get(df.comodel!)!;
            }
          }
        }
      }
    }
  }

  /** A dependency on a non-stored related field also depends on the path it mirrors (as in Odoo). */
  private expandRelatedDependency(model: Model, dep: string, depth = 0): string[] {
    const parts = dep.split('.');
    let cur: Model | undefined = model;
    for (let i = 0; i < parts.length && cur && depth < 8; i++) {
      const df: Field | undefined = cur.fields.get(parts[i]);
      if (!df) break;
      if (df.isRelated && !df.store) {
        const through = [...parts.slice(0, i), ...df.spec.related!.split('.'), ...parts.slice(i + 1)].join('.');
        return [dep, ...this.expandRelatedDependency(model, through, depth + 1)];
      }
      cur = df.isRelational ? this.models.get(df.comodel!) : undefined;
    }
    return [dep];
  }

  private addTrigger(model: string, field: string, t: Trigger): void {
    const key = `${model}.${field}`;
    const list = this.triggers.get(key) ?? [];
    list.push(t);
    this.triggers.set(key, list);
  }

  /** Whether `model` uses the ORM's own implementation of method `name` (not an override). */
  isBaseMethod(model: Model, name: string): boolean {
    return model.methods.get(name) === BASE_METHODS[name];
  }

  get(name: string): Model {
    const model = this.models.get(name);
    if (!model) throw new UserError(`Object ${name} doesn't exist`);
    return model;
  }

  has(name: string): boolean {
    return this.models.has(name);
  }

  /** Open the database layer: one knex pool of `poolSize` connections. */
  connect(poolSize = 10): this {
    // min 0: idle connections close (as pg.Pool did); knex's pg client keeps our type parsers.
    this.knex = knexFactory({ client: 'pg', connection: pgClientConfig(this.connectionString) as Knex.PgConnectionConfig, pool: { min: 0, max: poolSize } });
    this.pool = new KnexPool(this.knex);
    return this;
  }

  /** The registry's one LISTEN connection (opened with its first subscriber, closed with the registry). */
  get notifier(): Notifier {
    if (!this.notifierInstance) {
      // LISTEN needs a session of its own: behind a transaction pooler only DATABASE_DIRECT_URL gives one.
      const url = listenConnectionString(this);
      const notifier = new Notifier(url, (err) => this.logger.warn({ err }, 'LISTEN connection lost: in-memory caches bypassed until it is back'));
      this.notifierInstance = notifier;
      this.onClose(() => notifier.close());
    }
    return this.notifierInstance;
  }

  /** The notifier if something subscribed (statements are watched for local commits only then). */
  get notifierIfAny(): Notifier | undefined {
    return this.notifierInstance;
  }

  /** Release `fn`'s resource when the registry closes (before the pool ends). */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.closers.splice(0)) await fn().catch(() => undefined);
    await this.knex?.destroy();
  }

  /**
   * Run `fn` in one transaction (REPEATABLE READ, as Odoo does, unless `opts.isolation` says
   * otherwise) on a connection of knex's pool; commit on success, roll back on error; retry
   * serialization failures and deadlocks up to 5 times with random backoff (never once
   * committed: post-commit callbacks failing are not retried).
   * BEGIN/COMMIT are sent on the pooled connection rather than through `knex.transaction()`,
   * whose bookkeeping measured about 1 ms per call (2.6 vs 1.5 ms for a 5-query unit of work),
   * far over the 5% the RPC hot path may lose; the pool, the schema builder and the bindings
   * stay knex's. BEGIN travels with the first statement (see Cursor): a unit of work answered
   * from memory costs no round trip, and with `probeReadOnly` a read-only method's single
   * SELECT runs alone (the call runs again in a transaction if a second statement comes).
   */
  async transaction<T>(opts: TransactionOptions, fn: (env: Env) => Promise<T>): Promise<T> {
    const begin = opts.isolation === 'read committed' ? 'BEGIN ISOLATION LEVEL READ COMMITTED' : 'BEGIN ISOLATION LEVEL REPEATABLE READ';
    let probe = opts.probeReadOnly ?? false;
    const notifier = this.notifierIfAny;
    const watch = notifier ? (text: string) => notifier.touches(text) : undefined;
    const prepare = this.config.databasePooler !== 'transaction';
    for (let attempt = 1; ; attempt++) {
      const client: pg.ClientBase = await this.knex.client.acquireConnection();
      const cr = new Cursor(client, this.knex, { begin, prepare, probe, watch, sequence: notifier && (() => notifier.sequence) });
      let released = false;
      try {
        const env = new Env(this, cr, opts.uid ?? SUPERUSER_ID, opts.context ?? {}, opts.su ?? false);
        let result: T | undefined;
        try {
          result = await fn(env);
          for (let i = 0; i < cr.precommit.length; i++) await cr.precommit[i]();
        } catch (err) {
          if (!cr.restartNeeded) throw err;
        }
        if (cr.restartNeeded) {
          // A read-only call needed a second statement: run it again, whole, in one transaction.
          released = true;
          await this.knex.client.releaseConnection(client);
          probe = false;
          attempt--;
          continue;
        }
        if (cr.inTransaction) await client.query('COMMIT');
        released = true;
        await this.knex.client.releaseConnection(client);
        if (cr.touched.length) notifier?.localCommit(cr.touched);
        for (const cb of cr.postcommit) await cb();
        return result as T;
      } catch (err) {
        const committed = released;
        if (!released) {
          released = true;
          try {
            if (cr.inTransaction) await client.query('ROLLBACK');
          } catch {
            /* a broken connection is marked disposed by knex and dropped by its pool */
          }
          await this.knex.client.releaseConnection(client);
        }
        const code = (err as { code?: string }).code;
        if (!committed && code && RETRYABLE.has(code) && attempt < MAX_TRIES) {
          await new Promise((r) => setTimeout(r, Math.random() * 2 ** attempt * (opts.retryBackoffMs ?? 100)));
          continue;
        }
        throw opts.translateErrors === false ? err : translatePgError(this, err);
      }
    }
  }

  /** Shortcut: a superuser transaction. */
  async sudo<T>(fn: (env: Env) => Promise<T>, context: Context = {}): Promise<T> {
    return this.transaction({ uid: SUPERUSER_ID, su: true, context }, fn);
  }
}

function columnOf(model: { fields: Map<string, Field>; name: string } | undefined, column: string | undefined): string {
  const f = column ? model?.fields.get(column) : undefined;
  return f ? ` for the field '${f.string}' (${model!.name}.${f.name})` : '';
}

/** IntegrityError → ValidationError with Odoo's wording; other pg errors pass through. */
export function translatePgError(registry: Registry, err: unknown): unknown {
  if (err instanceof OdooError) return err;
  const e = err as { code?: string; table?: string; column?: string; constraint?: string; message?: string; detail?: string };
  if (!e || typeof e.code !== 'string') return err;
  const model = [...registry.models.values()].find((m) => m.table === e.table && !m.abstract);
  const modelLabel = model ? `'${model.description}' (${model.name})` : `'${e.table}'`;
  const tail = `\nModel: ${modelLabel}\n- create/update: a mandatory field is not set\n- delete: another model requires the record being deleted, you can archive it instead\n`;
  if (e.code === '23502') {
    const f = model?.fields.get(e.column ?? '');
    const label = f ? `'${f.string}' (${f.name})` : `'${e.column}'`;
    return new ValidationError(`The operation cannot be completed: Missing required value for the field ${label}.${tail}`);
  }
  if (e.code === '23503' || e.code === '23001') {
    return new ValidationError(`The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.${tail}`);
  }
  if (e.code === '23505' || e.code === '23514' || e.code === '23P01') {
    // SQL constraints declared on models carry their own message.
    for (const m of registry.models.values()) {
      for (const [name, , message] of m.sqlConstraints) {
        // Odoo 19 prefixes every known constraint's message (captured: link.tracker.code's unique, mailing's ab_testing_pc check).
        if (`${m.table}_${name}` === e.constraint) return new ValidationError(`The operation cannot be completed: ${message}`);
      }
    }
    return new ValidationError(`The operation cannot be completed: ${e.detail ?? e.message}`);
  }
  // Data errors: the caller's value did not fit the column. PostgreSQL's text names SQL types
  // and echoes SQL; the caller gets what it sent wrong instead.
  if (e.code === '22021' && /0x00/.test(e.message ?? '')) return new PyValueError('A string literal cannot contain NUL (0x00) characters.');
  if (e.code === '22003') return new ValidationError(`The operation cannot be completed: a value is out of range${columnOf(model, e.column)}.`);
  if (e.code === '22001') return new ValidationError(`The operation cannot be completed: a value is too long${columnOf(model, e.column)}.`);
  if (e.code === '22P02' || e.code === '22007' || e.code === '22008' || e.code === '22021' || e.code === '22P05') {
    return new ValidationError(`The operation cannot be completed: a value has the wrong type or format${columnOf(model, e.column)}.`);
  }
  if (e.code === '57014') return new UserError('The operation took too long and was cancelled.');
  return err;
}

export { Field, PyKeyError };
