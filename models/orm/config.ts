// What models receive from the server instead of reading environment variables or importing
// the server's logger: the validated configuration (server/config.ts) and a logger, both handed to
// the registry and reached as `env.registry.config` / `env.registry.logger`.

/** The part of the server configuration models use. */
export interface RegistryConfig {
  /** ISO alpha-2 country of phone numbers typed without international prefix (DEFAULT_COUNTRY). */
  readonly defaultCountry: string | undefined;
  /** Admin's first password (ADMIN_PASSWORD, default `admin`). */
  readonly adminPassword: string;
  /** HTTP port, for the default `web.base.url` (PORT). */
  readonly port: number;
  /**
   * What sits between us and PostgreSQL (DATABASE_POOLER): 'session' (nothing, or a pooler in
   * session mode) or 'transaction' (PgBouncer-style transaction pooling: nothing session-bound).
   */
  readonly databasePooler: 'session' | 'transaction';
  /**
   * Connection string of the application database that bypasses the pooler (DATABASE_DIRECT_URL
   * with the database name applied), for LISTEN; undefined: the pool's own route.
   */
  readonly databaseDirectUrl: string | undefined;
}

type LogFn = (obj: unknown, msg?: string) => void;

/** Structured logger (pino's shape): models log through the one the registry was given. */
export interface Logger {
  fatal: LogFn;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

export const DEFAULT_REGISTRY_CONFIG: RegistryConfig = {
  defaultCountry: undefined, adminPassword: 'admin', port: 8069, databasePooler: 'session', databaseDirectUrl: undefined,
};

const noop: LogFn = () => undefined;
/** Logger of registries built without one (ORM-only tests): drops everything. */
export const SILENT_LOGGER: Logger = { fatal: noop, error: noop, warn: noop, info: noop, debug: noop, trace: noop, child: () => SILENT_LOGGER };
