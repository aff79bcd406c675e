// Database bootstrap: builds the model registry from the addons and brings the schema of a
// database up to date (tables, columns, constraints, addon schema extras, addon data, addon
// versions; see models/orm/upgrade.ts). Idempotent; safe with several instances.

import { loadViewData } from '../models/base/view_data.ts';
import { Registry } from '../models/orm/registry.ts';
import { upgradeDatabase, upgradeSummary, type UpgradeReport } from '../models/orm/upgrade.ts';
import { SUPERUSER_ID, type Env } from '../models/orm/env.ts';
import type { Logger, RegistryConfig } from '../models/orm/config.ts';
import { ADDONS } from '../models/index.ts';
import { environmentRegistryConfig } from './config.ts';
import { createLogger } from './log.ts';

export interface RegistryBootOptions {
  /** The server's validated configuration (registryConfig(config)); default: read from the environment. */
  config?: RegistryConfig;
  logger?: Logger;
}

/** A registry with every addon of the product, connected to `connectionString`. */
export function createRegistry(connectionString: string, poolSize = 10, opts: RegistryBootOptions = {}): Registry {
  // Without a logger, models log warnings only unless LOG_LEVEL says otherwise (as before injection).
  const logger = opts.logger ?? createLogger(process.env.LOG_LEVEL || 'warn');
  return new Registry(connectionString, [], { addons: ADDONS, config: opts.config ?? environmentRegistryConfig(), logger }).build().connect(poolSize);
}

/** Every loaded addon's data loaders, dependencies first. */
export async function loadAddonData(env: Env): Promise<void> {
  for (const addon of env.registry.addons) for (const load of addon.data ?? []) await load(env);
  // views/<addon>/*.xml once every addon's models and data are there
  await loadViewData(env);
}

/**
 * Create or upgrade the schema and load the addons' data in one transaction; logs what changed.
 * READ COMMITTED: an instance that waited for another's upgrade sees what it committed.
 */
export async function upgradeRegistry(registry: Registry): Promise<UpgradeReport> {
  const report = await registry.transaction({ uid: SUPERUSER_ID, su: true, isolation: 'read committed' }, (env) => upgradeDatabase(env, loadAddonData));
  for (const w of report.warnings) registry.logger.warn({ database: registry.dbName }, w);
  registry.logger.info({ database: registry.dbName, from: report.from ?? null, to: report.to, addons: report.upgraded, changes: report.changes.length }, upgradeSummary(report));
  return report;
}

/** Create/upgrade the schema and load the addons' data; returns the ready registry. */
export async function loadRegistry(connectionString: string, poolSize = 10, opts: RegistryBootOptions = {}): Promise<Registry> {
  const registry = createRegistry(connectionString, poolSize, opts);
  try {
    await upgradeRegistry(registry);
  } catch (err) {
    await registry.close();
    throw err;
  }
  return registry;
}

export async function initDatabase(connectionString: string): Promise<void> {
  const registry = await loadRegistry(connectionString, 2);
  await registry.close();
}
