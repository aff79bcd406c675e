// Server configuration, read from environment variables and validated once at start-up.
//
// `loadConfig()` never exits the process: it throws a `ConfigError` whose message lists every
// problem found (not just the first), so the caller can print it and exit with code 2.
//
// Conventions:
//   - A variable set to the empty string is treated as unset (so `FOO=` falls back to the default).
//   - Relative paths (DATA_DIR) are resolved against the current working directory.
// The README's "Configuration" table documents every variable; keep both in sync.

import os from 'node:os';
import path from 'node:path';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import type { RegistryConfig } from '../models/orm/config.ts';
import { tlsProblems } from '../models/orm/pg_config.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Preferred port of the embedded PostgreSQL when EMBEDDED_PG_PORT is not set. */
export const DEFAULT_EMBEDDED_PG_PORT = 54329;
/** Default request body limit: 8 MiB. A 10 MB request is refused with a clean error. */
export const DEFAULT_MAX_BODY_SIZE = 8 * 1024 * 1024;
export const DEFAULT_ADMIN_PASSWORD = 'admin';
/** Connections of the server's pool when DATABASE_POOL_SIZE is not set. */
export const DEFAULT_DATABASE_POOL_SIZE = 10;
export const DATABASE_POOLERS = ['session', 'transaction'] as const;
/** Where root keeps embedded clusters (and a PostgreSQL copy) the `postgres` user could not reach in place. */
export const DEFAULT_EMBEDDED_PG_SYSTEM_DIR = '/var/lib/sms_marketing';
/** Most HTTP worker processes WEB_WORKERS accepts (each holds a pool of database connections). */
export const MAX_WEB_WORKERS = 32;

export interface Config {
  /** HTTP port (PORT, default 8069; 0 = any free port). */
  port: number;
  /** HTTP bind address (HOST, default 0.0.0.0). */
  host: string;
  /** External PostgreSQL (DATABASE_URL). When set, no embedded server is started. */
  databaseUrl: string | undefined;
  /**
   * Name of the application database (DB_NAME). Default: the database named in DATABASE_URL's
   * path if it has one, else `sms_marketing`. Always matches /^[a-zA-Z0-9_-]+$/.
   */
  dbName: string;
  /** Absolute path of the data folder (DATA_DIR, default ./.data). Embedded cluster in DATA_DIR/pg. */
  dataDir: string;
  /** Password of the `admin` user / database manager (ADMIN_PASSWORD, default `admin`). */
  adminPassword: string;
  /** True when ADMIN_PASSWORD was not set: the server should log a warning. */
  usingDefaultAdminPassword: boolean;
  /** pino log level (LOG_LEVEL, default info). */
  logLevel: LogLevel;
  /** ISO 3166-1 alpha-2 country (upper case) used for phone numbers without a country prefix. */
  defaultCountry: CountryCode | undefined;
  /**
   * Port of the embedded PostgreSQL (EMBEDDED_PG_PORT).
   *   undefined -> prefer 54329, fall back to any free port if 54329 is taken;
   *   0         -> any free port;
   *   n         -> exactly n (start fails clearly if it is taken).
   * Ignored when DATABASE_URL is set.
   */
  embeddedPgPort: number | undefined;
  /**
   * Absolute path of the folder where, running as root, the embedded cluster moves when the
   * `postgres` user cannot reach DATA_DIR (EMBEDDED_PG_SYSTEM_DIR, default /var/lib/sms_marketing).
   */
  embeddedPgSystemDir: string;
  /** Maximum request body size in bytes (MAX_BODY_SIZE, default 8 MiB). */
  maxBodySize: number;
  /**
   * Behind a trusted reverse proxy (PROXY_MODE, default false; Odoo's --proxy-mode): the client
   * address is the last X-Forwarded-For entry of requests carrying X-Forwarded-Host.
   */
  proxyMode: boolean;
  /** Bearer token required by GET /metrics (METRICS_TOKEN); unset: /metrics is open. */
  metricsToken: string | undefined;
  /**
   * What sits in front of PostgreSQL (DATABASE_POOLER, default session): `transaction` for
   * PgBouncer-style transaction pooling, where nothing session-bound may be used.
   */
  databasePooler: 'session' | 'transaction';
  /** A route to the same PostgreSQL that bypasses the pooler, for LISTEN (DATABASE_DIRECT_URL). */
  databaseDirectUrl: string | undefined;
  /** Connections of the server's pool to PostgreSQL (DATABASE_POOL_SIZE, default 10). */
  databasePoolSize: number;
  /**
   * HTTP worker processes (WEB_WORKERS, default 1). 1 (or 0): one process serves everything;
   * n >= 2: a primary owns PostgreSQL and the schema, n node:cluster workers serve HTTP;
   * `auto`: one worker per CPU.
   */
  webWorkers: number;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const SAFE_IDENTIFIER = /^[a-zA-Z0-9_-]+$/;
const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];
const MAX_PG_IDENTIFIER = 63;

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Parses "1048576", "512kb", "8mb", "8 MiB", "1.5m" (binary units, like the `bytes` package). */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const value = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Checks a postgresql:// URL (and its TLS parameters); returns the database named in its path. */
function checkDatabaseUrl(name: string, text: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${name} is not a valid URL (expected postgresql://user:password@host:5432/dbname)`);
    return undefined;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    problems.push(`${name} must start with postgresql:// or postgres:// (got ${url.protocol}//)`);
  }
  if (!url.hostname && !url.searchParams.get('host')) problems.push(`${name} has no host`);
  problems.push(...tlsProblems(name, text));
  const p = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return p === '' ? undefined : p;
}

