// READ COMMITTED transactions for the sending engine and the simulator.
//
// Registry.transaction() runs REPEATABLE READ, right for RPC calls but wrong for queue work:
// there, a row updated by another instance after the snapshot makes `FOR UPDATE SKIP LOCKED`
// and conditional updates (`balance >= cost`) fail with serialization errors, so concurrent
// dispatchers would mostly retry. Under READ COMMITTED those statements re-check the latest row
// version, which is exactly the semantics the claim and the credit debit need.

import { Cursor, Env, SUPERUSER_ID } from '../../orm/env.ts';
import type { Registry } from '../../orm/registry.ts';

const RETRYABLE = new Set(['40001', '40P01']);

export async function readCommitted<T>(registry: Registry, fn: (env: Env) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await registry.pool.connect();
    const cr = new Cursor(client);
    let released = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const env = new Env(registry, cr, SUPERUSER_ID, {}, true);
      const result = await fn(env);
      for (let i = 0; i < cr.precommit.length; i++) await cr.precommit[i]();
      await client.query('COMMIT');
      client.release();
      released = true;
      for (const cb of cr.postcommit) await cb();
      return result;
    } catch (err) {
      if (!released) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
      const code = (err as { code?: string }).code;
      if (!released && code && RETRYABLE.has(code) && attempt < 5) {
        await new Promise((r) => setTimeout(r, Math.random() * 2 ** attempt * 20));
        continue;
      }
      throw err;
    }
  }
}
