import { freshDatabase } from '../test/helpers/db.ts';
import pg from 'pg';
import knexFactory from 'knex';

const db = await freshDatabase();
const cs = db.connectionString;
type Tx = (fn: (c: pg.ClientBase) => Promise<void>) => Promise<void>;
const variants: Record<string, () => { tx: Tx; close: () => Promise<void> }> = {
  'A pg.Pool + manual BEGIN': () => {
    const pool = new pg.Pool({ connectionString: cs, max: 10 });
    return { tx: async (fn) => { const c = await pool.connect(); try { await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ'); await fn(c); await c.query('COMMIT'); } finally { c.release(); } }, close: () => pool.end() };
  },
  'B knex tarn + knex.transaction': () => {
    const k = knexFactory({ client: 'pg', connection: cs, pool: { min: 0, max: 10 } });
    return { tx: (fn) => k.transaction(async (trx) => { await fn(await (trx as any).client.acquireConnection()); }, { isolationLevel: 'repeatable read' }), close: () => k.destroy() };
  },
  'C knex on pg.Pool + knex.transaction': () => {
    const pool = new pg.Pool({ connectionString: cs, max: 10 });
    const k = knexFactory({ client: 'pg', connectionPool: pool } as any);
    return { tx: (fn) => k.transaction(async (trx) => { await fn(await (trx as any).client.acquireConnection()); }, { isolationLevel: 'repeatable read' }), close: async () => { await k.destroy(); await pool.end(); } };
  },
  'D knex tarn + manual BEGIN': () => {
    const k = knexFactory({ client: 'pg', connection: cs, pool: { min: 0, max: 10 } });
    return { tx: async (fn) => { const c = await k.client.acquireConnection(); try { await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ'); await fn(c); await c.query('COMMIT'); } finally { k.client.releaseConnection(c); } }, close: () => k.destroy() };
  },
  'E knex on pg.Pool + manual BEGIN': () => {
    const pool = new pg.Pool({ connectionString: cs, max: 10 });
    const k = knexFactory({ client: 'pg', connectionPool: pool } as any);
    return { tx: async (fn) => { const c = await k.client.acquireConnection(); try { await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ'); await fn(c); await c.query('COMMIT'); } finally { k.client.releaseConnection(c); } }, close: async () => { await k.destroy(); await pool.end(); } };
  },
};
for (let round = 0; round < 2; round++) for (const [label, make] of Object.entries(variants)) {
  const { tx, close } = make();
  const run = async (n: number) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 10 }, async () => {
      for (let i = 0; i < n / 10; i++) await tx(async (c) => { for (let k = 0; k < 5; k++) await c.query('SELECT $1::int AS x', [k]); });
    }));
    return performance.now() - t0;
  };
  await run(200);
  const ms = await run(2000);
  console.log(label.padEnd(40), `${(ms / 2000).toFixed(3)} ms/tx`);
  await close();
}
await db.drop();
process.exit(0);