function parsePort(name: string, text: string, problems: string[], allowZero: boolean): number | undefined {
  const min = allowZero ? 0 : 1;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > 65535) {
    problems.push(`${name} must be an integer between ${min} and 65535 (got ${JSON.stringify(text)})`);
    return undefined;
  }
  return Number(text);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };

  // PORT
  const portText = get('PORT');
  const port = portText === undefined ? 8069 : parsePort('PORT', portText, problems, true);

  // HOST
  const host = (get('HOST') ?? '0.0.0.0').trim();
  if (host === '' || /\s/.test(host)) problems.push(`HOST must be a host name or IP address (got ${JSON.stringify(get('HOST'))})`);

  // DATABASE_URL
  const databaseUrl = get('DATABASE_URL');
  const urlDbName = databaseUrl === undefined ? undefined : checkDatabaseUrl('DATABASE_URL', databaseUrl, problems);

  // DATABASE_DIRECT_URL
  const databaseDirectUrl = get('DATABASE_DIRECT_URL');
  if (databaseDirectUrl !== undefined) {
    checkDatabaseUrl('DATABASE_DIRECT_URL', databaseDirectUrl, problems);
    if (databaseUrl === undefined) problems.push('DATABASE_DIRECT_URL is only used with DATABASE_URL (the embedded PostgreSQL has no pooler)');
  }

  // DATABASE_POOLER
  const poolerText = (get('DATABASE_POOLER') ?? 'session').trim().toLowerCase();
  if (!(DATABASE_POOLERS as readonly string[]).includes(poolerText)) {
    problems.push(`DATABASE_POOLER must be session or transaction (got ${JSON.stringify(get('DATABASE_POOLER'))})`);
  }
  const databasePooler = poolerText as Config['databasePooler'];

  // DATABASE_POOL_SIZE
  const poolSizeText = get('DATABASE_POOL_SIZE');
  let databasePoolSize = DEFAULT_DATABASE_POOL_SIZE;
  if (poolSizeText !== undefined) {
    if (/^\s*\d+\s*$/.test(poolSizeText) && Number(poolSizeText) >= 1 && Number(poolSizeText) <= 1000) databasePoolSize = Number(poolSizeText);
    else problems.push(`DATABASE_POOL_SIZE must be an integer between 1 and 1000 (got ${JSON.stringify(poolSizeText)})`);
  }

  // DB_NAME
  const dbNameSet = get('DB_NAME');
  const dbName = dbNameSet ?? urlDbName ?? 'sms_marketing';
  if (!SAFE_IDENTIFIER.test(dbName) || dbName.length > MAX_PG_IDENTIFIER) {
    const source = dbNameSet !== undefined ? 'DB_NAME' : 'The database name in DATABASE_URL';
    problems.push(
      `${source} must be 1-${MAX_PG_IDENTIFIER} characters among letters, digits, '_' and '-' (got ${JSON.stringify(dbName)})`,
    );
  }

  // DATA_DIR
  const dataDir = path.resolve(get('DATA_DIR') ?? './.data');

  // ADMIN_PASSWORD
  const adminPasswordSet = get('ADMIN_PASSWORD');
  const adminPassword = adminPasswordSet ?? DEFAULT_ADMIN_PASSWORD;

  // LOG_LEVEL
  const logLevelText = (get('LOG_LEVEL') ?? 'info').trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelText)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(get('LOG_LEVEL'))})`);
  }
  const logLevel = logLevelText as LogLevel;

  // DEFAULT_COUNTRY
  const countryText = get('DEFAULT_COUNTRY')?.trim().toUpperCase();
  let defaultCountry: CountryCode | undefined;
  if (countryText !== undefined) {
    if (/^[A-Z]{2}$/.test(countryText) && isSupportedCountry(countryText)) {
      defaultCountry = countryText;
    } else {
      problems.push(
        `DEFAULT_COUNTRY must be an ISO 3166-1 alpha-2 country code with a phone numbering plan, e.g. BE, FR, US (got ${JSON.stringify(get('DEFAULT_COUNTRY'))})`,
      );
    }
  }

  // EMBEDDED_PG_PORT
  const pgPortText = get('EMBEDDED_PG_PORT');
  const embeddedPgPort = pgPortText === undefined ? undefined : parsePort('EMBEDDED_PG_PORT', pgPortText, problems, true);

  // EMBEDDED_PG_SYSTEM_DIR
  const systemDirText = get('EMBEDDED_PG_SYSTEM_DIR');
  const embeddedPgSystemDir = path.normalize(systemDirText ?? DEFAULT_EMBEDDED_PG_SYSTEM_DIR);
  if (!path.isAbsolute(embeddedPgSystemDir)) {
    problems.push(`EMBEDDED_PG_SYSTEM_DIR must be an absolute path (got ${JSON.stringify(systemDirText)})`);
  }

  // MAX_BODY_SIZE
  const bodyText = get('MAX_BODY_SIZE');
  let maxBodySize = DEFAULT_MAX_BODY_SIZE;
  if (bodyText !== undefined) {
    const parsed = parseByteSize(bodyText);
    if (parsed === undefined || parsed < 1024) {
      problems.push(
        `MAX_BODY_SIZE must be a size of at least 1024 bytes, as bytes or with a unit (e.g. 1048576, 512kb, 8mb) (got ${JSON.stringify(bodyText)})`,
      );
    } else {
      maxBodySize = parsed;
    }
  }

  // PROXY_MODE
  const proxyText = get('PROXY_MODE')?.trim().toLowerCase();
  let proxyMode = false;
  if (proxyText !== undefined) {
    if (TRUE_WORDS.includes(proxyText)) proxyMode = true;
    else if (!FALSE_WORDS.includes(proxyText)) {
      problems.push(`PROXY_MODE must be true or false (also 1/0, yes/no, on/off) (got ${JSON.stringify(get('PROXY_MODE'))})`);
    }
  }

  // METRICS_TOKEN
  const metricsToken = get('METRICS_TOKEN')?.trim() || undefined;

  // WEB_WORKERS
  const workersText = get('WEB_WORKERS')?.trim().toLowerCase();
  let webWorkers = 1;
  if (workersText !== undefined) {
    if (workersText === 'auto') webWorkers = Math.max(1, os.availableParallelism());
    else if (/^\d+$/.test(workersText) && Number(workersText) <= MAX_WEB_WORKERS) webWorkers = Math.max(1, Number(workersText));
    else problems.push(`WEB_WORKERS must be a number of processes between 0 and ${MAX_WEB_WORKERS}, or auto (got ${JSON.stringify(get('WEB_WORKERS'))})`);
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port: port!,
    host,
    databaseUrl,
    dbName,
    dataDir,
    adminPassword,
    usingDefaultAdminPassword: adminPasswordSet === undefined,
    logLevel,
    defaultCountry,
    embeddedPgPort,
    embeddedPgSystemDir,
    maxBodySize,
    proxyMode,
    metricsToken,
    databasePooler,
    databaseDirectUrl,
    databasePoolSize,
    webWorkers,
  };
}

/** What models need of a loaded configuration (handed to the registry as `registry.config`). */
export function registryConfig(config: Config): RegistryConfig {
  return {
    defaultCountry: config.defaultCountry,
    adminPassword: config.adminPassword,
    port: config.port,
    databasePooler: config.databasePooler,
    databaseDirectUrl: config.databaseDirectUrl === undefined ? undefined : urlWithDatabase(config.databaseDirectUrl, config.dbName),
  };
}

/** `url` naming database `dbName` (host, credentials and parameters kept). */
function urlWithDatabase(url: string, dbName: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(dbName);
  return u.toString();
}

/**
 * The same, validated from the environment at each access (an invalid value counts as unset):
 * for registries made without a loaded configuration (tests, benches, one-off tools).
 */
export function environmentRegistryConfig(env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  const one = <K extends keyof RegistryConfig>(key: K, variable: string): RegistryConfig[K] => {
    try {
      return registryConfig(loadConfig({ [variable]: env[variable] }))[key];
    } catch {
      return registryConfig(loadConfig({}))[key];
    }
  };
  return {
    get defaultCountry() {
      return one('defaultCountry', 'DEFAULT_COUNTRY');
    },
    get adminPassword() {
      return one('adminPassword', 'ADMIN_PASSWORD');
    },
    get port() {
      return one('port', 'PORT');
    },
    get databasePooler() {
      return one('databasePooler', 'DATABASE_POOLER');
    },
    get databaseDirectUrl() {
      try {
        const vars = ['DATABASE_URL', 'DB_NAME', 'DATABASE_DIRECT_URL'];
        return registryConfig(loadConfig(Object.fromEntries(vars.map((v) => [v, env[v]])))).databaseDirectUrl;
      } catch {
        return undefined;
      }
    },
  };
}
