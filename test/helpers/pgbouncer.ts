// Debian's PgBouncer started by a test in front of the run's PostgreSQL: transaction pooling on a
// free port of 127.0.0.1, its files in a temp folder (removed by stop()). PgBouncer refuses to
// run as root: as root it runs as the `postgres` system user (`-u`), which owns the folder.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { makeTempDir, testCluster } from './db.ts';

export const PGBOUNCER = '/usr/sbin/pgbouncer';

export function pgbouncerInstalled(): boolean {
  return existsSync(PGBOUNCER);
}

export interface PgBouncer {
  port: number;
  /** `connectionString` (of the run's server) routed through PgBouncer. */
  route(connectionString: string): string;
  /** Rows of the admin console's SHOW POOLS for `database`. */
  pools(database: string): Promise<Record<string, string>[]>;
  /** PgBouncer's log so far (for failure messages). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export async function startPgBouncer(opts: { poolSize: number }): Promise<PgBouncer> {
  const { server } = await testCluster();
  const backend = new URL(server.adminConnectionString);
  const user = decodeURIComponent(backend.username) || 'postgres';
  const password = decodeURIComponent(backend.password);
  const dir = await makeTempDir('pgbouncer');
  const port = await freePort();
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  await fs.writeFile(path.join(dir, 'userlist.txt'), `${quote(user)} ${quote(password)}\n`, { mode: 0o600 });
  await fs.writeFile(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${backend.hostname || '127.0.0.1'} port=${backend.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      'auth_type = scram-sha-256',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      `admin_users = ${user}`,
      'pool_mode = transaction',
      `default_pool_size = ${opts.poolSize}`,
      'min_pool_size = 0',
      'reserve_pool_size = 0',
      'max_client_conn = 500',
      'query_wait_timeout = 60',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const args = [path.join(dir, 'pgbouncer.ini')];
  if (process.getuid?.() === 0) {
    // The unprivileged user pgbouncer switches to must own its folder and files.
    execFileSync('chown', ['-R', 'postgres:', dir]);
    args.unshift('-u', 'postgres');
  }
  const child: ChildProcess = spawn(PGBOUNCER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => fs.readFile(path.join(dir, 'pgbouncer.log'), 'utf8').catch(() => '') .then((l) => l + stderr);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await fs.rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const text = await log();
      await stop();
      throw new Error(`pgbouncer did not start:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    route(connectionString) {
      const u = new URL(connectionString);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async pools(database) {
      const u = new URL(server.adminConnectionString);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      u.pathname = '/pgbouncer';
      const c = new pg.Client({ connectionString: u.toString() });
      c.on('error', () => undefined);
      await c.connect();
      try {
        const res = await c.query('SHOW POOLS');
        return res.rows.filter((r) => r.database === database);
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    log,
    stop,
  };
}
