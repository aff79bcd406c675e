// `npm start`: configuration → PostgreSQL (embedded unless DATABASE_URL) → schema → HTTP API.
// Exits with code 2 on an invalid configuration, stops cleanly (HTTP server, then PostgreSQL)
// on SIGINT/SIGTERM.

import http from 'node:http';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './log.ts';
import { openRuntime, type Runtime } from './runtime.ts';
import { createApp } from './app.ts';
import { startCronRunner, type CronRunner } from './cron.ts';
import { DatabaseConnectionError } from '../models/orm/pg_config.ts';

const t0 = performance.now();

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const logger = createLogger(config.logLevel);
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));

if (config.usingDefaultAdminPassword) {
  logger.warn('ADMIN_PASSWORD is not set: the admin user and the database manager use the default password "admin". Set ADMIN_PASSWORD before exposing this server.');
}

let runtime: Runtime | undefined;
let server: http.Server | undefined;
let cron: CronRunner | undefined;
let stopping = false;

async function shutdown(signal: string, code = 0): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    logger.error('shutdown took more than 10 s: exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  try {
    if (server) {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeIdleConnections();
      // let in-flight requests finish for a moment, then cut the remaining connections
      const grace = setTimeout(() => server!.closeAllConnections(), 3000);
      await closed;
      clearTimeout(grace);
    }
    await cron?.stop();
    await runtime?.close();
    logger.info('stopped');
  } catch (err) {
    logger.error({ err }, 'error during shutdown');
    code = code || 1;
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  runtime = await openRuntime(config, logger);
  if (stopping) process.exit(0);
  const app = createApp(runtime, config, logger);
  server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server!.once('error', reject);
    server!.listen(config.port, config.host, () => {
      server!.off('error', reject);
      resolve();
    });
  });
  // Scheduled jobs (mailing queue, SMS queue, autovacuum) run in every instance; leases keep them exclusive.
  cron = startCronRunner(runtime.registry, config, logger);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.info(
    { port, host: config.host, database: config.dbName, startupMs: Math.round(performance.now() - t0) },
    `Odoo 19 external API listening on http://${host}:${port} (database ${config.dbName})`,
  );
} catch (err) {
  // A connection refused for a reason of configuration (TLS, pg_hba, password) needs no stack.
  if (err instanceof DatabaseConnectionError) logger.fatal(`could not start the server: ${err.message}`);
  else logger.fatal({ err }, 'could not start the server');
  await runtime?.close().catch(() => undefined);
  process.exit(1);
}
