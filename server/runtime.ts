// Opening the product's database: start (or reach) PostgreSQL, create the database if
// needed, bring the schema up to date and return a ready registry. Used by the HTTP
// server, the CLI and benchmarks.

import { registryConfig, type Config } from './config.ts';
import { startDatabaseServer, ensureDatabase, type DatabaseServer } from './postgres.ts';
import { loadRegistry } from './bootstrap.ts';
import type { Registry } from '../models/orm/registry.ts';
import type { Logger } from './log.ts';
import { poolerAdjustments } from '../models/orm/pooler.ts';

export interface Runtime {
  config: Config;
  server: DatabaseServer;
  registry: Registry;
  close(): Promise<void>;
}

export async function openRuntime(config: Config, logger: Logger, opts: { poolSize?: number; attach?: boolean } = {}): Promise<Runtime> {
  // initdb without per-file fsync saves seconds on first start; the new cluster holds no data yet,
  // so the only exposure (a power cut within seconds of the very first start) loses nothing.
  const server = await startDatabaseServer(config, { logger, initdbNoSync: true, attach: opts.attach });
  try {
    await ensureDatabase(server.adminConnectionString, config.dbName);
    const regConfig = registryConfig(config);
    const adjusted = poolerAdjustments(regConfig);
    if (adjusted.length) logger.info({ adjusted }, `DATABASE_POOLER=transaction: ${adjusted.join('; ')}`);
    const registry = await loadRegistry(server.localConnectionString(config.dbName), opts.poolSize ?? config.databasePoolSize, { config: regConfig, logger });
    return {
      config,
      server,
      registry,
      close: async () => {
        await registry.close();
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
