// Tools for set-based hot paths running inside the call's transaction.

import type { Cursor } from './env.ts';

/**
 * Run `fn` with per-row foreign-key triggers skipped (session_replication_role = replica) when the
 * database role may do so; otherwise they simply run. Only for bulk inserts whose referenced ids
 * the caller has checked (or locked FOR KEY SHARE) once for the whole batch: per-row FK checks
 * cost more than the inserts themselves. The setting is transaction-local and restored after.
 */
export async function withoutForeignKeyTriggers<T>(cr: Cursor, fn: () => Promise<T>): Promise<T> {
  let off = false;
  await cr.execute('SAVEPOINT bulk_fk_triggers');
  try {
    await cr.execute('SET LOCAL session_replication_role = replica');
    off = true;
    await cr.execute('RELEASE SAVEPOINT bulk_fk_triggers');
  } catch {
    await cr.execute('ROLLBACK TO SAVEPOINT bulk_fk_triggers');
    await cr.execute('RELEASE SAVEPOINT bulk_fk_triggers');
  }
  try {
    return await fn();
  } finally {
    if (off) await cr.execute('SET LOCAL session_replication_role = origin');
  }
}
