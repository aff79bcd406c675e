// A registry on a fresh database per suite, plus a one-call-one-transaction helper that goes
// through call_kw exactly as RPC does.

import { createRegistry } from '../../server/bootstrap.ts';
import { createdbRoleDatabase, freshDatabase, type FreshDatabase } from './db.ts';
import type { Registry } from '../../models/orm/registry.ts';
import type { Env } from '../../models/orm/env.ts';
import { callKw } from '../../models/orm/call_kw.ts';

export interface TestRegistry {
  registry: Registry;
  db: FreshDatabase;
  /** execute_kw as user `uid` (default admin = 2), one transaction. */
  call(model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>, uid?: number): Promise<any>;
  /** Run `fn` in one superuser transaction. */
  env<T>(fn: (env: Env) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `role: 'createdb'`: on a database of the LOGIN CREATEDB role, connected as it (no superuser). */
export async function testRegistry(opts: { role?: 'superuser' | 'createdb' } = {}): Promise<TestRegistry> {
  const db = opts.role === 'createdb' ? await createdbRoleDatabase() : await freshDatabase();
  const registry = createRegistry(db.connectionString, 5);
  return {
    registry,
    db,
    call: (model, method, args = [], kwargs = {}, uid = 2) =>
      registry.transaction({ uid }, (env) => callKw(env, model, method, args, kwargs)),
    env: (fn) => registry.sudo(fn),
    close: async () => {
      await registry.close();
      await db.drop();
    },
  };
}
