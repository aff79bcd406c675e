// Referential integrity of a whole database, checked with SQL (not trusting the constraints).

import pg from 'pg';

/** Every single-column foreign key of the database whose value points at no row: "table.column → missing id". */
export async function danglingReferences(connectionString: string): Promise<string[]> {
  const c = new pg.Client({ connectionString });
  await c.connect();
  try {
    const { rows: fks } = await c.query<{ fk_table: string; fk_col: string; pk_table: string; pk_col: string }>(`
      SELECT cl.relname AS fk_table, a.attname AS fk_col, pcl.relname AS pk_table, pa.attname AS pk_col
        FROM pg_constraint co
        JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace AND n.nspname = 'public'
        JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = co.conkey[1]
        JOIN pg_class pcl ON pcl.oid = co.confrelid
        JOIN pg_attribute pa ON pa.attrelid = co.confrelid AND pa.attnum = co.confkey[1]
       WHERE co.contype = 'f' AND array_length(co.conkey, 1) = 1`);
    const out: string[] = [];
    for (const fk of fks) {
      const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
      const { rows } = await c.query<{ v: number }>(
        `SELECT f.${q(fk.fk_col)} AS v FROM ${q(fk.fk_table)} f LEFT JOIN ${q(fk.pk_table)} p ON p.${q(fk.pk_col)} = f.${q(fk.fk_col)}
          WHERE f.${q(fk.fk_col)} IS NOT NULL AND p.${q(fk.pk_col)} IS NULL LIMIT 5`,
      );
      for (const r of rows) out.push(`${fk.fk_table}.${fk.fk_col} → ${fk.pk_table} #${r.v}`);
    }
    return out;
  } finally {
    await c.end();
  }
}

/** Run `run()` (a unit of work of the registry) while `other` holds a lock it needs; once it waits for it, `change(other)` and commit. */
export async function whileItWaits<T>(
  connectionString: string, lock: (other: pg.Client) => Promise<unknown>, change: (other: pg.Client) => Promise<unknown>, run: () => Promise<T>,
): Promise<T> {
  const other = new pg.Client({ connectionString });
  await other.connect();
  try {
    await other.query('BEGIN');
    await lock(other);
    let settled = false;
    const running = run().finally(() => {
      settled = true;
    });
    running.catch(() => undefined);
    // Deterministic interleaving: go on only once it waits for our lock.
    await lockWaiter(other, () => settled);
    await change(other);
    await other.query('COMMIT');
    return await running;
  } finally {
    await other.end();
  }
}

/** Resolves once a backend of `other`'s database (not `other`) waits for a lock, or `done()`. */
export async function lockWaiter(other: pg.Client, done: () => boolean = () => false): Promise<void> {
  while (!done()) {
    const { rows } = await other.query<{ n: number }>(`
      SELECT count(*)::int AS n FROM pg_locks l
       WHERE NOT l.granted AND l.pid <> pg_backend_pid() AND l.pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())`);
    if (rows[0].n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
