// ir.cron (Scheduled Actions), ir.cron.trigger and the job executor the scheduler
// (server/cron.ts) and `method_direct_trigger` share.
//
// Odoo runs `code` ("model._process_queue()") through a server action; here the target is the
// model (`model_id`) and the method named by `code`, which must read `model.<method>()`; nothing
// is evaluated. A job runs in its own transaction(s), never in the caller's.
//
// Exclusivity across server instances on one database: a job is taken with an atomic
// `UPDATE ir_cron SET lease_owner, lease_until ... WHERE lease free AND ready RETURNING`; the
// owner renews the lease while the job runs (heartbeat) and clears it at the end. An instance
// killed mid-run stops renewing; its lease expires (CRON_LEASE_MS) and another instance takes the
// job over. The lease columns are technical (not fields of the model, so fields_get stays Odoo's).

import { EventEmitter } from 'node:events';
import os from 'node:os';
import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import { SUPERUSER_ID } from '../orm/env.ts';
import type { Registry } from '../orm/registry.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { formatDatetime } from '../orm/fields.ts';
import { UserError, ValidationError } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';
import { updateXmlids, xmlidToResId } from './ir_model_data.ts';
import type { Logger } from '../orm/config.ts';
import type { CronData, CronHandler, CronJobContext, CronProbe } from '../orm/addon.ts';

export type { CronData, CronHandler, CronJobContext, CronProbe };

/** Cron lease: renewed every third of it while the job runs. */
export const CRON_LEASE_MS = 30_000;
/** Odoo's thresholds: deactivate after 5 consecutive failures spread over at least 7 days. */
const MIN_FAILURE_COUNT_BEFORE_DEACTIVATION = 5;
const MIN_DELTA_BEFORE_DEACTIVATION_MS = 7 * 24 * 3600 * 1000;
/** A job (handler) runs at most this long per take, then asks to be re-run (Odoo: 120 s). */
export const CRON_JOB_TIME_BUDGET_MS = 120_000;

const CODE_RE = /^\s*model\.([A-Za-z_][A-Za-z0-9_]*)\(\)\s*$/;

export const INTERVAL_TYPES: [string, string][] = [
  ['minutes', 'Minutes'],
  ['hours', 'Hours'],
  ['days', 'Days'],
  ['weeks', 'Weeks'],
  ['months', 'Months'],
];

const NOW_UTC = sql`(now() AT TIME ZONE 'UTC')`;

