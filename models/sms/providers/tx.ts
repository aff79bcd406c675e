// READ COMMITTED transactions for the sending engine and the simulator.
//
// Registry.transaction() runs REPEATABLE READ by default, right for RPC calls but wrong for queue
// work: there, a row updated by another instance after the snapshot makes `FOR UPDATE SKIP LOCKED`
// and conditional updates (`balance >= cost`) fail with serialization errors, so concurrent
// dispatchers would mostly retry. Under READ COMMITTED those statements re-check the latest row
// version, which is exactly the semantics the claim and the credit debit need.

import { SUPERUSER_ID, type Env } from '../../orm/env.ts';
import type { Registry } from '../../orm/registry.ts';

/** A superuser READ COMMITTED transaction; deadlocks are retried, database errors pass through untranslated. */
export async function readCommitted<T>(registry: Registry, fn: (env: Env) => Promise<T>): Promise<T> {
  return registry.transaction(
    { uid: SUPERUSER_ID, su: true, context: {}, isolation: 'read committed', translateErrors: false, retryBackoffMs: 20 },
    fn,
  );
}
