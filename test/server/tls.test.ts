// DATABASE_URL's TLS parameters against a PostgreSQL with ssl=on: a small cluster of the test's
// own, with a CA and a server certificate (CN localhost, SAN localhost + 127.0.0.1) made with
// openssl. sslmode means what it means to libpq: `require` encrypts without verifying,
// `verify-full` checks the CA given by `sslrootcert` and the host name; a wrong CA, or no TLS
// against a `hostssl`-only server, stops the start with a one-line reason.

import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import pg from 'pg';
import { makeTempDir, testCluster, testLogger, TEST_POSTGRES_FLAGS } from '../helpers/db.ts';
import { startDatabaseServer, ensureDatabase, withDatabase, type DatabaseServer } from '../../server/postgres.ts';
import { loadConfig } from '../../server/config.ts';
import { openRuntime } from '../../server/runtime.ts';
import { createRegistry } from '../../server/bootstrap.ts';
import { pgClientConfig, DatabaseConnectionError } from '../../models/orm/pg_config.ts';

const OPENSSL = ['/usr/bin/openssl', '/bin/openssl'].find((p) => existsSync(p));
const missing = OPENSSL ? '' : ' (skipped: openssl is missing, apt-get install openssl)';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function openssl(cwd: string, ...args: string[]): void {
  execFileSync(OPENSSL!, args, { cwd, stdio: 'pipe' });
}

/** A CA, a server certificate it signed (localhost, 127.0.0.1), and an unrelated CA. */
async function makeCertificates(dir: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3', '-subj', '/CN=sms_marketing test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '3', '-subj', '/CN=some other CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl(dir, 'req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  await fs.writeFile(path.join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '3', '-extfile', 'server.ext');
}

/** The server's own start (`server/main.ts`) with `env`: exit code and output. */
function runServer(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 150_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, output: stdout + stderr });
    });
  });
}

