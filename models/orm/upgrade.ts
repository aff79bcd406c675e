// Upgrading a database at start (Odoo's `-u all`, run on every start): under one transaction-level
// advisory lock, the schema is compared with the models and brought up to date (initSchema), the
// addons' data is loaded again (records of noupdate data are kept), and each addon's version is
// recorded in `ir_module_module.latest_version`. What changed is measured on PostgreSQL's catalog
// before and after, so DDL of addons' schema extras shows too, and logged as one summary.

import { createHash } from 'node:crypto';
import pkg from '../../package.json' with { type: 'json' };
import type { Registry } from './registry.ts';
import type { Env } from './env.ts';
import type { Addon } from './addon.ts';
import { initSchema, q, SCHEMA_LOCK } from './schema.ts';

/** The product's release, the first part of every addon's version. */
export const PRODUCT_VERSION: string = pkg.version;

export interface UpgradeReport {
  /** The database had no table yet: created, nothing upgraded. */
  created: boolean;
  /** Versions found / written: `undefined` from = a release without version records. */
  from: string | undefined;
  to: string;
  /** Addons whose version changed (or new ones), by name. */
  upgraded: string[];
  changes: string[];
  warnings: string[];
}

/** An addon's version: the release plus a fingerprint of the schema it declares. */
export function addonVersion(addon: Addon): string {
  const schema = {
    models: addon.models.map((s) => ({
      name: s._name, inherit: s._inherit, table: s._table, abstract: s._abstract, transient: s._transient, logAccess: s._log_access,
      constraints: s._sql_constraints?.map(([n, d]) => [n, d]), indexes: s._indexes,
      fields: Object.entries(s.fields ?? {}).map(([n, f]) => [n, f.type, f.store, !!f.compute, !!f.related, !!f.required, f.sqlType, f.comodel, f.ondelete, f.index, f.relation, f.column1, f.column2]),
    })),
    extras: (addon.schema ?? []).map((e) => (typeof e === 'string' ? e : e.toString())),
  };
  return `${PRODUCT_VERSION}+${createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 8)}`;
}

// Odoo's table of modules, reduced to what an upgrade needs.
const MODULE_TABLE_DDL = `CREATE TABLE IF NOT EXISTS ir_module_module (
  id serial PRIMARY KEY,
  name varchar NOT NULL CONSTRAINT ir_module_module_name_uniq UNIQUE,
  state varchar,
  latest_version varchar,
  create_date timestamp,
  write_date timestamp
)`;

interface Catalog {
  tables: Set<string>;
  /** `table.column` → type, with " NOT NULL" when set. */
  columns: Map<string, string>;
  indexes: Map<string, string>;
  constraints: Map<string, string>;
  triggers: Map<string, string>;
  functions: Set<string>;
}

