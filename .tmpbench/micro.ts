import { freshDatabase, testCluster } from '../test/helpers/db.ts';
import { Registry as After } from '../models/orm/registry.ts';
import { Registry as Before } from '/tmp/knex-base/models/orm/registry.ts';
import { sql as sqlA } from '../models/orm/sql.ts';
import { sql as sqlB } from '/tmp/knex-base/models/orm/sql.ts';

const db = await freshDatabase();
for (const [label, R] of [['before', Before], ['after', After], ['before', Before], ['after', After]] as const) {
  const sql = label === 'before' ? sqlB : sqlA;
  const reg = new (R as any)(db.connectionString, []).build().connect(10);
  const run = async (n: number) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 10 }, async () => {
      for (let i = 0; i < n / 10; i++) await reg.transaction({}, async (env: any) => { for (let k = 0; k < 5; k++) await env.cr.query(sql`SELECT ${k}::int AS x`); });
    }));
    return performance.now() - t0;
  };
  await run(200);
  const ms = await run(2000);
  const t1 = performance.now();
  await Promise.all(Array.from({ length: 10 }, async () => { for (let i = 0; i < 200; i++) await reg.pool.query('SELECT 1'); }));
  const pq = performance.now() - t1;
  console.log(label, `2000 tx x 5 queries: ${ms.toFixed(0)} ms (${(ms / 2000).toFixed(3)} ms/tx); 2000 pool.query: ${pq.toFixed(0)} ms`);
  await reg.close();
}
await db.drop();
process.exit(0);
