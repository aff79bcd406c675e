// The scheduler: every few seconds (node-cron), run the ir.cron jobs that are due, woken by a
// trigger, or whose probe reports work (the SMS queue). Jobs run concurrently with each other
// (a long SMS run never delays a scheduled mailing), each one exclusively across every server
// instance on the database (lease on its ir_cron row, models/base/ir_cron.ts).
//
//   const runner = startCronRunner(registry, config, logger);   // server/main.ts
//   ...
//   await runner.stop();                                        // waits for running jobs
//
// It also starts the sending engine's background work (the simulator's delivery reports).

import cron, { type ScheduledTask } from 'node-cron';
import type { Registry } from '../models/orm/registry.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import { cronEvents, instanceId, probedCronIds, readyCronIds, runCronJob, setCronLogger, type CronOutcome } from '../models/base/ir_cron.ts';
import { configureSmsEngine } from '../models/sms/dispatch.ts';

export interface CronRunnerOptions {
  /** Seconds between two looks at the crons (1–59, default 2). */
  tickSeconds?: number;
  /** Lease of a running job, in ms (default 30 s): how long a crashed instance's job stays taken. */
  leaseMs?: number;
  /** Time budget of a self-managed job (SMS queue) per run before it asks to be re-run. */
  timeBudgetMs?: number;
}

export interface CronRunner {
  /** Look for due jobs now (tests; the runner does it by itself every tick). */
  tick(): Promise<void>;
  /** Jobs currently running in this instance. */
  running(): number[];
  /** Stop ticking and wait for running jobs to finish. */
  stop(): Promise<void>;
}

export function startCronRunner(registry: Registry, config: Config | undefined, logger: Logger, opts: CronRunnerOptions = {}): CronRunner {
  void config;
  const log = logger.child({ component: 'cron' });
  setCronLogger(log);
  const owner = instanceId();
  const tickSeconds = Math.min(59, Math.max(1, Math.floor(opts.tickSeconds ?? 2)));
  const jobs = new Map<number, Promise<CronOutcome | null>>();
  const engine = configureSmsEngine(registry, { logger });
  engine.start();
  const halt = new AbortController();
  let stopping = false;
  let ticking: Promise<void> | undefined;
  let again = false;

  const look = async (): Promise<void> => {
    const ready = await readyCronIds(registry);
    const probed = new Set((await probedCronIds(registry)).filter((id) => !ready.includes(id)));
    for (const id of [...ready, ...probed]) {
      if (stopping || jobs.has(id)) continue;
      const p = runCronJob(registry, id, { owner, logger: log, probed: probed.has(id), leaseMs: opts.leaseMs, timeBudgetMs: opts.timeBudgetMs, signal: halt.signal })
        .catch((err: unknown) => {
          log.error({ err, cron: id }, 'cron job crashed');
          return null;
        })
        .finally(() => {
          jobs.delete(id);
          // A job that just finished may have left triggers (partially done): look again.
          if (!stopping) void tick();
        });
      jobs.set(id, p);
    }
  };

  const tick = (): Promise<void> => {
    if (stopping) return Promise.resolve();
    if (ticking) {
      again = true;
      return ticking;
    }
    ticking = (async () => {
      do {
        again = false;
        try {
          await look();
        } catch (err) {
          log.warn({ err }, 'cron tick failed');
        }
      } while (again && !stopping);
    })().finally(() => (ticking = undefined));
    return ticking;
  };

  const task: ScheduledTask = cron.schedule(`*/${tickSeconds} * * * * *`, () => tick(), { name: `ir.cron@${registry.dbName}`, noOverlap: true, unref: false });
  const onWake = () => setImmediate(() => void tick());
  cronEvents.on('wake', onWake);
  log.info({ tickSeconds, owner }, 'cron runner started');
  void tick();

  return {
    tick,
    running: () => [...jobs.keys()],
    stop: async () => {
      if (stopping) return;
      stopping = true;
      halt.abort();
      cronEvents.off('wake', onWake);
      await task.stop();
      await task.destroy();
      await ticking;
      await Promise.all([...jobs.values()]);
      await engine.stop();
      log.info('cron runner stopped');
    },
  };
}
