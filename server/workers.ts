// WEB_WORKERS >= 2: the HTTP server on several processes (node:cluster), so that a busy server uses
// every core instead of one.
//
//   primary   configuration → PostgreSQL (embedded unless DATABASE_URL) → schema and data → forks
//             the workers, restarts one that dies, stops them all on SIGINT/SIGTERM, then PostgreSQL.
//             It serves no request and runs no job: it shares only the listening socket.
//   worker    asks the primary for the database's connection string, builds its own registry (no
//             schema work: the primary did it), serves HTTP on the shared port and runs the cron
//             runner and the SMS engine like any server instance: jobs are exclusive through their
//             lease on the ir_cron row and SMS batches through their leases and the instance
//             heartbeat (models/sms/instance_heartbeat.ts), exactly as with several servers.
// Workers share nothing but the database (web sessions included: rpc/session.ts keeps them there).

import cluster, { type Worker } from 'node:cluster';
import http from 'node:http';
import { AggregatorRegistry } from 'prom-client';
import { registryConfig, type Config } from './config.ts';
import type { Logger } from './log.ts';
import { openRuntime, type Runtime } from './runtime.ts';
import { keepOnlySignalHandler } from './postgres.ts';
import { gracefulShutdown } from './shutdown.ts';
import { DatabaseConnectionError } from '../models/orm/pg_config.ts';
import { createRegistry } from './bootstrap.ts';
import { createApp, type AppLocals } from './app.ts';
import { startCronRunner, type CronRunner } from './cron.ts';
import type { Registry } from '../models/orm/registry.ts';

const ASK_DATABASE = 'sms_marketing:database?';
const DATABASE = 'sms_marketing:database';
const LISTENING = 'sms_marketing:listening';
const ASK_METRICS = 'sms_marketing:metrics?';
const METRICS = 'sms_marketing:metrics';

/** A worker that dies this soon after its start, before listening, counts as failing to start. */
const EARLY_DEATH_MS = 10_000;
/** Consecutive failed starts after which the primary gives up (a port in use, a bad database...). */
const MAX_FAILED_STARTS = 3;

interface Message { type?: string; [key: string]: unknown }

/** The fatal line of a start that failed; a connection refused for a reason of configuration (TLS, pg_hba, password) needs no stack. */
export function logStartFailure(log: Logger, err: unknown): void {
  if (err instanceof DatabaseConnectionError) log.fatal(`could not start the server: ${err.message}`);
  else log.fatal({ err }, 'could not start the server');
}

/** The log line the server prints once it serves (also what bench/rpc and the tests wait for). */
export function listeningMessage(config: Pick<Config, 'host' | 'dbName'>, port: number): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `Odoo 19 external API listening on http://${host}:${port} (database ${config.dbName})`;
}

export async function listen(server: http.Server, config: Pick<Config, 'port' | 'host'>): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : config.port;
}

/** Stops accepting, lets in-flight requests finish for a moment, then cuts what remains. */
export async function closeHttp(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), 3000);
  await closed;
  clearTimeout(grace);
}

// ---------------------------------------------------------------------------------------------