/** The current schema's tables, columns, indexes, constraints, triggers and functions. */
async function readCatalog(env: Env): Promise<Catalog> {
  const cr = env.cr;
  const ns = 'current_schema()::regnamespace';
  const cols = await cr.query<{ t: string; c: string; type: string; nn: boolean }>(
    `SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS nn
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = ${ns} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  const rel = async (sql: string) => new Map((await cr.query<{ n: string; t: string }>(sql)).map((r) => [r.n, r.t]));
  return {
    tables: new Set(cols.map((r) => r.t)),
    columns: new Map(cols.map((r) => [`${r.t}.${r.c}`, `${r.type}${r.nn ? ' NOT NULL' : ''}`])),
    indexes: await rel(`SELECT i.relname AS n, t.relname AS t FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE i.relnamespace = ${ns} AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`),
    // NOT NULL constraints (PostgreSQL 18 lists them) are said with their column.
    constraints: await rel(`SELECT k.conname AS n, t.relname AS t FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid WHERE k.connamespace = ${ns} AND k.contype <> 'n'`),
    triggers: await rel(`SELECT g.tgname AS n, t.relname AS t FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid WHERE t.relnamespace = ${ns} AND NOT g.tgisinternal`),
    functions: new Set((await cr.query<{ n: string }>(`SELECT proname AS n FROM pg_proc WHERE pronamespace = ${ns}`)).map((r) => r.n)),
  };
}

/** The changes between two catalogs, in words; what belongs to a new table is said with it. */
function catalogChanges(before: Catalog, after: Catalog, filled: Map<string, string>): string[] {
  const out: string[] = [];
  const fresh = (t: string) => !before.tables.has(t);
  for (const t of after.tables) if (fresh(t)) out.push(`added table ${t}`);
  for (const [c, type] of after.columns) {
    const t = c.slice(0, c.indexOf('.'));
    if (fresh(t)) continue;
    const old = before.columns.get(c);
    if (old === undefined) out.push(`added column ${c}${filled.has(c) ? ` (${filled.get(c)})` : ''}`);
    else if (old !== type) {
      const [oldType, newType] = [old.replace(/ NOT NULL$/, ''), type.replace(/ NOT NULL$/, '')];
      if (oldType !== newType) out.push(`changed column ${c} from ${oldType} to ${newType}`);
      if (old.endsWith('NOT NULL') !== type.endsWith('NOT NULL')) out.push(`${type.endsWith('NOT NULL') ? 'set' : 'dropped'} NOT NULL on ${c}`);
    }
  }
  const named = (what: string, a: Map<string, string>, b: Map<string, string>) => {
    for (const [n, t] of b) if (!a.has(n) && !fresh(t)) out.push(`${what} ${n} on ${t}`);
  };
  named('created index', before.indexes, after.indexes);
  named('added constraint', before.constraints, after.constraints);
  named('created trigger', before.triggers, after.triggers);
  for (const f of after.functions) if (!before.functions.has(f)) out.push(`created function ${f}`);
  return out;
}

/**
 * Stored columns of fields the code no longer declares (reflected in ir_model_fields by an older
 * release): never dropped, said once per start with how many rows hold a value.
 */
async function leftoverColumns(env: Env, catalog: Catalog): Promise<string[]> {
  if (!catalog.columns.has('ir_model_fields.store')) return [];
  const rows = await env.cr.query<{ model: string; name: string }>(
    `SELECT model, name FROM ir_model_fields WHERE store AND ttype NOT IN ('one2many', 'many2many') ORDER BY model, name`,
  );
  const out: string[] = [];
  for (const r of rows) {
    const model = env.registry.models.get(r.model);
    if (!model || model.abstract || model.fields.has(r.name) || !catalog.columns.has(`${model.table}.${r.name}`)) continue;
    const [{ n }] = await env.cr.query<{ n: number }>(`SELECT count(${q(r.name)})::int AS n FROM ${q(model.table)}`);
    out.push(`column ${model.table}.${r.name} is no longer a field of ${r.model}: left in place (${n} rows hold a value)`);
  }
  return out;
}

/**
 * Bring the database of `env` (a superuser env of a READ COMMITTED transaction: after waiting for
 * the lock, each statement sees what another instance's upgrade committed) up to date with the
 * registry's addons; `loadData` loads the addons' data. Several instances starting at once: one
 * upgrades, the others wait for the lock, then find the database up to date.
 */
export async function upgradeDatabase(env: Env, loadData: (env: Env) => Promise<void>): Promise<UpgradeReport> {
  const registry: Registry = env.registry;
  const cr = env.cr;
  // Transaction-level: released at COMMIT, so it works behind a transaction-pooling PgBouncer.
  await cr.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
  const before = await readCatalog(env);
  const created = before.tables.size === 0;
  const hadVersions = before.tables.has('ir_module_module');
  const recorded = new Map<string, string | null>();
  if (hadVersions) {
    for (const r of await cr.query<{ name: string; v: string | null }>(`SELECT name, latest_version AS v FROM ir_module_module WHERE state = 'installed'`)) recorded.set(r.name, r.v);
  }
  const releaseOf = (v: string | null | undefined) => (v ? v.replace(/\+.*$/, '') : undefined);
  const from = hadVersions ? releaseOf([...recorded.values()].find(Boolean)) : undefined;
  const newer = [...recorded.values()].find((v) => v && compareReleases(releaseOf(v)!, PRODUCT_VERSION) > 0);
  if (newer) throw new Error(`This database was upgraded by release ${releaseOf(newer)}; this is release ${PRODUCT_VERSION}: downgrades are not supported (restore the backup made before the upgrade).`);

  const leftovers = await leftoverColumns(env, before);
  const dataBefore = before.tables.has('ir_model_data') ? (await cr.query<{ n: number }>(`SELECT count(*)::int AS n FROM ir_model_data`))[0].n : 0;
  const schema = await initSchema(registry, cr);
  await cr.execute(MODULE_TABLE_DDL);
  await loadData(env);
  const dataAfter = (await cr.query<{ n: number }>(`SELECT count(*)::int AS n FROM ir_model_data`))[0].n;

  const upgraded: string[] = [];
  for (const addon of registry.addons) {
    const version = addonVersion(addon);
    if (recorded.get(addon.name) === version) continue;
    upgraded.push(addon.name);
    await cr.query(
      `INSERT INTO ir_module_module (name, state, latest_version, create_date, write_date) VALUES ($1, 'installed', $2, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
       ON CONFLICT (name) DO UPDATE SET state = 'installed', latest_version = EXCLUDED.latest_version, write_date = EXCLUDED.write_date`,
      [addon.name, version],
    );
  }
  const after = await readCatalog(env);
  const changes = created ? [] : [...catalogChanges(before, after, schema.filled), ...schema.changes];
  if (!created && dataAfter > dataBefore) changes.push(`loaded data: ${dataAfter - dataBefore} new records`);
  return { created, from, to: PRODUCT_VERSION, upgraded, changes, warnings: [...schema.warnings, ...leftovers] };
}

/** Semantic version order of two `x.y.z` releases. */
function compareReleases(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The start log's line about the database. */
export function upgradeSummary(r: UpgradeReport): string {
  if (r.created) return `created the database schema at release ${r.to} (addons: ${r.upgraded.join(', ')})`;
  if (!r.changes.length && !r.upgraded.length) return `database schema up to date (release ${r.to})`;
  const from = r.from ?? 'a release without version records';
  const what = r.changes.length ? r.changes.join('; ') : 'no schema change';
  return `upgrading database from ${from} to ${r.to} (addons: ${r.upgraded.join(', ') || 'none'}): ${what}`;
}
