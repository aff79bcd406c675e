// Concurrent requests made to collide for sure, with PostgreSQL's own locks rather than timing.

import type { Registry } from '../../models/orm/registry.ts';
import { ident, sql } from '../../models/orm/sql.ts';

/**
 * Run the units of work `start()` launches so that they all write `table` at the same moment:
 * an EXCLUSIVE lock on it (reads go on, writes wait) is held until `writers` of them wait for it,
 * i.e. each has read the table before any of them wrote it; then every one goes on at once.
 */
export async function collideOn<T>(registry: Registry, table: string, writers: number, start: () => Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  let running: Promise<T>[] = [];
  await registry.transaction({}, async (env) => {
    await env.cr.execute(sql`LOCK TABLE ${ident(table)} IN EXCLUSIVE MODE`);
    running = start();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [{ n }] = await env.cr.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM pg_locks WHERE relation = ${table}::regclass AND NOT granted`);
      if (n >= writers) return;
      if (Date.now() > deadline) throw new Error(`only ${n} of ${writers} writers of ${table} came to wait`);
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  return Promise.allSettled(running);
}
