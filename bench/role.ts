// The database role a benchmark runs as: BENCH_ROLE=createdb connects as a role with only
// LOGIN CREATEDB (what a managed PostgreSQL gives), which creates and owns the bench database;
// the default (superuser) is the embedded cluster's superuser.

import crypto from 'node:crypto';
import pg from 'pg';
import { ensureDatabase, quoteIdentifier, withDatabase, type DatabaseServer } from '../server/postgres.ts';

export const BENCH_ROLE = process.env.BENCH_ROLE === 'createdb' ? 'createdb' : 'superuser';
const ROLE_NAME = 'bench_createdb';

/** Create database `db` as the bench role and return the connection string to use for it. */
export async function benchDatabase(server: DatabaseServer, db: string): Promise<string> {
  if (BENCH_ROLE === 'superuser') {
    await ensureDatabase(server.adminConnectionString, db);
    return server.connectionString(db);
  }
  const password = crypto.randomBytes(12).toString('hex');
  const admin = new pg.Client({ connectionString: server.adminConnectionString });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [ROLE_NAME])).rowCount;
    const verb = exists ? 'ALTER' : 'CREATE';
    await admin.query(`${verb} ROLE ${quoteIdentifier(ROLE_NAME)} LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${password}'`);
  } finally {
    await admin.end();
  }
  const u = new URL(server.adminConnectionString);
  u.username = ROLE_NAME;
  u.password = password;
  await ensureDatabase(u.toString(), db);
  return withDatabase(u.toString(), db);
}