export const IrCron: ModelSpec = {
  _name: 'ir.cron',
  _description: 'Scheduled Actions',
  _order: 'cron_name, id',
  _sql_constraints: [['check_strictly_positive_interval', 'CHECK(interval_number > 0)', 'The interval number must be a strictly positive number.']],
  _constraints: [
    {
      fields: ['code'],
      check: async (records) => {
        for (const r of await records.fetch(['code'])) {
          if (!CODE_RE.test(String(r.code ?? ''))) {
            throw new ValidationError(`Scheduled action code must call one method of its model, like "model._process_queue()" (got ${JSON.stringify(r.code ?? '')}).`);
          }
        }
      },
    },
  ],
  fields: {
    name: { type: 'char', string: 'Action Name', required: true, translate: true },
    cron_name: { type: 'char', string: 'Name', compute: '_compute_cron_name', store: true, depends: ['name'] },
    model_id: { type: 'many2one', comodel: 'ir.model', string: 'Model', required: true, ondelete: 'cascade', index: true },
    model_name: { type: 'char', string: 'Model Name', related: 'model_id.model', readonly: true },
    state: { type: 'selection', string: 'Type', selection: [['code', 'Execute Code']], default: 'code', required: true },
    usage: { type: 'selection', string: 'Usage', selection: [['ir_actions_server', 'Server Action'], ['ir_cron', 'Scheduled Action']], default: 'ir_cron', required: true },
    code: { type: 'text', string: 'Python Code', required: true, help: 'The method of the model to call, written model.<method>()' },
    user_id: { type: 'many2one', comodel: 'res.users', string: 'Scheduler User', required: true, default: (env: Env) => env.uid },
    active: { type: 'boolean', string: 'Active', default: true },
    interval_number: { type: 'integer', string: 'Interval Number', default: 1, required: true, help: 'Repeat every x.', aggregator: null },
    interval_type: { type: 'selection', string: 'Interval Unit', selection: INTERVAL_TYPES, default: 'months', required: true },
    nextcall: { type: 'datetime', string: 'Next Execution Date', required: true, default: () => formatDatetime(new Date()), help: 'Next planned execution date for this job.' },
    lastcall: { type: 'datetime', string: 'Last Execution Date', help: 'Previous time the cron ran successfully, provided to the job through the context on the `lastcall` key' },
    priority: { type: 'integer', string: 'Priority', default: 5, aggregator: null, help: 'The priority of the job, as an integer: 0 means higher priority, 10 means lower priority.' },
    failure_count: { type: 'integer', string: 'Failure Count', default: 0, help: 'The number of consecutive failures of this job. It is automatically reset on success.' },
    first_failure_date: { type: 'datetime', string: 'First Failure Date', help: 'The first time the cron failed. It is automatically reset on success.' },
    xml_id: { type: 'char', string: 'External ID', compute: '_compute_xml_id', readonly: true },
  },
  methods: {
    _compute_cron_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const out = new Map<number, Vals>();
        for (const r of await self.fetch(['name'])) out.set(r.id as number, { cron_name: r.name ?? false });
        return out;
      },
    },
    _compute_xml_id: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ res_id: number; xmlid: string }>(
          sql`SELECT res_id, module || '.' || name AS xmlid FROM ir_model_data WHERE model = 'ir.cron' AND res_id = ANY(${self.ids}::int4[]) ORDER BY id`,
        );
        const by = new Map(rows.map((r) => [r.res_id, r.xmlid]));
        return new Map(self.ids.map((id) => [id, { xml_id: by.get(id) ?? '' }]));
      },
    },
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: Vals) {
        // Like Odoo: a job being executed may not be modified (its run would overwrite the change).
        if (self.ids.length) {
          const busy = await self.env.cr.query(sql`SELECT id FROM ir_cron WHERE id = ANY(${self.ids}::int4[]) AND lease_until > ${NOW_UTC} LIMIT 1`);
          if (busy.length) {
            throw new UserError('Record cannot be modified right now: This cron task is currently being executed and may not be modified Please try again in a few minutes');
          }
        }
        const res = await this.super(vals);
        if ('nextcall' in vals || vals.active) self.env.cr.postcommit.push(() => wakeCronRunners());
        return res;
      },
    },
    method_direct_trigger: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        self.ensureOne();
        await self.checkAccess('write');
        const [row] = await self.fetch(['name']);
        const outcome = await runCronJob(self.env.registry, self.ids[0], { includeNotReady: true });
        if (outcome === null) throw new UserError(`Job '${String(row?.name ?? '')}' already executing`);
        if (outcome.status === 'failed' && outcome.error) {
          const e = outcome.error;
          return {
            type: 'ir.actions.client',
            tag: 'display_exception',
            params: { code: 0, message: 'Odoo Server Error', data: { name: (e as { odooName?: string }).odooName ?? 'builtins.RuntimeError', message: e.message, arguments: [e.message], context: {}, debug: e.stack ?? '' } },
          };
        }
        return true;
      },
    },
    _trigger: {
      api: 'record',
      params: [['at', null]],
      private: true,
      fn: async (self: RecordSet, at: unknown) => {
        const when = at === null || at === undefined || at === false ? [null] : Array.isArray(at) ? at : [at];
        for (const id of self.ids) for (const w of when) await insertTrigger(self.env, id, w as string | Date | null);
        return true;
      },
    },
  },
};

// ---------------------------------------------------------------- triggers and wake-ups

/** Process-wide wake-up signal: the local scheduler ticks at once when a trigger is due now. */
export const cronEvents = new EventEmitter();
cronEvents.setMaxListeners(100);

