// BENCH_STATEMENTS=1 for bench/prepare and bench/import: the statements that took the most time
// (pg_stat_statements, nested ones included, so each foreign-key lookup PostgreSQL runs per row
// shows, all of them on one line with its number of calls).

import pg from 'pg';
import type { DatabaseServer } from '../server/postgres.ts';

export const STATEMENTS = process.env.BENCH_STATEMENTS === '1';

/** PostgreSQL flags loading pg_stat_statements (tracking nested statements) when BENCH_STATEMENTS=1, and auto_explain's plans of slow statements with BENCH_EXPLAIN=1. */
export const statementFlags: string[] = STATEMENTS ? ['-c', 'shared_preload_libraries=pg_stat_statements,auto_explain', '-c', 'pg_stat_statements.track=all',
  ...(process.env.BENCH_EXPLAIN ? ['-c', 'auto_explain.log_min_duration=1000', '-c', 'auto_explain.log_analyze=on', '-c', 'auto_explain.log_buffers=on', '-c', 'auto_explain.log_triggers=on', '-c', 'auto_explain.log_nested_statements=on'] : [])] : [];

/** A superuser connection to `db` reading the statistics (they cover every role's statements); undefined unless BENCH_STATEMENTS=1. */
export async function statementsClient(server: DatabaseServer, db: string): Promise<pg.Client | undefined> {
  if (!STATEMENTS) return undefined;
  const admin = new pg.Client({ connectionString: server.connectionString(db) });
  await admin.connect();
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await admin.query('SELECT pg_stat_statements_reset()');
  return admin;
}

/** The statements (nested ones included) that took the most time since the last call, as lines; full-page images and blocks written show a checkpoint inside a case. */
export async function topStatements(admin: pg.Client): Promise<string[]> {
  const { rows } = await admin.query<{ ms: string; calls: string; rows: string; wal_mb: string; fpi: string; written: string; q: string }>(`
    SELECT round(total_exec_time)::text AS ms, calls::text, rows::text, round(wal_bytes / 1e6)::text AS wal_mb,
           wal_fpi::text AS fpi, shared_blks_written::text AS written,
           left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q
    FROM pg_stat_statements WHERE total_exec_time > 20 ORDER BY total_exec_time DESC LIMIT 10`);
  await admin.query('SELECT pg_stat_statements_reset()');
  // PostgreSQL's foreign-key lookups all count as one statement, shown with the first one's table.
  const label = (q: string) => (/^SELECT (?:1|\$\d+) FROM ONLY "[^"]+"\."[^"]+" x WHERE /.test(q) ? `foreign-key checks (every table; e.g. ${q})` : q);
  return rows.map((r) => `${r.ms.padStart(7)} ms ${r.calls.padStart(7)} calls ${r.rows.padStart(7)} rows ${r.wal_mb.padStart(4)} MB WAL ${r.fpi.padStart(6)} FPI ${r.written.padStart(6)} blks written  ${label(r.q)}`);
}
