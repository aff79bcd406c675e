// Prometheus metrics at GET /metrics (prom-client), one registry per app:
//   http_requests_total{method, route, status}   route = the express route pattern, never the raw URL
//   http_request_duration_seconds{method, route}
//   sms_sms{state}                               SMS rows by state, one grouped query per scrape (cached)
//   sms_queue_depth                              outgoing SMS waiting to be sent
//   sms_provider_request_duration_seconds        provider send latency (models/sms/providers/metrics.ts)
//   process_* / nodejs_*                         prom-client's default process metrics
// With METRICS_TOKEN set, a scrape must carry `Authorization: Bearer <token>`; without it the
// endpoint is open and meant to be reachable from the internal network only (see README).
// With WEB_WORKERS >= 2 each worker keeps its own figures; a scrape, whichever worker serves it,
// answers the sum over every worker (prom-client's AggregatorRegistry in the primary, see
// server/workers.ts); the SMS gauges count database rows, so they are taken from one worker.

import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry as PromRegistry, collectDefaultMetrics } from 'prom-client';
import type { Registry } from '../models/orm/registry.ts';
import { providerLatency } from '../models/sms/providers/metrics.ts';

/** How long one count of SMS by state is reused across scrapes. */
export const SMS_STATS_TTL_MS = 5000;

const SMS_STATES = ['outgoing', 'process', 'pending', 'sent', 'error', 'canceled'];

export interface AppMetrics {
  registry: PromRegistry;
  /** Express middleware counting every request once it is answered. */
  track(req: Request, res: Response, next: NextFunction): void;
  /** Count a request answered outside express (the protocol routes' direct path), `started` from performance.now(). */
  record(method: string, route: string, status: number, started: number): void;
  /** GET /metrics. */
  handler(req: Request, res: Response): Promise<void>;
}

/** The route pattern that served the request (the first one for a multi-path route). */
export function routeLabel(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return path;
  if (Array.isArray(path) && typeof path[0] === 'string') return path[0];
  return 'unmatched';
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface MetricsOptions {
  token?: string;
  /** The whole cluster's figures (a worker of WEB_WORKERS >= 2); default: this process's registry. */
  aggregate?: () => Promise<string>;
}

export function createMetrics(db: Registry, opts: MetricsOptions = {}): AppMetrics {
  const registry = new PromRegistry();
  collectDefaultMetrics({ register: registry });
  registry.registerMetric(providerLatency);
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  // one grouped query feeds both SMS gauges; concurrent scrapes share it
  let cached: { at: number; stats: Promise<{ byState: Map<string, number>; queue: number }> } | undefined;
  const smsStats = () => {
    if (!cached || Date.now() - cached.at > SMS_STATS_TTL_MS) {
      const stats = db.pool
        .query<{ state: string; n: number; queued: number }>(
          `SELECT state, count(*)::int AS n, (count(*) FILTER (WHERE NOT to_delete))::int AS queued FROM sms_sms GROUP BY state`,
        )
        .then(({ rows }) => ({
          byState: new Map(rows.map((r) => [r.state, r.n])),
          queue: rows.find((r) => r.state === 'outgoing')?.queued ?? 0,
        }));
      cached = { at: Date.now(), stats };
      stats.catch(() => {
        cached = undefined;
      });
    }
    return cached.stats;
  };
  new Gauge({
    name: 'sms_sms',
    help: 'SMS (sms.sms rows) by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    aggregator: 'first',
    async collect() {
      const { byState } = await smsStats();
      this.reset();
      for (const state of new Set([...SMS_STATES, ...byState.keys()])) this.set({ state }, byState.get(state) ?? 0);
    },
  });
  new Gauge({
    name: 'sms_queue_depth',
    help: 'Outgoing SMS waiting to be sent.',
    registers: [registry],
    aggregator: 'first',
    async collect() {
      this.set((await smsStats()).queue);
    },
  });

  return {
    registry,
    track(req, res, next) {
      const end = durations.startTimer();
      res.on('finish', () => {
        const route = routeLabel(req);
        requests.inc({ method: req.method, route, status: String(res.statusCode) });
        end({ method: req.method, route });
      });
      next();
    },
    record(method, route, status, started) {
      requests.inc({ method, route, status: String(status) });
      durations.observe({ method, route }, (performance.now() - started) / 1000);
    },
    async handler(req, res) {
      if (opts.token) {
        const given = /^bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1]?.trim() ?? '';
        if (!sameToken(given, opts.token)) {
          res.status(401).set({ 'WWW-Authenticate': 'Bearer', 'Content-Type': 'text/plain; charset=utf-8' }).send('Unauthorized\n');
          return;
        }
      }
      try {
        const body = opts.aggregate ? await opts.aggregate() : await registry.metrics();
        res.status(200).set('Content-Type', registry.contentType).send(body);
      } catch {
        // the database is unreachable: say so rather than serve partial figures
        res.status(503).set('Content-Type', 'text/plain; charset=utf-8').send('metrics unavailable: database unreachable\n');
      }
    },
  };
}
