import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import pg from 'pg';
import { ensureDatabase, startDatabaseServer, type DatabaseServer } from '../../server/postgres.ts';
import {
  freshDatabase,
  makeTempDir,
  TEMPLATE_DB,
  TEST_POSTGRES_FLAGS,
  testCluster,
  testLogger,
} from '../helpers/db.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(
  connectionString: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function startEmbedded(dataDir: string): Promise<DatabaseServer> {
  return startDatabaseServer(
    { databaseUrl: undefined, dataDir, embeddedPgPort: 0 },
    { logger: testLogger(), postgresFlags: TEST_POSTGRES_FLAGS, initdbNoSync: true },
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not reaped yet) is not alive. State is the field after "(comm)".
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

async function postmasterPid(dataDir: string): Promise<number> {
  const text = await fs.readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8');
  return Number.parseInt(text.split('\n')[0]!, 10);
}

describe('server/postgres', function () {
  describe('freshDatabase()', function () {
    it('gives independent databases cloned from the template', async function () {
      const a = await freshDatabase();
      const b = await freshDatabase();
      try {
        expect(a.name).to.not.equal(b.name);
        await query(a.connectionString, 'CREATE TABLE only_in_a (x int)');
        await query(a.connectionString, 'INSERT INTO only_in_a VALUES (42)');
        expect(await query(a.connectionString, 'SELECT x FROM only_in_a')).to.deep.equal([{ x: 42 }]);
        const [row] = await query(b.connectionString, "SELECT to_regclass('only_in_a') AS t, current_database() AS db");
        expect(row).to.deep.equal({ t: null, db: b.name });

        // A later clone still comes from the (untouched) template.
        const c = await freshDatabase();
        const [rowC] = await query(c.connectionString, "SELECT to_regclass('only_in_a') AS t");
        expect(rowC!.t).to.equal(null);
        await c.drop();
      } finally {
        await a.drop();
        await b.drop();
      }
      const names = (await freshDatabaseNames()).filter((n) => n === a.name || n === b.name);
      expect(names).to.deep.equal([]);
    });

    it('drop() works while connections are open and is idempotent', async function () {
      const db = await freshDatabase();
      const client = new pg.Client({ connectionString: db.connectionString });
      client.on('error', () => {});
      await client.connect();
      await db.drop();
      await db.drop();
      await client.end().catch(() => {});
      expect(await freshDatabaseNames()).to.not.include(db.name);
    });

    it('databases are UTF8 with Unicode-aware case mapping', async function () {
      const db = await freshDatabase();
      try {
        const [row] = await query(
          db.connectionString,
          "SELECT current_setting('server_encoding') AS enc, lower('ÉCOLE') AS l, 'Élan' ILIKE 'élan' AS ilike",
        );
        expect(row).to.deep.equal({ enc: 'UTF8', l: 'école', ilike: true });
      } finally {
        await db.drop();
      }
    });
  });

  describe('ensureDatabase()', function () {
    it('creates once, then reports existing; rejects unsafe names', async function () {
      const admin = (await testCluster()).server.adminConnectionString;
      const name = `sms_test_ensure_${process.pid}`;
      try {
        expect(await ensureDatabase(admin, name)).to.equal(true);
        expect(await ensureDatabase(admin, name)).to.equal(false);
        let error: unknown;
        try {
          await ensureDatabase(admin, 'bad"; DROP DATABASE postgres; --');
        } catch (err) {
          error = err;
        }
        expect(String(error)).to.match(/Invalid database name/);
      } finally {
        await query(admin, `DROP DATABASE IF EXISTS "${name}"`);
      }
    });
  });

  describe('embedded server on its own data dir', function () {
    let dataDir: string;
    let server: DatabaseServer | undefined;

    before(async function () {
      dataDir = await makeTempDir('restart');
    });
    afterEach(async function () {
      await server?.stop();
      server = undefined;
    });
    after(async function () {
      await fs.rm(dataDir, { recursive: true, force: true });
    });

    async function startAndCheckRow(): Promise<void> {
      server = await startEmbedded(dataDir);
      const rows = await query(server.connectionString('app'), 'SELECT note FROM kept ORDER BY id');
      expect(rows).to.deep.equal([{ note: 'survives restarts' }]);
    }

    it('initialises, then restarts on the same data dir with data intact', async function () {
      server = await startEmbedded(dataDir);
      expect(server.embedded).to.equal(true);
      expect(server.startup.initialised).to.equal(true);
      expect(await ensureDatabase(server.adminConnectionString, 'app')).to.equal(true);
      await query(server.connectionString('app'), 'CREATE TABLE kept (id serial PRIMARY KEY, note text)');
      await query(server.connectionString('app'), "INSERT INTO kept (note) VALUES ('survives restarts')");
      const [listen] = await query(server.adminConnectionString, "SELECT current_setting('listen_addresses') AS v");
      expect(listen!.v).to.equal('127.0.0.1');
      await server.stop();

      server = await startEmbedded(dataDir);
      expect(server.startup.initialised).to.equal(false);
      expect(await ensureDatabase(server.adminConnectionString, 'app')).to.equal(false);
      const rows = await query(server.connectionString('app'), 'SELECT note FROM kept');
      expect(rows).to.deep.equal([{ note: 'survives restarts' }]);
    });

    it('a stale postmaster.pid (dead pid) does not block start', async function () {
      const dead = spawnSync('true').pid!;
      expect(isAlive(dead)).to.equal(false);
      await fs.writeFile(path.join(dataDir, 'pg', 'postmaster.pid'), `${dead}\n${path.join(dataDir, 'pg')}\n`);
      await startAndCheckRow();
    });

    it('a postmaster.pid whose pid now belongs to another process does not block start (and it is not killed)', async function () {
      const other = spawn('sleep', ['30'], { stdio: 'ignore' });
      try {
        await fs.writeFile(path.join(dataDir, 'pg', 'postmaster.pid'), `${other.pid}\n${path.join(dataDir, 'pg')}\n`);
        await startAndCheckRow();
        expect(isAlive(other.pid!)).to.equal(true);
      } finally {
        other.kill('SIGKILL');
      }
    });

    it('stops an orphaned postgres left by a SIGKILLed process, and starts with data intact', async function () {
      this.timeout(60_000);
      const moduleUrl = pathToFileURL(path.join(projectRoot, 'server/postgres.ts')).href;
      const code = `
        const { startDatabaseServer } = await import(${JSON.stringify(moduleUrl)});
        const s = await startDatabaseServer({ dataDir: ${JSON.stringify(dataDir)}, embeddedPgPort: 0 });
        process.stdout.write('READY ' + s.port + '\\n');
        setInterval(() => {}, 1000);
      `;
      const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        cwd: projectRoot,
        env: { ...process.env, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child did not start:\n${output}`)), 30_000);
        child.stdout!.on('data', () => {
          if (output.includes('READY')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`child exited (${code}):\n${output}`));
        });
      });
      const orphan = await postmasterPid(dataDir);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      expect(isAlive(orphan), 'postgres survives its SIGKILLed parent').to.equal(true);

      await startAndCheckRow();
      expect(isAlive(orphan), 'orphan was stopped').to.equal(false);
      expect(await postmasterPid(dataDir)).to.not.equal(orphan);
    });

    it('recovers when the password file was lost', async function () {
      await fs.rm(path.join(dataDir, 'pg-password'));
      await startAndCheckRow();
      const saved = (await fs.readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
      expect(saved).to.have.length.greaterThan(20);
      expect(server!.adminConnectionString).to.include(saved);
    });
  });

  async function freshDatabaseNames(): Promise<string[]> {
    const admin = (await testCluster()).server.adminConnectionString;
    const rows = await query<{ datname: string }>(admin, 'SELECT datname FROM pg_database');
    expect(rows.map((r) => r.datname)).to.include(TEMPLATE_DB);
    return rows.map((r) => r.datname);
  }
});
