// `npm start`: configuration → PostgreSQL (embedded unless DATABASE_URL) → schema → HTTP API.
// Exits with code 2 on an invalid configuration, stops cleanly (HTTP server, then PostgreSQL)
// on SIGINT/SIGTERM. With WEB_WORKERS >= 2 the HTTP API runs on worker processes (server/workers.ts).

import cluster from 'node:cluster';
import http from 'node:http';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './log.ts';
import { openRuntime, type Runtime } from './runtime.ts';
import { keepOnlySignalHandler } from './postgres.ts';
import { gracefulShutdown } from './shutdown.ts';
import { createApp } from './app.ts';
import { startCronRunner, type CronRunner } from './cron.ts';
import { closeHttp, listen, listeningMessage, logStartFailure, runPrimary, runWorker } from './workers.ts';

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

if (config.usingDefaultAdminPassword && !cluster.isWorker) {
  logger.warn('ADMIN_PASSWORD is not set: the admin user and the database manager use the default password "admin". Set ADMIN_PASSWORD before exposing this server.');
}

if (cluster.isWorker) await runWorker(config, logger);
else if (config.webWorkers > 1) await runPrimary(config, logger, t0);
else await runSingle();

async function runSingle(): Promise<void> {
  let runtime: Runtime | undefined;
  let server: http.Server | undefined;
  let cron: CronRunner | undefined;
  const stop = gracefulShutdown(logger, {
    timeoutMs: 10_000,
    stop: async () => {
      // let in-flight requests finish for a moment, then cut the remaining connections
      if (server) await closeHttp(server);
      await cron?.stop();
      await runtime?.close();
    },
  });

  try {
    runtime = await openRuntime(config, logger);
    keepOnlySignalHandler(stop.onSignal);
    if (stop.stopping) process.exit(0);
    const app = createApp(runtime, config, logger);
    server = http.createServer(app);
    const port = await listen(server, config);
    // Scheduled jobs (mailing queue, SMS queue, autovacuum) run in every instance; leases keep them exclusive.
    cron = startCronRunner(runtime.registry, config, logger);
    logger.info({ port, host: config.host, database: config.dbName, startupMs: Math.round(performance.now() - t0) }, listeningMessage(config, port));
  } catch (err) {
    logStartFailure(logger, err);
    await runtime?.close().catch(() => undefined);
    process.exit(1);
  }
}