export function wakeCronRunners(): void {
  cronEvents.emit('wake');
}

async function insertTrigger(env: Env, cronId: number, at: string | Date | null): Promise<void> {
  const when = at === null ? null : at instanceof Date ? formatDatetime(at) : String(at).slice(0, 19).replace('T', ' ');
  // One pending trigger per moment is enough: a million creates wake the job once.
  await env.cr.execute(sql`
    INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid, create_date, write_date)
    SELECT ${cronId}::int4, COALESCE(${when}::timestamp, ${NOW_UTC}), ${env.uid}::int4, ${env.uid}::int4, ${NOW_UTC}, ${NOW_UTC}
    WHERE NOT EXISTS (SELECT 1 FROM ir_cron_trigger WHERE cron_id = ${cronId}::int4 AND call_at <= COALESCE(${when}::timestamp, ${NOW_UTC}))`);
  if (when === null || Date.parse(when.replace(' ', 'T') + 'Z') <= Date.now()) env.cr.postcommit.push(() => wakeCronRunners());
}

/** `env.ref(xmlId)._trigger(at)`: wake the cron with that external id now or at `at` (UTC). */
export async function triggerCron(env: Env, xmlId: string, at: string | Date | null = null): Promise<void> {
  const id = await xmlidToResId(env, xmlId);
  if (!id) return;
  await insertTrigger(env, id, at);
}

// ---------------------------------------------------------------- data

/** Odoo's base crons (noupdate: created once, user edits kept). */
export const BASE_CRONS: CronData[] = [
  { xmlId: 'base.autovacuum_job', name: 'Base: Auto-vacuum internal data', model: 'ir.autovacuum', method: '_run_vacuum_cleaner', intervalNumber: 1, intervalType: 'days' },
];

/** Create a cron data record if missing (its model must be in the registry). */
export async function ensureCron(env: Env, c: CronData): Promise<void> {
  if (!env.registry.has(c.model)) return;
  const dot = c.xmlId.indexOf('.');
  const known = await env.cr.query(sql`SELECT 1 FROM ir_model_data WHERE module = ${c.xmlId.slice(0, dot)} AND name = ${c.xmlId.slice(dot + 1)}`);
  if (known.length) return;
  const rows = await env.cr.query<{ id: number }>(sql`
    INSERT INTO ir_cron (name, cron_name, model_id, state, usage, code, user_id, active, interval_number, interval_type, nextcall, priority, failure_count,
                         create_uid, write_uid, create_date, write_date)
    SELECT ${c.name}, ${c.name}, m.id, 'code', 'ir_cron', ${`model.${c.method}()`}, ${SUPERUSER_ID}::int4, ${c.active ?? true}, ${c.intervalNumber}::int4, ${c.intervalType},
           date_trunc('second', ${NOW_UTC}), ${c.priority ?? 5}::int4, 0, 1, 1, ${NOW_UTC}, ${NOW_UTC}
    FROM ir_model m WHERE m.model = ${c.model}
    RETURNING id`);
  if (rows.length) await updateXmlids(env, [{ xml_id: c.xmlId, model: 'ir.cron', res_id: rows[0].id, noupdate: true }]);
}

/** The lease columns: technical, not fields (fields_get stays Odoo's). */
export const IR_CRON_LEASE_DDL = `ALTER TABLE ir_cron ADD COLUMN IF NOT EXISTS lease_owner varchar, ADD COLUMN IF NOT EXISTS lease_until timestamp`;

/** The crons of every loaded addon, in addon order; run after ir.model reflection. */
export async function loadCronData(env: Env): Promise<void> {
  for (const addon of env.registry.addons) for (const c of addon.crons ?? []) await ensureCron(env, c);
}

/** Handlers and probes of the loaded addons' crons (called when a registry is built). */
export function registerAddonCrons(registry: Registry): void {
  for (const addon of registry.addons) {
    for (const c of addon.crons ?? []) {
      if (c.handler) registerCronHandler(c.model, c.method, c.handler);
      if (c.probe) registerCronProbe(c.xmlId, c.probe);
    }
  }
}

