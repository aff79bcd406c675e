// Database bootstrap: builds the model registry and brings the schema of a database up to
// date (tables, columns, constraints, base data). Idempotent; safe with several instances.

import { Registry } from '../models/orm/registry.ts';
import { initSchema } from '../models/orm/schema.ts';
import { MODELS, DATA_LOADERS } from '../models/index.ts';

/** A registry with every model of the product, connected to `connectionString`. */
export function createRegistry(connectionString: string, poolSize = 10): Registry {
  return new Registry(connectionString, MODELS).build().connect(poolSize);
}

/** Create/upgrade the schema and load base data; returns the ready registry. */
export async function loadRegistry(connectionString: string, poolSize = 10): Promise<Registry> {
  const registry = createRegistry(connectionString, poolSize);
  await registry.sudo(async (env) => {
    await initSchema(registry, env.cr);
    for (const load of DATA_LOADERS) await load(env);
  });
  return registry;
}

export async function initDatabase(connectionString: string): Promise<void> {
  const registry = await loadRegistry(connectionString, 2);
  await registry.close();
}
