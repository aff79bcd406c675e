// Test databases.
//
// One PostgreSQL server per test run (started by the root hooks in test/setup.ts, or lazily by the
// first freshDatabase() call): an embedded cluster in a fresh temp folder (fsync off, deleted at
// the end), or the server of TEST_DATABASE_URL when set.
//
// The template database `sms_test_template` is built once per run with initDatabase(). Each suite
// then takes its own copy, which is fast (file-level clone) and independent of other suites:
//
//   let db: FreshDatabase;
//   before(async () => { db = await freshDatabase(); });
//   after(() => db.drop());
//   ... new pg.Client(db.connectionString) ...

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { initDatabase } from '../../server/bootstrap.ts';
import { createLogger, type Logger } from '../../server/log.ts';
import {
  dropDatabase,
  ensureDatabase,
  quoteIdentifier,
  releaseDataDir,
  startDatabaseServer,
  withDatabase,
  type DatabaseServer,
} from '../../server/postgres.ts';

export const TEMPLATE_DB = 'sms_test_template';
const TEMP_PREFIX = 'sms_marketing-test-';

/** Flags for throwaway clusters: durability off, speed on. */
export const TEST_POSTGRES_FLAGS = [
  '-c', 'fsync=off',
  '-c', 'synchronous_commit=off',
  '-c', 'full_page_writes=off',
  '-c', 'max_connections=300',
];

export interface FreshDatabase {
  name: string;
  connectionString: string;
  /** Drops the database (terminating its connections). Idempotent. */
  drop(): Promise<void>;
}

export interface TestCluster {
  server: DatabaseServer;
  /** One connection to the maintenance database, kept for the run (connecting costs ~50 ms). */
  admin: pg.Client;
  /** Temp folder of the embedded cluster (undefined with TEST_DATABASE_URL). */
  dataDir: string | undefined;
  /** Time taken to build the template with initDatabase(), in ms. */
  templateMs: number;
}

/** Logger for test infrastructure: silent unless TEST_LOG_LEVEL is set (e.g. debug). */
export function testLogger(): Logger {
  return createLogger(process.env.TEST_LOG_LEVEL || 'silent');
}

/** A new empty temp folder (removed by the caller), under os.tmpdir(). */
export async function makeTempDir(label = 'tmp'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `${TEMP_PREFIX}${process.pid}-${label}-`));
}

let clusterPromise: Promise<TestCluster> | undefined;
const liveDatabases = new Set<string>();
let counter = 0;

/** Starts the run's server and builds the template, once (memoised). */
export function testCluster(): Promise<TestCluster> {
  clusterPromise ??= startTestCluster().catch((err: unknown) => {
    clusterPromise = undefined;
    throw err;
  });
  return clusterPromise;
}

