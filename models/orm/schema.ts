// Schema from the models, like Odoo's auto-init: tables, columns, foreign keys, relation
// tables, indexes and SQL constraints; on an older database also what changed since (column
// types where the conversion keeps every value, foreign keys' ON DELETE, NOT NULL, new columns
// filled on existing rows). Only adds or converts; never drops data. Idempotent.
// DDL goes through knex's schema builder where it expresses the statement (create table, add
// column, foreign keys); raw statements remain for what it cannot say (IF NOT EXISTS indexes,
// partial indexes, declared constraint definitions, NOT NULL toggles, table comments).

import type { Registry } from './registry.ts';
import type { Cursor } from './env.ts';
import type { Field } from './fields.ts';
import type { Model } from './model.ts';
import { Env, SUPERUSER_ID } from './env.ts';
import { recompute } from './recompute.ts';

export const SCHEMA_LOCK = 7_201_942; // advisory lock id: one instance migrates at a time

export interface SchemaReport {
  createdTables: string[];
  addedColumns: string[];
  /** What existing rows got, per new column (`table.column` → "3 rows set to the default"). */
  filled: Map<string, string>;
  /** Changes no comparison of constraint names shows (a foreign key's target or ON DELETE), in words. */
  changes: string[];
  warnings: string[];
}

// Type names as PostgreSQL's format_type() spells them.
const CANONICAL_TYPES: Record<string, string> = {
  varchar: 'character varying', int2: 'smallint', int4: 'integer', int8: 'bigint', float8: 'double precision',
  float4: 'real', bool: 'boolean', timestamp: 'timestamp without time zone', timestamptz: 'timestamp with time zone',
};

export function canonicalType(t: string): string {
  const lower = t.trim().toLowerCase();
  return CANONICAL_TYPES[lower] ?? lower;
}

const INTEGERS = ['smallint', 'integer', 'bigint'];

/** Whether converting a column from `from` to `to` keeps every value (Odoo converts these too). */
function safeConversion(from: string, to: string): boolean {
  const base = (t: string) => t.replace(/\(.*\)$/, '');
  if (to === 'text' || to === 'character varying') return from !== 'bytea';
  if (INTEGERS.includes(from) && INTEGERS.includes(to)) return INTEGERS.indexOf(to) > INTEGERS.indexOf(from);
  if (INTEGERS.includes(from) || from === 'real') return ['numeric', 'double precision'].includes(base(to)) && !to.includes('(');
  if (base(from) === 'numeric' && to === 'numeric') return true;
  if (from === 'double precision' && to === 'numeric') return true;
  if (from === 'date') return to === 'timestamp without time zone';
  return false;
}

const ONDELETE_CODES: Record<string, string> = { 'SET NULL': 'n', RESTRICT: 'r', CASCADE: 'c', 'NO ACTION': 'a', 'SET DEFAULT': 'd' };

