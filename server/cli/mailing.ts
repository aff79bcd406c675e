// `npm run cli -- mailing ...`: mailings from the command line.
//
//   mailing send ID [--wait] [--timeout S]   queue an SMS mailing (Odoo's action_launch, or
//                                            action_schedule when it has a future date); with
//                                            --wait, send it from this process (it is one more
//                                            scheduler instance: safe next to running servers)
//                                            with a live progress bar and a final summary.
//   mailing status ID                        the mailing's progress, once.
//
// Progress comes from the database (mailing.trace statuses), whoever sends the SMS.

import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import { openRuntime } from '../runtime.ts';
import { startCronRunner } from '../cron.ts';
import type { Registry } from '../../models/orm/registry.ts';
import { sql } from '../../models/orm/sql.ts';
import { UserError } from '../../models/orm/exceptions.ts';

const ADMIN_UID = 2;

export interface MailingProgress {
  state: string;
  subject: string;
  /** Traces of the mailing (one per recipient prepared so far). */
  total: number;
  /** Handed to the provider: `pending` (Sent) and beyond. */
  sent: number;
  /** Delivered to the handset (`sent`, `open`, `reply`). */
  delivered: number;
  failed: number;
  canceled: number;
  /** Still queued or being processed. */
  remaining: number;
  failures: Record<string, number>;
  credits: number;
}

/** Progress of a mailing from its traces (any instance may be sending it). */
export async function mailingProgress(registry: Registry, mailingId: number): Promise<MailingProgress> {
  return registry.transaction({ uid: ADMIN_UID, su: true, readonly: true }, async (env) => {
    const m = await env.cr.query<{ state: string; subject: string }>(sql`SELECT state, subject FROM mailing_mailing WHERE id = ${mailingId}`);
    if (!m.length) throw new UserError(`Mailing ${mailingId} does not exist.`);
    const rows = await env.cr.query<{ trace_status: string; failure_type: string | null; n: number }>(sql`
      SELECT trace_status, failure_type, count(*)::int AS n FROM mailing_trace WHERE mass_mailing_id = ${mailingId} GROUP BY trace_status, failure_type`);
    const credit = await env.cr.query<{ c: number }>(sql`SELECT COALESCE(sum(credit), 0)::float8 AS c FROM sms_sms WHERE mailing_id = ${mailingId}`);
    const p: MailingProgress = { state: m[0].state, subject: m[0].subject, total: 0, sent: 0, delivered: 0, failed: 0, canceled: 0, remaining: 0, failures: {}, credits: credit[0]?.c ?? 0 };
    for (const r of rows) {
      p.total += r.n;
      switch (r.trace_status) {
        case 'outgoing': case 'process': p.remaining += r.n; break;
        case 'pending': p.sent += r.n; break;
        case 'sent': case 'open': case 'reply': p.sent += r.n; p.delivered += r.n; break;
        case 'cancel': p.canceled += r.n; break;
        default: p.failed += r.n;
      }
      if (r.failure_type && r.trace_status !== 'pending' && r.trace_status !== 'sent') p.failures[r.failure_type] = (p.failures[r.failure_type] ?? 0) + r.n;
    }
    return p;
  });
}

/** Queue the mailing as the Send button does; returns its state afterwards. */
export async function queueMailing(registry: Registry, mailingId: number): Promise<string> {
  if (!registry.has('mailing.mailing')) throw new UserError('Mailings are not available in this build.');
  return registry.transaction({ uid: ADMIN_UID, su: true }, async (env) => {
    const mailing = env.model('mailing.mailing').browse([mailingId]);
    const [m] = await mailing.withContext({ active_test: false }).fetch(['state', 'mailing_type', 'schedule_type', 'schedule_date']);
    if (!m) throw new UserError(`Mailing ${mailingId} does not exist.`);
    if (m.mailing_type !== 'sms') throw new UserError(`Mailing ${mailingId} is not an SMS mailing.`);
    if (m.state === 'draft') {
      const future = m.schedule_type === 'scheduled' && m.schedule_date && Date.parse(String(m.schedule_date).replace(' ', 'T') + 'Z') > Date.now();
      await mailing.call(future ? 'action_schedule' : 'action_launch');
    }
    const [after] = await mailing.fetch(['state']);
    return String(after.state);
  });
}

