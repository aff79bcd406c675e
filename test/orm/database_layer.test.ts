// knex is the one database layer: one pool for transactions, single statements and COPY, and
// the schema builder for the tables it can express.

import { expect } from 'chai';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import { ormRegistry, type OrmTestRegistry } from '../helpers/orm.ts';
import { sql } from '../../models/orm/sql.ts';

describe('ORM: knex is the database layer', () => {
  let t: OrmTestRegistry;
  const POOL = 3;

  before(async () => {
    t = await ormRegistry(undefined, POOL);
  });
  after(async () => t.close());

  const backends = async () => (await t.registry.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`)).rows[0].n;

  it('transactions, single statements and COPY share one pool: no other connection to the database', async () => {
    const pids = new Set<number>();
    await Promise.all([
      ...Array.from({ length: 6 }, () => t.env(async (env) => {
        pids.add((await env.cr.query<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`))[0].pid);
      })),
      ...Array.from({ length: 6 }, async () => {
        pids.add((await t.registry.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid);
      }),
    ]);
    // COPY on a connection taken from the same pool.
    const conn = await t.registry.pool.connect();
    try {
      await conn.query('CREATE TEMP TABLE copy_probe (n int4)');
      await pipeline(Readable.from(['1\n2\n3\n']), conn.query(copyStreams.from('COPY copy_probe (n) FROM STDIN')));
      expect((await conn.query('SELECT sum(n)::int AS s FROM copy_probe')).rows[0].s).to.equal(6);
      pids.add((await conn.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    } finally {
      await conn.query('DROP TABLE IF EXISTS copy_probe');
      conn.release();
    }
    expect(pids.size).to.be.within(1, POOL);
    // A backend that is closing stays in pg_stat_activity for a moment: wait until the count settles.
    let n = await backends();
    for (let i = 0; i < 40 && n !== t.registry.pool.totalCount; i++) {
      await new Promise((r) => setTimeout(r, 50));
      n = await backends();
    }
    expect(n).to.equal(t.registry.pool.totalCount);
    expect(t.registry.pool.idleCount).to.equal(t.registry.pool.totalCount);
  });

  it('relation tables come from the schema builder with PostgreSQL\'s own constraint names', async () => {
    const m2m = [...t.registry.models.values()].flatMap((m) => [...m.fields.values()]).find((f) => f.type === 'many2many' && f.store && !f.isComputed)!;
    const { table, col1, col2 } = m2m.m2mRelation;
    const { rows } = await t.registry.pool.query<{ name: string; def: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('p', 'f') ORDER BY conname`,
      [table],
    );
    expect(rows.map((r) => r.name)).to.deep.equal([`${table}_${col1}_fkey`, `${table}_${col2}_fkey`, `${table}_pkey`].sort());
    expect(rows.find((r) => r.name === `${table}_pkey`)!.def).to.equal(`PRIMARY KEY (${col1}, ${col2})`);
    for (const r of rows.filter((x) => x.name.endsWith('_fkey'))) expect(r.def).to.match(/ON DELETE CASCADE$/);
  });
});