export async function runPrimary(config: Config, logger: Logger, t0: number): Promise<void> {
  const log = logger.child({ component: 'workers' });
  let runtime: Runtime | undefined;
  let failedStarts = 0;
  let announced = false;
  const started = new Map<number, number>();
  const listening = new Set<number>();
  let port = config.port;

  const stopWorkers = async (): Promise<void> => {
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    await Promise.all(alive.map((w) => new Promise<void>((resolve) => {
      const hard = setTimeout(() => w.process.kill('SIGKILL'), 12_000);
      w.once('exit', () => {
        clearTimeout(hard);
        resolve();
      });
      w.process.kill('SIGTERM');
    })));
  };

  const stop = gracefulShutdown(log, {
    timeoutMs: 20_000,
    stop: async () => {
      await stopWorkers();
      await runtime?.server.stop();
    },
    hurryMessage: 'second signal: stopping the workers now',
    hurry: async () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      await runtime?.server.stop();
    },
  });

  try {
    runtime = await openRuntime(config, logger);
  } catch (err) {
    logStartFailure(log, err);
    process.exit(1);
  }
  // the primary stops PostgreSQL itself, after the workers
  keepOnlySignalHandler(stop.onSignal);
  // the primary needs no registry of its own once the schema is there
  await runtime.registry.close();
  if (stop.stopping) return;
  const connectionString = runtime.server.localConnectionString(config.dbName);
  const aggregator = new AggregatorRegistry();

  const fork = (): void => {
    const worker = cluster.fork();
    started.set(worker.id, Date.now());
  };

  cluster.on('message', (worker: Worker, message: Message) => {
    if (message?.type === ASK_DATABASE) worker.send({ type: DATABASE, connectionString });
    else if (message?.type === ASK_METRICS) {
      aggregator.clusterMetrics().then(
        (body) => worker.isConnected() && worker.send({ type: METRICS, id: message.id, body }),
        (err: Error) => worker.isConnected() && worker.send({ type: METRICS, id: message.id, error: err.message }),
      );
    } else if (message?.type === LISTENING) {
      listening.add(worker.id);
      failedStarts = 0;
      port = Number(message.port);
      if (!announced && listening.size >= config.webWorkers) {
        announced = true;
        log.info(
          { port, host: config.host, database: config.dbName, workers: config.webWorkers, startupMs: Math.round(performance.now() - t0) },
          listeningMessage(config, port),
        );
      }
    }
  });
  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    const wasListening = listening.delete(worker.id);
    const early = !wasListening && Date.now() - (started.get(worker.id) ?? 0) < EARLY_DEATH_MS;
    started.delete(worker.id);
    if (stop.stopping) return;
    if (early && ++failedStarts >= MAX_FAILED_STARTS) {
      log.fatal({ workerPid: worker.process.pid, code, signal }, `web workers failed to start ${failedStarts} times in a row: stopping`);
      void stop.shutdown('workers failing', 1);
      return;
    }
    log.error({ workerPid: worker.process.pid, code, signal }, 'web worker died: starting another');
    fork();
  });
  log.info({ workers: config.webWorkers }, 'starting web workers');
  for (let i = 0; i < config.webWorkers; i++) fork();
}

// ---------------------------------------------------------------------------------------------

export async function runWorker(config: Config, logger: Logger): Promise<void> {
  const log = logger.child({ worker: cluster.worker?.id });
  let registry: Registry | undefined;
  let server: http.Server | undefined;
  let cron: CronRunner | undefined;
  let stopping = false;

  const shutdown = async (reason: string): Promise<void> => {
    // the primary relays the operator's signal: a second one changes nothing
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'web worker stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    let code = 0;
    try {
      if (server) await closeHttp(server);
      await cron?.stop();
      await registry?.close();
    } catch (err) {
      log.error({ err }, 'error while stopping a web worker');
      code = 1;
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // the primary is gone (killed): nobody would stop or restart this worker any more
  process.on('disconnect', () => void shutdown('primary gone'));

  const pending = new Map<number, { resolve: (body: string) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  const connectionString = await new Promise<string>((resolve) => {
    process.on('message', (message: Message) => {
      if (message?.type === DATABASE) resolve(String(message.connectionString));
      else if (message?.type === METRICS) {
        const p = pending.get(Number(message.id));
        pending.delete(Number(message.id));
        if (message.error) p?.reject(new Error(String(message.error)));
        else p?.resolve(String(message.body));
      }
    });
    process.send!({ type: ASK_DATABASE });
  });
  const metricsAggregate = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      process.send!({ type: ASK_METRICS, id });
    });

  try {
    registry = createRegistry(connectionString, config.databasePoolSize, { config: registryConfig(config), logger });
    const app = createApp(registry, config, logger, { metricsAggregate });
    // answer the primary's requests for this worker's figures
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([(app.locals as AppLocals).metrics.registry]);
    server = http.createServer(app);
    const port = await listen(server, config);
    if (stopping) return;
    cron = startCronRunner(registry, config, log);
    log.info({ port }, 'web worker listening');
    process.send!({ type: LISTENING, port });
  } catch (err) {
    log.fatal({ err }, 'web worker could not start');
    await registry?.close().catch(() => undefined);
    process.exit(1);
  }
}
