// What changes behind a transaction pooler (PgBouncer `pool_mode = transaction`, DATABASE_POOLER):
// each transaction, or each statement outside one, may run on a different server session, so
// nothing may rely on session state between transactions. The code keeps to that in every mode
// (SET LOCAL only, transaction-level advisory locks, temp tables ON COMMIT DROP, no cursor held
// across transactions, leases and heartbeats in rows); what still needs a session is here:
//   - LISTEN (invalidation of the link-code, credential and access-rights caches) needs a session of
//     its own: it uses DATABASE_DIRECT_URL when set; without it, the caches are off under transaction
//     pooling (each lookup reads the database), never stale;
//   - the one-import-at-a-time lock of contact imports is held by an open transaction rather than
//     a session lock, in every mode (a transaction keeps its server session through any pooler);
//   - named prepared statements are not used (see registry.config.databasePooler).

import type { Registry } from './registry.ts';
import type { PooledConnection } from './registry.ts';
import type { RegistryConfig } from './config.ts';

/**
 * The connection string a LISTEN connection must use, or null when there is none: behind a
 * transaction pooler without DATABASE_DIRECT_URL, a LISTEN would land on a server session the
 * pooler hands to others, and its notifications would never arrive.
 */
export function listenConnectionString(registry: Registry): string | null {
  const { databaseDirectUrl, databasePooler } = registry.config;
  if (databaseDirectUrl) return databaseDirectUrl;
  return databasePooler === 'transaction' ? null : registry.connectionString;
}

/** One line per behaviour that DATABASE_POOLER=transaction changes, for the start log. */
export function poolerAdjustments(config: RegistryConfig): string[] {
  if (config.databasePooler !== 'transaction') return [];
  return [
    'named prepared statements are not used',
    config.databaseDirectUrl
      ? 'LISTEN for cache invalidation (link codes, credentials, access rights) uses DATABASE_DIRECT_URL'
      : 'no DATABASE_DIRECT_URL: the link-code, credential and access-rights caches are off (read from the database on every call); set DATABASE_DIRECT_URL to a route that bypasses the pooler to turn them on',
  ];
}

/**
 * Run `fn` while holding the exclusive advisory lock `key` (hashed text) on a connection of its
 * own; `onWait` is called once when another holder makes it wait. The lock is taken inside a
 * transaction left open until `fn` ends: it then holds its server session in every pooler mode
 * (a session lock through a transaction pooler is taken and released on unrelated sessions).
 * The transaction only waits (READ COMMITTED, no snapshot kept between statements), so it holds
 * back no vacuum.
 */
export async function withExclusiveLock<T>(registry: Registry, key: string, fn: () => Promise<T>, onWait?: () => void): Promise<T> {
  const lockClient: PooledConnection = await registry.pool.connect();
  let open = false;
  try {
    await lockClient.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    open = true;
    // A long import must not lose its lock to the server's idle-in-transaction timeout.
    await lockClient.query('SET LOCAL idle_in_transaction_session_timeout = 0');
    const got = await lockClient.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [key]);
    if (!got.rows[0].ok) {
      onWait?.();
      await lockClient.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
    }
    return await fn();
  } finally {
    if (open) await lockClient.query('COMMIT').catch(() => undefined);
    lockClient.release();
  }
}
