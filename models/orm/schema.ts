// Schema from the models, like Odoo's auto-init: tables, columns, foreign keys, relation
// tables, indexes and SQL constraints. Only adds; never drops data. Idempotent.
// DDL goes through knex's schema builder where it expresses the statement (create table, add
// column, foreign keys); raw statements remain for what it cannot say (IF NOT EXISTS indexes,
// partial indexes, declared constraint definitions, NOT NULL toggles, table comments).

import type { Registry } from './registry.ts';
import type { Cursor } from './env.ts';
import type { Field } from './fields.ts';
import type { Model } from './model.ts';

const SCHEMA_LOCK = 7_201_942; // advisory lock id: one instance migrates at a time

export interface SchemaReport {
  createdTables: string[];
  addedColumns: string[];
  warnings: string[];
}

/** `name` once checked to be a plain identifier (for knex's builder, which quotes it). */
function checked(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Invalid identifier ${name}`);
  return name;
}

function q(name: string): string {
  return `"${checked(name)}"`;
}

function ondeleteOf(f: Field): string {
  const od = f.spec.ondelete ?? 'set null';
  // A required many2one cannot be set to NULL: Odoo turns it into restrict.
  if (od === 'set null' && f.required) return 'RESTRICT';
  return od.toUpperCase();
}

export async function initSchema(registry: Registry, cr: Cursor): Promise<SchemaReport> {
  const report: SchemaReport = { createdTables: [], addedColumns: [], warnings: [] };
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
  const colRows = await cr.query<{ t: string; c: string; nullable: string }>(
    `SELECT table_name AS t, column_name AS c, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = current_schema()`,
  );
  const columns = new Map<string, Map<string, boolean>>();
  for (const r of colRows) {
    const map = columns.get(r.t) ?? new Map<string, boolean>();
    map.set(r.c, r.nullable === 'YES');
    columns.set(r.t, map);
  }
  const constraints = new Set((await cr.query<{ n: string }>(`SELECT conname AS n FROM pg_constraint`)).map((r) => r.n));
  for (const m of models) {
    const existing = columns.get(m.table) ?? new Map<string, boolean>();
    for (const f of m.columns) {
      if (!existing.has(f.name)) {
        await cr.run(cr.knex.schema.alterTable(checked(m.table), (t) => {
          t.specificType(checked(f.name), f.columnType!);
        }));
        existing.set(f.name, true);
        report.addedColumns.push(`${m.table}.${f.name}`);
        // New boolean/number columns get their constant default on existing rows.
        const def = f.spec.default;
        if (def !== undefined && typeof def !== 'function' && def !== false && def !== null && !report.createdTables.includes(m.table)) {
          await cr.query(`UPDATE ${q(m.table)} SET ${q(f.name)} = $1 WHERE ${q(f.name)} IS NULL`, [def]);
        }
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
  for (const m of models) {
    for (const f of m.columns) {
      if (f.type === 'many2one') {
        const comodel = registry.get(f.comodel!);
        if (comodel.abstract) continue;
        const name = `${m.table}_${f.name}_fkey`;
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
  return report;
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
