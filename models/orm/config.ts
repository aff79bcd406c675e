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
   * How connections reach PostgreSQL (DATABASE_POOLER): 'session' (direct, or a session pooler)
   * or 'transaction' (PgBouncer in transaction mode: no named prepared statements).
   */
  readonly databasePooler: 'session' | 'transaction';
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

export const DEFAULT_REGISTRY_CONFIG: RegistryConfig = { defaultCountry: undefined, adminPassword: 'admin', port: 8069, databasePooler: 'session' };

const noop: LogFn = () => undefined;
/** Logger of registries built without one (ORM-only tests): drops everything. */
export const SILENT_LOGGER: Logger = { fatal: noop, error: noop, warn: noop, info: noop, debug: noop, trace: noop, child: () => SILENT_LOGGER };