async function startTestCluster(): Promise<TestCluster> {
  const logger = testLogger();
  const externalUrl = process.env.TEST_DATABASE_URL || undefined;
  let dataDir: string | undefined;
  if (!externalUrl) {
    await removeLeftoverTempDirs(logger);
    dataDir = await makeTempDir('cluster');
  }
  let server: DatabaseServer;
  try {
    server = await startDatabaseServer(
      { databaseUrl: externalUrl, dataDir: dataDir ?? '', embeddedPgPort: 0 },
      { logger, postgresFlags: TEST_POSTGRES_FLAGS, initdbNoSync: true },
    );
  } catch (err) {
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
  let admin: pg.Client | undefined;
  try {
    const templateMs = await buildTemplate(server);
    admin = new pg.Client({ connectionString: server.adminConnectionString });
    admin.on('error', () => {});
    await admin.connect();
    return { server, admin, dataDir, templateMs };
  } catch (err) {
    await admin?.end().catch(() => {});
    await server.stop().catch(() => {});
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
}

async function withAdmin<T>(server: DatabaseServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.adminConnectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function buildTemplate(server: DatabaseServer): Promise<number> {
  const t0 = performance.now();
  const tpl = quoteIdentifier(TEMPLATE_DB);
  // A template left by a previous run (external server): rebuild it, the schema may have changed.
  await withAdmin(server, async (c) => {
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE_DB]);
    if (found.rowCount) await c.query(`ALTER DATABASE ${tpl} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true`);
  });
  await dropDatabase(server.adminConnectionString, TEMPLATE_DB);
  await ensureDatabase(server.adminConnectionString, TEMPLATE_DB);

  await initDatabase(server.connectionString(TEMPLATE_DB));

  // CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template. initDatabase()
  // should close its connections; give pools that end lazily a moment, then terminate leftovers.
  await withAdmin(server, async (c) => {
    const count = async () =>
      Number(
        (
          await c.query(
            'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [TEMPLATE_DB],
          )
        ).rows[0].n,
      );
    const deadline = Date.now() + 2000;
    let n = await count();
    while (n > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      n = await count();
    }
    if (n > 0) {
      console.warn(
        `[test/setup] initDatabase() left ${n} connection(s) open to ${TEMPLATE_DB}; terminating them. ` +
          'Close pools/clients (await pool.end()) before returning.',
      );
      await c.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [TEMPLATE_DB],
      );
    }
    // Mark it as a template and refuse new connections, so nothing can block the clones.
    await c.query(`ALTER DATABASE ${tpl} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  });
  return Math.round(performance.now() - t0);
}

/** A new database cloned from the template, independent from every other one. */
export async function freshDatabase(): Promise<FreshDatabase> {
  const { server, admin } = await testCluster();
  const name = `sms_test_${process.pid}_${++counter}_${crypto.randomBytes(3).toString('hex')}`;
  // FILE_COPY (PostgreSQL 15+) clones a small template ~3x faster than the default WAL_LOG; its
  // checkpoint is cheap with fsync off. Not assumed on an external server (may be older).
  const strategy = server.embedded ? ' STRATEGY FILE_COPY' : '';
  const sql = `CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(TEMPLATE_DB)}${strategy}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(sql);
      break;
    } catch (err) {
      // 55006: "source database is being accessed by other users" (should not happen: the
      // template refuses connections), retried briefly anyway.
      if ((err as { code?: string }).code === '55006' && attempt < 50) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      throw err;
    }
  }
  liveDatabases.add(name);
  let dropped: Promise<void> | undefined;
  return {
    name,
    connectionString: server.connectionString(name),
    drop: () => {
      dropped ??= admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`).then(() => {
        liveDatabases.delete(name);
      });
      return dropped;
    },
  };
}

/** The run's role with only LOGIN CREATEDB (what a managed PostgreSQL gives its user). */
export const CREATEDB_ROLE = 'sms_test_createdb';
let createdbRolePassword: Promise<string> | undefined;

function createdbRole(): Promise<string> {
  createdbRolePassword ??= testCluster().then(async ({ admin }) => {
    const password = crypto.randomBytes(12).toString('hex');
    const exists = (await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [CREATEDB_ROLE])).rowCount;
    await admin.query(`${exists ? 'ALTER' : 'CREATE'} ROLE ${quoteIdentifier(CREATEDB_ROLE)} LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${password}'`);
    return password;
  });
  return createdbRolePassword;
}

/**
 * A new database created by the LOGIN CREATEDB role and set up by it with initDatabase() (it owns
 * every table, as on a managed PostgreSQL), for tests proving a path needs no superuser. Slower
 * than freshDatabase(): the schema is built, not cloned.
 */
export async function createdbRoleDatabase(): Promise<FreshDatabase> {
  const { server, admin } = await testCluster();
  const u = new URL(server.adminConnectionString);
  u.username = CREATEDB_ROLE;
  u.password = await createdbRole();
  const name = `sms_test_${process.pid}_${++counter}_${crypto.randomBytes(3).toString('hex')}`;
  await ensureDatabase(u.toString(), name);
  liveDatabases.add(name);
  const connectionString = withDatabase(u.toString(), name);
  await initDatabase(connectionString);
  let dropped: Promise<void> | undefined;
  return {
    name,
    connectionString,
    drop: () => {
      dropped ??= admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`).then(() => {
        liveDatabases.delete(name);
      });
      return dropped;
    },
  };
}

/** Drops remaining test databases, stops the server, deletes the temp folder. */
export async function shutdownTestCluster(): Promise<void> {
  if (!clusterPromise) return;
  const pending = clusterPromise;
  clusterPromise = undefined;
  let cluster: TestCluster;
  try {
    cluster = await pending;
  } catch {
    return;
  }
  const { server, admin, dataDir } = cluster;
  await admin.end().catch(() => {});
  if (!server.embedded) {
    // Shared external server: leave it clean.
    for (const name of [...liveDatabases]) await dropDatabase(server.adminConnectionString, name).catch(() => {});
    await withAdmin(server, (c) =>
      c.query(`ALTER DATABASE ${quoteIdentifier(TEMPLATE_DB)} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true`),
    ).catch(() => {});
    await dropDatabase(server.adminConnectionString, TEMPLATE_DB).catch(() => {});
  }
  liveDatabases.clear();
  await server.stop();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
}

/** Temp folders of earlier runs that were killed (their pid is gone): stop orphans, delete. */
async function removeLeftoverTempDirs(logger: Logger): Promise<void> {
  const tmp = os.tmpdir();
  let entries: string[];
  try {
    entries = await fs.readdir(tmp);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(TEMP_PREFIX)) continue;
    const pid = Number.parseInt(entry.slice(TEMP_PREFIX.length), 10);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    const dir = path.join(tmp, entry);
    try {
      await releaseDataDir(dir, logger);
      await fs.rm(dir, { recursive: true, force: true });
    } catch (err) {
      logger.warn({ err, dir }, 'could not remove leftover test folder');
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