// ---------------------------------------------------------------- execution

export type CompletionStatus = 'fully done' | 'partially done' | 'failed';

const HANDLERS = new Map<string, CronHandler>();
const PROBES = new Map<string, CronProbe>();

export function registerCronHandler(model: string, method: string, handler: CronHandler): void {
  HANDLERS.set(`${model}.${method}`, handler);
}
export function registerCronProbe(xmlId: string, probe: CronProbe): void {
  PROBES.set(xmlId, probe);
}

let defaultLogger: Logger | undefined;
/** Logger of jobs run outside the scheduler (method_direct_trigger); the scheduler sets it. */
export function setCronLogger(logger: Logger): void {
  defaultLogger = logger;
}
function fallbackLogger(registry: Registry): Logger {
  return defaultLogger ?? registry.logger.child({ component: 'cron' });
}

export interface CronJobRow {
  id: number;
  cron_name: string | null;
  name: string;
  code: string;
  model: string | null;
  user_id: number;
  active: boolean;
  interval_number: number;
  interval_type: string;
  nextcall: string;
  lastcall: string | null;
  failure_count: number;
  first_failure_date: string | null;
  now: string;
  now_exact: string;
}

export interface CronOutcome {
  status: CompletionStatus;
  error?: Error;
  skipped?: boolean;
}

export interface RunCronOptions {
  /** Run even if not due / inactive (method_direct_trigger). */
  includeNotReady?: boolean;
  /** Treat the job as ready although not due (a probe found work). */
  probed?: boolean;
  owner?: string;
  logger?: Logger;
  leaseMs?: number;
  timeBudgetMs?: number;
  signal?: AbortSignal;
}

const READY = sql`(c.active AND (c.nextcall <= (now() AT TIME ZONE 'UTC') OR EXISTS (SELECT 1 FROM ir_cron_trigger t WHERE t.cron_id = c.id AND t.call_at <= (now() AT TIME ZONE 'UTC'))))`;

/** Ids of jobs due now (or woken by a trigger) whose lease is free, in Odoo's order. */
export async function readyCronIds(registry: Registry): Promise<number[]> {
  const { rows } = await registry.pool.query<{ id: number }>(
    `SELECT c.id FROM ir_cron c WHERE ${READY.toString()} AND (c.lease_until IS NULL OR c.lease_until < (now() AT TIME ZONE 'UTC'))
     ORDER BY c.failure_count, c.priority, c.id`,
  );
  return rows.map((r) => r.id);
}

/** Crons whose probe reports work (active, lease free), to be run although not due. */
export async function probedCronIds(registry: Registry): Promise<number[]> {
  if (PROBES.size === 0) return [];
  const xmlIds = [...PROBES.keys()];
  const { rows } = await registry.pool.query<{ id: number; xml_id: string }>(
    `SELECT c.id, d.module || '.' || d.name AS xml_id FROM ir_cron c JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = c.id
     WHERE c.active AND d.module || '.' || d.name = ANY($1::varchar[]) AND (c.lease_until IS NULL OR c.lease_until < (now() AT TIME ZONE 'UTC'))`,
    [xmlIds],
  );
  const out: number[] = [];
  for (const r of rows) {
    try {
      if (await PROBES.get(r.xml_id)!(registry)) out.push(r.id);
    } catch {
      /* a failing probe only delays the job to its next call */
    }
  }
  return out;
}

function toDate(s: string): Date {
  return new Date(s.replace(' ', 'T') + 'Z');
}

function addInterval(d: Date, n: number, type: string): Date {
  const r = new Date(d.getTime());
  switch (type) {
    case 'minutes': r.setUTCMinutes(r.getUTCMinutes() + n); break;
    case 'hours': r.setUTCHours(r.getUTCHours() + n); break;
    case 'days': r.setUTCDate(r.getUTCDate() + n); break;
    case 'weeks': r.setUTCDate(r.getUTCDate() + 7 * n); break;
    case 'months': {
      // relativedelta(months=n): same day, clamped to the length of the target month.
      const day = r.getUTCDate();
      r.setUTCDate(1);
      r.setUTCMonth(r.getUTCMonth() + n);
      const last = new Date(Date.UTC(r.getUTCFullYear(), r.getUTCMonth() + 1, 0)).getUTCDate();
      r.setUTCDate(Math.min(day, last));
      break;
    }
    default: r.setUTCFullYear(2099);
  }
  return r;
}