export interface SendOptions {
  wait: boolean;
  timeoutMs?: number;
  /** Where the progress bar and summary go (default stderr / stdout). */
  progressStream?: NodeJS.WritableStream;
  out?: (line: string) => void;
  logger?: Logger;
  pollMs?: number;
}

/** `mailing send`: queue, and with `wait` send from here until every SMS has an outcome. */
export async function sendMailing(registry: Registry, mailingId: number, opts: SendOptions): Promise<MailingProgress> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const state = await queueMailing(registry, mailingId);
  if (!opts.wait) {
    out(`Mailing ${mailingId} is ${state}; the server's scheduler sends it${state === 'in_queue' ? '' : ' (nothing to queue)'}.`);
    return mailingProgress(registry, mailingId);
  }
  const logger = opts.logger ?? createLogger('warn');
  const runner = startCronRunner(registry, undefined, logger, { tickSeconds: 1 });
  const bar = new cliProgress.SingleBar(
    {
      format: 'Sending |{bar}| {percentage}% | {value}/{total} | sent {sent} | failed {failed} | remaining {remaining} | {duration_formatted}',
      stream: opts.progressStream ?? process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 2000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  const deadline = started + (opts.timeoutMs ?? 3_600_000);
  let p = await mailingProgress(registry, mailingId);
  bar.start(Math.max(1, p.total), 0, { sent: 0, failed: 0, remaining: 0 });
  try {
    for (;;) {
      p = await mailingProgress(registry, mailingId);
      bar.setTotal(Math.max(1, p.total));
      bar.update(p.sent + p.failed + p.canceled, { sent: p.sent, failed: p.failed, remaining: p.remaining });
      if (p.state === 'done' && p.remaining === 0) break;
      if (Date.now() > deadline) {
        bar.stop();
        out(`Timed out: ${p.remaining} SMS still queued (they will be sent by the server's scheduler).`);
        break;
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
  } finally {
    bar.stop();
    await runner.stop();
  }
  const secs = (Date.now() - started) / 1000;
  out(`Mailing ${mailingId} "${p.subject}": ${p.state}`);
  out(`  recipients ${p.total} | sent ${p.sent} (delivered ${p.delivered}) | failed ${p.failed} | canceled ${p.canceled} | remaining ${p.remaining}`);
  for (const [k, n] of Object.entries(p.failures).sort((a, b) => b[1] - a[1])) out(`  ${k}: ${n}`);
  out(`  credits spent ${p.credits.toFixed(4)} | ${secs.toFixed(1)} s${p.sent ? ` | ${Math.round(p.sent / Math.max(secs, 0.001))} SMS/s` : ''}`);
  return p;
}

async function withRegistry<T>(fn: (registry: Registry, logger: Logger) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Quiet unless LOG_LEVEL asks for more: the terminal shows the progress bar.
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn');
  const runtime = await openRuntime(config, logger, { poolSize: 12, attach: true });
  try {
    return await fn(runtime.registry, logger);
  } finally {
    await runtime.close();
  }
}

function mailingIdArg(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`ID must be a mailing id (got ${JSON.stringify(text)})`);
  return Number(text);
}

export function registerMailingCommands(program: Command): void {
  const mailing = program.command('mailing').description('SMS mailings');
  mailing
    .command('send')
    .description('queue an SMS mailing; with --wait, send it now with a progress bar')
    .argument('<id>', 'mailing.mailing id')
    .option('--wait', 'send from this process and wait until every SMS has an outcome')
    .option('--timeout <seconds>', 'stop waiting after this many seconds', '3600')
    .action(async (id: string, opts: { wait?: boolean; timeout: string }) => {
      const mailingId = mailingIdArg(id);
      await withRegistry((registry, logger) => sendMailing(registry, mailingId, { wait: !!opts.wait, timeoutMs: Number(opts.timeout) * 1000, logger }));
    });
  mailing
    .command('status')
    .description('progress of a mailing')
    .argument('<id>', 'mailing.mailing id')
    .action(async (id: string) => {
      const p = await withRegistry((registry) => mailingProgress(registry, mailingIdArg(id)));
      process.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
    });
}