/** `name` once checked to be a plain identifier (for knex's builder, which quotes it). */
function checked(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Invalid identifier ${name}`);
  return name;
}

/** `name` checked and double-quoted for SQL. */
export function q(name: string): string {
  return `"${checked(name)}"`;
}

function ondeleteOf(f: Field): string {
  const od = f.spec.ondelete ?? 'set null';
  // A required many2one cannot be set to NULL: Odoo turns it into restrict.
  if (od === 'set null' && f.required) return 'RESTRICT';
  return od.toUpperCase();
}

export async function initSchema(registry: Registry, cr: Cursor): Promise<SchemaReport> {
  const report: SchemaReport = { createdTables: [], addedColumns: [], filled: new Map(), changes: [], warnings: [] };
  await cr.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
  const models = [...registry.models.values()].filter((m) => !m.abstract);
  const tables = new Set((await cr.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema()`)).map((r) => r.t));
  for (const m of models) {
    if (tables.has(m.table)) continue;
    await cr.run(cr.knex.schema.createTable(checked(m.table), (t) => {
      t.increments('id', { primaryKey: true });
    }));
    // COMMENT takes no bind parameters: the driver's own literal escaping instead.
    await cr.query(`COMMENT ON TABLE ${q(m.table)} IS ${cr.client.escapeLiteral(m.description)}`);
    tables.add(m.table);
    report.createdTables.push(m.table);
  }
  const colRows = await cr.query<{ t: string; c: string; nullable: boolean; type: string }>(
    `SELECT c.relname AS t, a.attname AS c, NOT a.attnotnull AS nullable, format_type(a.atttypid, a.atttypmod) AS type
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  const columns = new Map<string, Map<string, boolean>>();
  const types = new Map<string, string>();
  for (const r of colRows) {
    const map = columns.get(r.t) ?? new Map<string, boolean>();
    map.set(r.c, r.nullable);
    columns.set(r.t, map);
    types.set(`${r.t}.${r.c}`, r.type);
  }
  const constraints = new Set((await cr.query<{ n: string }>(`SELECT conname AS n FROM pg_constraint`)).map((r) => r.n));
  const toCompute = new Map<Model, Field[]>();
  const env = new Env(registry, cr, SUPERUSER_ID, {}, true);
  for (const m of models) {
    const existing = columns.get(m.table) ?? new Map<string, boolean>();
    const newTable = report.createdTables.includes(m.table);
    for (const f of m.columns) {
      if (!existing.has(f.name)) {
        await cr.run(cr.knex.schema.alterTable(checked(m.table), (t) => {
          t.specificType(checked(f.name), f.columnType!);
        }));
        existing.set(f.name, true);
        report.addedColumns.push(`${m.table}.${f.name}`);
        if (!newTable) await fillNewColumn(env, m, f, report, toCompute);
      } else {
        await convertColumn(cr, m, f, types.get(`${m.table}.${f.name}`) ?? '', report);
      }
      const nullable = existing.get(f.name);
      if (f.required && nullable && !f.isComputed) {
        const nulls = await cr.query(`SELECT 1 FROM ${q(m.table)} WHERE ${q(f.name)} IS NULL LIMIT 1`);
        if (nulls.length) report.warnings.push(`${m.name}.${f.name} is required but has empty values: NOT NULL not set`);
        else await cr.query(`ALTER TABLE ${q(m.table)} ALTER COLUMN ${q(f.name)} SET NOT NULL`);
      } else if (!f.required && nullable === false) {
        await cr.query(`ALTER TABLE ${q(m.table)} ALTER COLUMN ${q(f.name)} DROP NOT NULL`);
      }
    }
  }
  const fkeys = new Map((await cr.query<{ n: string; code: string; ref: string }>(
    `SELECT conname AS n, confdeltype AS code, confrelid::regclass::text AS ref FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`,
  )).map((r) => [r.n, r]));
  for (const m of models) {
    for (const f of m.columns) {
      if (f.type === 'many2one') {
        const comodel = registry.get(f.comodel!);
        if (comodel.abstract) continue;
        const name = `${m.table}_${f.name}_fkey`;
        const fk = fkeys.get(name);
        if (fk && (fk.code !== ONDELETE_CODES[ondeleteOf(f)] || fk.ref.replace(/"/g, '') !== comodel.table)) {
          // A changed target or ON DELETE: Odoo drops the foreign key and makes it again.
          await cr.query(`ALTER TABLE ${q(m.table)} DROP CONSTRAINT ${q(name)}`);
          constraints.delete(name);
          report.changes.push(`changed foreign key ${name} (${m.table}.${f.name} → ${comodel.table}, ON DELETE ${ondeleteOf(f)})`);
        }
        if (!constraints.has(name)) {
          await cr.run(cr.knex.schema.alterTable(checked(m.table), (t) => {
            t.foreign(checked(f.name), checked(name)).references('id').inTable(checked(comodel.table)).onDelete(ondeleteOf(f));
          }));
          constraints.add(name);
        }
      }
      if (f.spec.index || f.type === 'many2one' && f.spec.index !== false && (f.spec.ondelete === 'cascade')) {
        await cr.query(`CREATE INDEX IF NOT EXISTS ${q(`${m.table}__${f.name}_index`)} ON ${q(m.table)} (${q(f.name)})${f.spec.index === 'btree_not_null' ? ` WHERE ${q(f.name)} IS NOT NULL` : ''}`);
      }
    }
    for (const f of m.fields.values()) {
      if (f.type !== 'many2many' || !f.store || f.isComputed) continue;
      await createRelation(registry, cr, m, f, tables, constraints);
    }
    for (const [name, definition] of m.sqlConstraints) {
      const cname = `${m.table}_${name}`;
      if (constraints.has(cname)) continue;
      await cr.query(`ALTER TABLE ${q(m.table)} ADD CONSTRAINT ${q(cname)} ${definition}`);
      constraints.add(cname);
    }
    for (const [name, definition] of m.indexes) {
      await cr.query(`CREATE INDEX IF NOT EXISTS ${q(`${m.table}_${name}`)} ON ${q(m.table)} ${definition}`);
    }
  }
  // What fields cannot express (technical columns, side tables), each addon's after its dependencies'.
  for (const addon of registry.addons) {
    for (const extra of addon.schema ?? []) {
      if (typeof extra === 'string') await cr.execute(extra);
      else await extra(cr);
    }
  }
  // Stored computed fields new to existing tables: computed once the whole schema is there.
  for (const [m, fields] of toCompute) {
    const ids = (await cr.query<{ id: number }>(`SELECT id FROM ${q(m.table)} ORDER BY id`)).map((r) => r.id);
    if (ids.length) await recompute(env.model(m.name).browse(ids), fields);
    for (const f of fields) report.filled.set(`${m.table}.${f.name}`, `computed for ${ids.length} rows`);
  }
  return report;
}

/**
 * A column added to a table with rows: a constant default is written on them (Odoo's
 * `_init_column`), a stored computed field is computed at the end (`toCompute`).
 */
async function fillNewColumn(env: Env, m: Model, f: Field, report: SchemaReport, toCompute: Map<Model, Field[]>): Promise<void> {
  if (f.isComputed || f.isRelated) {
    toCompute.set(m, [...(toCompute.get(m) ?? []), f]);
    return;
  }
  let def = f.spec.default;
  // A required field needs a value on every row: its default computed once, as Odoo does.
  if (typeof def === 'function' && f.required) def = await (def as (env: Env) => unknown)(env);
  if (def === undefined || typeof def === 'function' || def === false || def === null) return;
  const [{ n }] = await env.cr.query<{ n: number }>(
    `WITH u AS (UPDATE ${q(m.table)} SET ${q(f.name)} = $1 WHERE ${q(f.name)} IS NULL RETURNING 1) SELECT count(*)::int AS n FROM u`, [def],
  );
  report.filled.set(`${m.table}.${f.name}`, `${n} rows set to the default ${JSON.stringify(def)}`);
}

/** A column whose declared type changed: converted when every value survives, else left and warned. */
async function convertColumn(cr: Cursor, m: Model, f: Field, current: string, report: SchemaReport): Promise<void> {
  const declared = canonicalType(f.columnType!);
  if (!current || current === declared) return;
  const where = `${m.table}.${f.name}`;
  if (!safeConversion(current, declared)) {
    report.warnings.push(`column ${where} is ${current} but ${m.name}.${f.name} declares ${declared}: left as it is (converting could lose values)`);
    return;
  }
  // A dependent view or rule can refuse the conversion: then the column stays, with a warning.
  await cr.query('SAVEPOINT convert_column');
  try {
    await cr.query(`ALTER TABLE ${q(m.table)} ALTER COLUMN ${q(f.name)} TYPE ${f.columnType} USING ${q(f.name)}::${f.columnType}`);
    await cr.query('RELEASE SAVEPOINT convert_column');
  } catch (err) {
    await cr.query('ROLLBACK TO SAVEPOINT convert_column');
    report.warnings.push(`column ${where} could not be converted from ${current} to ${declared}: ${(err as Error).message}`);
  }
}

async function createRelation(registry: Registry, cr: Cursor, m: Model, f: Field, tables: Set<string>, constraints: Set<string>): Promise<void> {
  const { table, col1, col2 } = f.m2mRelation;
  if (tables.has(table)) return;
  const comodel = registry.get(f.comodel!);
  for (const name of [table, col1, col2, m.table, comodel.table]) checked(name);
  await cr.run(cr.knex.schema.createTable(table, (t) => {
    t.integer(col1).notNullable();
    t.integer(col2).notNullable();
    t.primary([col1, col2]);
    // Constraint names as PostgreSQL gives inline REFERENCES (<table>_<column>_fkey).
    t.foreign(col1, `${table}_${col1}_fkey`).references('id').inTable(m.table).onDelete('CASCADE');
    t.foreign(col2, `${table}_${col2}_fkey`).references('id').inTable(comodel.table).onDelete('CASCADE');
  }));
  await cr.query(`CREATE INDEX IF NOT EXISTS ${q(`${table}_${col2}_idx`)} ON ${q(table)} (${q(col2)}, ${q(col1)})`);
  tables.add(table);
  void constraints;
}