describe(`server: TLS to PostgreSQL (sslmode, sslrootcert)${missing}`, function () {
  this.timeout(180_000);
  let dir: string;
  let certs: string;
  let server: DatabaseServer;
  let admin: pg.Client;
  /** The cluster's URL for `dbName` with `params` (host 127.0.0.1 unless given). */
  let url: (dbName: string, params: Record<string, string>, host?: string) => string;

  before(async function () {
    if (!OPENSSL) {
      if (process.env.CI) throw new Error('openssl is missing (apt-get install openssl)');
      this.skip();
    }
    dir = await makeTempDir('tls');
    // Reachable by the `postgres` user when run as root, so the cluster stays in this folder.
    await fs.chmod(dir, 0o755);
    certs = path.join(dir, 'certs');
    await fs.mkdir(certs);
    await makeCertificates(certs);
    server = await startDatabaseServer({ databaseUrl: undefined, dataDir: path.join(dir, 'data'), embeddedPgPort: 0 }, { logger: testLogger(), postgresFlags: TEST_POSTGRES_FLAGS, initdbNoSync: true });
    admin = new pg.Client({ connectionString: server.adminConnectionString });
    admin.on('error', () => undefined);
    await admin.connect();
    // The certificate and key go into the data directory, owned by the cluster's user (key 0600).
    const dataDir = (await admin.query<{ data_directory: string }>('SHOW data_directory')).rows[0].data_directory;
    const owner = await fs.stat(dataDir);
    for (const [file, mode] of [['server.crt', 0o644], ['server.key', 0o600]] as const) {
      await fs.copyFile(path.join(certs, file), path.join(dataDir, file));
      await fs.chown(path.join(dataDir, file), owner.uid, owner.gid);
      await fs.chmod(path.join(dataDir, file), mode);
    }
    await admin.query('ALTER SYSTEM SET ssl = on');
    await admin.query('SELECT pg_reload_conf()');
    for (let i = 0; i < 100 && (await admin.query('SHOW ssl')).rows[0].ssl !== 'on'; i++) await new Promise((r) => setTimeout(r, 50));
    url = (dbName, params, host = '127.0.0.1') => {
      const u = new URL(withDatabase(server.adminConnectionString, dbName));
      u.hostname = host;
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      return u.toString();
    };
  });
  after(async () => {
    await admin?.end().catch(() => undefined);
    await server?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  /** Whether a connection made from `connectionString` as the server makes it is encrypted. */
  async function encrypted(connectionString: string): Promise<boolean> {
    const c = new pg.Client(pgClientConfig(connectionString));
    c.on('error', () => undefined);
    await c.connect();
    try {
      return (await c.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl;
    } finally {
      await c.end();
    }
  }

  it('sslmode=require: encrypted, the certificate is not verified (no CA needed)', async () => {
    expect(await encrypted(url('postgres', { sslmode: 'require' }))).to.equal(true);
    expect(await ensureDatabase(withDatabase(url('postgres', { sslmode: 'require' }), 'postgres'), 'tls_require')).to.equal(true);
    const registry = createRegistry(url('tls_require', { sslmode: 'require' }), 2);
    try {
      const { rows } = await registry.pool.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(rows[0].ssl).to.equal(true);
    } finally {
      await registry.close();
    }
  });

  it('no sslmode or sslmode=disable: unencrypted, as before', async () => {
    expect(await encrypted(url('postgres', {}))).to.equal(false);
    expect(await encrypted(url('postgres', { sslmode: 'disable' }))).to.equal(false);
  });

  it('sslmode=verify-full with sslrootcert: the whole server starts on it, encrypted', async () => {
    const config = loadConfig({ DATABASE_URL: url('tls_full', { sslmode: 'verify-full', sslrootcert: path.join(certs, 'ca.crt') }), PORT: '0', LOG_LEVEL: 'silent' });
    const runtime = await openRuntime(config, testLogger(), { poolSize: 2 });
    try {
      const { rows } = await runtime.registry.pool.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(rows[0].ssl).to.equal(true);
      expect(await runtime.registry.sudo((env) => env.model('res.users').searchCount([['login', '=', 'admin']]))).to.equal(1);
    } finally {
      await runtime.close();
    }
    // The certificate names localhost too; verify-ca accepts any host name signed by the CA.
    expect(await encrypted(url('postgres', { sslmode: 'verify-full', sslrootcert: path.join(certs, 'ca.crt') }, 'localhost'))).to.equal(true);
    expect(await encrypted(url('postgres', { sslmode: 'verify-ca', sslrootcert: path.join(certs, 'ca.crt') }))).to.equal(true);
  });

  it('sslmode=prefer is settled once at start: TLS when the server has it, else unencrypted', async () => {
    const withTls = await startDatabaseServer({ databaseUrl: url('postgres', { sslmode: 'prefer' }), dataDir: '', embeddedPgPort: 0 }, { logger: testLogger() });
    expect(new URL(withTls.connectionString('x')).searchParams.get('sslmode')).to.equal('require');
    const { server: plain } = await testCluster();
    const u = new URL(plain.adminConnectionString);
    u.searchParams.set('sslmode', 'prefer');
    const without = await startDatabaseServer({ databaseUrl: u.toString(), dataDir: '', embeddedPgPort: 0 }, { logger: testLogger() });
    expect(new URL(without.connectionString('x')).searchParams.get('sslmode')).to.equal('disable');
  });

  it('verify-full against a certificate of another CA: a clear error at start, no stack trace', async () => {
    const wrong = url('postgres', { sslmode: 'verify-full', sslrootcert: path.join(certs, 'other-ca.crt') });
    let failure: unknown;
    await ensureDatabase(wrong, 'tls_wrong').catch((err) => (failure = err));
    expect(failure).to.be.instanceOf(DatabaseConnectionError);
    expect((failure as Error).message).to.match(/^cannot connect to PostgreSQL at 127\.0\.0\.1:\d+: the server's TLS certificate is not trusted \(/);
    expect((failure as Error).message).to.contain('sslrootcert=/path/to/ca.crt');

    const run = await runServer({ DATABASE_URL: withDatabase(wrong, 'tls_wrong'), PORT: '0', DATA_DIR: path.join(dir, 'app'), LOG_LEVEL: 'info' });
    expect(run.code, run.output).to.equal(1);
    const fatal = run.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.level === 'fatal');
    expect(fatal?.msg, run.output).to.match(/^could not start the server: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+: the server's TLS certificate is not trusted/);
    expect(fatal).to.not.have.property('err');
    expect(run.output).to.not.match(/\n\s+at /);
  });

  it('an unreadable sslrootcert or an unknown sslmode: the configuration is refused', () => {
    expect(() => loadConfig({ DATABASE_URL: url('x', { sslmode: 'verify-full', sslrootcert: path.join(certs, 'nope.crt') }) })).to.throw(/DATABASE_URL: sslrootcert file ".*nope\.crt" cannot be read/);
    expect(() => loadConfig({ DATABASE_URL: url('x', { sslmode: 'required' }) })).to.throw(/DATABASE_URL: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full \(got "required"\)/);
  });

  it("node-postgres's ssl=true in the URL means verify-full, never a silent downgrade", async () => {
    const config = pgClientConfig('postgresql://u:p@db.example.com/x?ssl=true');
    expect(config.ssl).to.include({ rejectUnauthorized: true });
    expect(config.connectionString).to.equal('postgresql://u:p@db.example.com/x');
    // Against this cluster's private CA, the system's CAs do not do: refused with the hint.
    let failure: unknown;
    await ensureDatabase(url('postgres', { ssl: 'true' }, 'localhost'), 'tls_ssl_true').catch((err) => (failure = err));
    expect((failure as Error).message).to.match(/the server's TLS certificate is not trusted/);
  });

  it('sslmode=disable against a hostssl-only server: refused, and the message says to add sslmode', async () => {
    const hba = (await admin.query<{ hba_file: string }>('SHOW hba_file')).rows[0].hba_file;
    const text = await fs.readFile(hba, 'utf8');
    await fs.writeFile(hba, text.replace(/^host(\s)/gm, 'hostssl$1'));
    await admin.query('SELECT pg_reload_conf()');
    await new Promise((r) => setTimeout(r, 200));
    let failure: unknown;
    await ensureDatabase(url('postgres', { sslmode: 'disable' }), 'tls_plain').catch((err) => (failure = err));
    expect(failure).to.be.instanceOf(DatabaseConnectionError);
    expect((failure as Error).message).to.match(/^cannot connect to PostgreSQL at 127\.0\.0\.1:\d+: the server refuses unencrypted connections \(.*no encryption\)\. Add sslmode=require/);
    // The same URL with sslmode=require still gets in.
    expect(await encrypted(url('postgres', { sslmode: 'require' }))).to.equal(true);
  });
});