/** Next call strictly after `now`, stepping from the previous one by whole intervals (Odoo's rule, in UTC). */
export function nextCallAfter(nextcall: string, now: string, n: number, type: string): string {
  let next = toDate(nextcall);
  const limit = toDate(now);
  if (n <= 0) n = 1;
  // Jump close first for fixed-length units (a minutely job off for a year must not loop 500k times).
  const fixed: Record<string, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 7 * 86_400_000 };
  const step = fixed[type] ? fixed[type] * n : 0;
  if (step && limit.getTime() - next.getTime() > step) next = new Date(next.getTime() + Math.floor((limit.getTime() - next.getTime()) / step) * step);
  let guard = 0;
  while (next.getTime() <= limit.getTime() && guard++ < 100_000) next = addInterval(next, n, type);
  return formatDatetime(next);
}

/**
 * Take the lease of one job (if free and, unless `includeNotReady`, due), run it, reschedule it
 * like Odoo (`_process_job`), release the lease. Returns null when the job is taken elsewhere.
 */
export async function runCronJob(registry: Registry, cronId: number, opts: RunCronOptions = {}): Promise<CronOutcome | null> {
  const owner = opts.owner ?? instanceId();
  const leaseMs = opts.leaseMs ?? CRON_LEASE_MS;
  const logger = opts.logger ?? fallbackLogger(registry);
  const ready = opts.includeNotReady ? sql`TRUE` : opts.probed ? sql`c.active` : READY;
  const lease = sql`(now() AT TIME ZONE 'UTC') + ${leaseMs} * interval '1 millisecond'`;
  const acquire = sql`
    UPDATE ir_cron c SET lease_owner = ${owner}, lease_until = ${lease}
    FROM (SELECT c2.id, m.model FROM ir_cron c2 LEFT JOIN ir_model m ON m.id = c2.model_id WHERE c2.id = ${cronId}::int4) x
    WHERE c.id = x.id AND (c.lease_until IS NULL OR c.lease_until < (now() AT TIME ZONE 'UTC')) AND ${ready}
    RETURNING c.id, c.cron_name, c.name, c.code, x.model, c.user_id, c.active, c.interval_number, c.interval_type, c.nextcall, c.lastcall,
              c.failure_count, c.first_failure_date, date_trunc('second', now() AT TIME ZONE 'UTC') AS now, now() AT TIME ZONE 'UTC' AS now_exact`;
  const { text, values } = acquire.toQuery();
  const { rows } = await registry.pool.query<CronJobRow>(text, values as unknown[]);
  const job = rows[0];
  if (!job) return null;
  const heartbeat = setInterval(() => {
    registry.pool
      .query(`UPDATE ir_cron SET lease_until = (now() AT TIME ZONE 'UTC') + $1 * interval '1 millisecond' WHERE id = $2 AND lease_owner = $3`, [leaseMs, job.id, owner])
      .catch(() => undefined);
  }, Math.max(200, Math.floor(leaseMs / 3)));
  heartbeat.unref();
  const started = Date.now();
  const name = job.cron_name ?? job.name;
  let outcome: CronOutcome;
  let remaining = 0;
  try {
    // Triggers due now are consumed by this run; those created during the run wake it again.
    await registry.pool.query(`DELETE FROM ir_cron_trigger WHERE cron_id = $1 AND call_at <= $2`, [job.id, job.now_exact]);
    const method = CODE_RE.exec(job.code ?? '')?.[1];
    if (!job.model || !method || !registry.has(job.model) || !registry.get(job.model).methods.has(method)) {
      // A cron of an addon whose model is not loaded: nothing to run, not a failure.
      logger.debug({ cron: name, id: job.id }, 'cron target not available, skipped');
      outcome = { status: 'fully done', skipped: true };
    } else {
      logger.info({ cron: name, id: job.id }, 'cron job starting');
      const handler = HANDLERS.get(`${job.model}.${method}`);
      try {
        if (handler) {
          const res = await handler(registry, {
            cronId: job.id,
            cronName: name,
            uid: job.user_id,
            lastcall: job.lastcall,
            logger,
            deadline: started + (opts.timeBudgetMs ?? CRON_JOB_TIME_BUDGET_MS),
            signal: opts.signal,
          });
          remaining = res?.remaining ?? 0;
        } else {
          await registry.transaction({ uid: job.user_id, context: { lastcall: job.lastcall ?? false, cron_id: job.id } }, async (env) => {
            await env.model(job.model!).call(method);
          });
        }
        outcome = { status: remaining > 0 ? 'partially done' : 'fully done' };
      } catch (err) {
        logger.error({ cron: name, id: job.id, err }, 'cron job failed');
        outcome = { status: 'failed', error: err instanceof Error ? err : new Error(String(err)) };
      }
    }
    await finishJob(registry, job, outcome.status, owner, logger);
    logger.info({ cron: name, id: job.id, status: outcome.status, remaining, ms: Date.now() - started }, 'cron job done');
    return outcome;
  } finally {
    clearInterval(heartbeat);
    await registry.pool.query(`UPDATE ir_cron SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [job.id, owner]).catch(() => undefined);
  }
}

async function finishJob(registry: Registry, job: CronJobRow, status: CompletionStatus, owner: string, logger: Logger): Promise<void> {
  const { rows } = await registry.pool.query<{ now: string; nextcall: string; failure_count: number; first_failure_date: string | null; active: boolean }>(
    `SELECT date_trunc('second', now() AT TIME ZONE 'UTC') AS now, nextcall, failure_count, first_failure_date, active FROM ir_cron WHERE id = $1`,
    [job.id],
  );
  const cur = rows[0];
  if (!cur) return;
  const now = cur.now;
  let failureCount = 0;
  let firstFailure: string | null = null;
  let active = cur.active;
  if (status === 'failed') {
    failureCount = cur.failure_count + 1;
    firstFailure = cur.first_failure_date ?? now;
    if (failureCount >= MIN_FAILURE_COUNT_BEFORE_DEACTIVATION && toDate(firstFailure).getTime() + MIN_DELTA_BEFORE_DEACTIVATION_MS < toDate(now).getTime()) {
      logger.warn({ cron: job.cron_name ?? job.name, id: job.id }, `Cron job has been deactivated after failing ${MIN_FAILURE_COUNT_BEFORE_DEACTIVATION} times`);
      failureCount = 0;
      firstFailure = null;
      active = false;
    }
  }
  if (status === 'partially done') {
    // Re-run as soon as possible (after the other ready jobs), like Odoo's _reschedule_asap.
    await registry.pool.query(
      `INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid, create_date, write_date) VALUES ($1, $2, 1, 1, $2, $2)`,
      [job.id, now],
    );
    await registry.pool.query(`UPDATE ir_cron SET failure_count = 0, first_failure_date = NULL WHERE id = $1`, [job.id]);
    wakeCronRunners();
    return;
  }
  const next = toDate(cur.nextcall).getTime() <= toDate(now).getTime() ? nextCallAfter(cur.nextcall, now, job.interval_number, job.interval_type) : cur.nextcall;
  await registry.pool.query(
    `UPDATE ir_cron SET nextcall = $2, lastcall = $3, failure_count = $4, first_failure_date = $5, active = $6 WHERE id = $1 AND (lease_owner = $7 OR lease_owner IS NULL)`,
    [job.id, next, now, failureCount, firstFailure, active, owner],
  );
}

let INSTANCE_ID: string | undefined;
/** Identifies this process in lease columns (host:pid:random). */
export function instanceId(): string {
  INSTANCE_ID ??= `${os.hostname() || 'host'}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  return INSTANCE_ID;
}
