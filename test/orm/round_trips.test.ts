// The fewest round trips a call can have, without giving up what a transaction guarantees: a
// read-only call may run its single statement alone, but several statements still read one
// snapshot, and a call that writes is still all or nothing. Statements are prepared by name
// once per connection, except behind a transaction pooler.

import { expect } from 'chai';
import pg from 'pg';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { Registry } from '../../models/orm/registry.ts';
import { ADDONS } from '../../models/index.ts';
import { DEFAULT_REGISTRY_CONFIG } from '../../models/orm/config.ts';
import { sql } from '../../models/orm/sql.ts';

describe('ORM: round trips of a call', () => {
  let t: TestRegistry;
  let other: pg.Client;
  before(async () => {
    t = await testRegistry();
    other = new pg.Client({ connectionString: t.db.connectionString });
    await other.connect();
  });
  after(async () => {
    await other.end();
    await t.close();
  });

  const count = async (env: Parameters<Parameters<Registry['transaction']>[1]>[0], prefix: string) =>
    (await env.cr.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM ir_config_parameter WHERE key LIKE ${`${prefix}%`}`))[0].n;

  it('a read-only call of several statements reads one snapshot, even if another transaction commits in between', async () => {
    let runs = 0;
    const [first, second] = await t.registry.transaction({ probeReadOnly: true }, async (env) => {
      runs++;
      env.cr.allowReadOnlyProbe();
      const a = await count(env, 'snapshot.');
      await other.query(`INSERT INTO ir_config_parameter (key, value) VALUES ('snapshot.${runs}', 'x')`);
      const b = await count(env, 'snapshot.');
      return [a, b];
    });
    expect(second).to.equal(first);
    expect(runs).to.equal(2);
  });

  it('a read-only method that turns out to write is still one transaction', async () => {
    try {
      await t.registry.transaction({ probeReadOnly: true }, async (env) => {
        env.cr.allowReadOnlyProbe();
        await count(env, 'written.');
        await env.cr.execute(sql`INSERT INTO ir_config_parameter (key, value) VALUES ('written.1', 'x')`);
        throw new Error('boom');
      });
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.message).to.equal('boom');
    }
    expect(await t.env((env) => count(env, 'written.'))).to.equal(0);
  });

  it('statements with bindings are prepared by name, never behind a transaction pooler', async () => {
    const prepared = (registry: Registry) =>
      registry.transaction({}, async (env) => {
        for (let i = 0; i < 3; i++) await count(env, 'prepared.');
        return (await env.cr.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE ${'%ir_config_parameter%'}`))[0].n;
      });
    for (const databasePooler of ['session', 'transaction'] as const) {
      const registry = new Registry(t.db.connectionString, [], { addons: ADDONS, config: { ...DEFAULT_REGISTRY_CONFIG, databasePooler } }).build().connect(1);
      try {
        expect(await prepared(registry), databasePooler).to.equal(databasePooler === 'session' ? 1 : 0);
      } finally {
        await registry.close();
      }
    }
  });
});
