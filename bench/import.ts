// Importing contacts from CSV at scale: `npx tsx bench/import.ts [rows]` (or `npm run bench:import`),
// default 1,000,000 rows.
//
// Starts a throwaway embedded PostgreSQL in a temp folder, writes a CSV of `rows` contacts
// (1% unparseable numbers, 0.1% without number (email only), 0.02% without number nor email,
// 0.005% with shifted columns; a third with an email, a tenth with a country), imports it into a
// new list exactly as `npm run cli -- import contacts` does (progress bar on stderr), then
// re-imports it (idempotent: 0 new), blacklists 1% of the numbers (`import blacklist`), and times
// reading the list counters (contact_count, contact_count_sms...) over all the subscriptions.
// Prints rows/s and the peak RSS of this process (sampled every 20 ms; the RSS before each step is
// the baseline of tsx + registry) for each step, the CPU time each step cost (this process and
// its embedded PostgreSQL's processes: it moves far less with the machine's load than the elapsed
// seconds), and the machine's load average (other processes slow the figures down).
//
// Environment: BENCH_KEEP=1 keeps the temp folder, BENCH_RERUN=0 skips the re-import,
// BENCH_ROLE=createdb runs as a role with only LOGIN CREATEDB instead of the superuser,
// BENCH_STATEMENTS=1 prints, after each import, the statements that took the most time
// (pg_stat_statements, nested ones included: the per-row foreign-key checks show as one line).

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { startDatabaseServer } from '../server/postgres.ts';
import { loadRegistry } from '../server/bootstrap.ts';
import { createLogger } from '../server/log.ts';
import { runBlacklistImport, runContactsImport } from '../server/cli/import.ts';
import type { Registry } from '../models/orm/registry.ts';
import { sql } from '../models/orm/sql.ts';
import { mb, withPeakRss } from './measure.ts';
import { BENCH_ROLE, benchDatabase } from './role.ts';
import { statementFlags, statementsClient, topStatements } from './statements.ts';

const ROWS = Number(process.argv[2] ?? process.env.BENCH_ROWS ?? 1_000_000);
const DB = 'bench_import';
const LIST = 'Bench import';


interface Expected {
  rows: number;
  skipped: number;
  flagged: number;
  emailOnly: number;
}

/** Write the CSV (streamed, with back-pressure); returns what the import must find. */
async function writeCsv(file: string, rows: number): Promise<Expected> {
  const out = fs.createWriteStream(file);
  const exp: Expected = { rows, skipped: 0, flagged: 0, emailOnly: 0 };
  let buf = 'name,mobile,email,country,company_name\n';
  for (let i = 1; i <= rows; i++) {
    const email = i % 3 === 0 ? `contact${i}@example.com` : '';
    const country = i % 10 === 0 ? 'BE' : '';
    let line: string;
    if (i % 20000 === 19) {
      line = `Contact ${i},+32 47${String(i).padStart(7, '0')},${email},${country},Shifted,extra`;
      exp.skipped++;
    } else if (i % 5000 === 17) {
      line = `Contact ${i},,,,`;
      exp.skipped++;
    } else if (i % 1000 === 13) {
      line = `Contact ${i},,contact${i}@example.com,${country},`;
      exp.emailOnly++;
    } else if (i % 100 === 7) {
      line = `Contact ${i},n/a ${i},${email},${country},`;
      exp.flagged++;
    } else {
      line = `"Contact ${i}",+32 47${String(i).padStart(7, '0')},${email},${country},${i % 7 === 0 ? 'ACME' : ''}`;
    }
    buf += line + '\n';
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return exp;
}

async function writeBlacklistCsv(file: string, rows: number): Promise<number> {
  const lines = ['number,reason'];
  let n = 0;
  for (let i = 1; i <= rows; i += 100) {
    if (i % 100 === 7 || i % 1000 === 13 || i % 5000 === 17 || i % 20000 === 19) continue;
    lines.push(`+32 47${String(i).padStart(7, '0')},bench`);
    n++;
  }
  await fsp.writeFile(file, lines.join('\n') + '\n');
  return n;
}

async function readCounters(registry: Registry, listId: number): Promise<Record<string, unknown>> {
  return registry.transaction({ uid: 2, readonly: true }, async (env) => {
    const [row] = await env.model('mailing.list').browse([listId]).read(['contact_count', 'contact_count_sms', 'contact_count_email', 'contact_count_opt_out', 'contact_count_blacklisted', 'contact_pct_blacklisted']);
    return row;
  });
}

/** CPU time (ms) used so far by this process and its descendants alive now (the embedded PostgreSQL's), from /proc. */
function treeCpuMs(): number {
  const procs = new Map<number, { ppid: number; ms: number }>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(d), { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * 10 }); // CLK_TCK = 100
    } catch {
      /* exited meanwhile */
    }
  }
  let total = 0;
  for (const [pid, p] of procs) {
    for (let q = pid, n = 0; q > 1 && n < 10; n++) {
      if (q === process.pid) {
        total += p.ms;
        break;
      }
      q = procs.get(q)?.ppid ?? 0;
    }
  }
  return total;
}

function loadavg(): string {
  return os.loadavg().map((n) => n.toFixed(2)).join(' ');
}

async function main(): Promise<void> {
  console.log(`bench/import: ${ROWS.toLocaleString('en')} rows, role ${BENCH_ROLE}, ${os.cpus().length} CPUs, load average ${loadavg()}`);
  const logger = createLogger('warn');
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-bench-import-'));
  const server = await startDatabaseServer({ databaseUrl: undefined, dataDir, embeddedPgPort: 0 }, { logger, postgresFlags: statementFlags });
  let registry: Registry | undefined;
  let admin: Awaited<ReturnType<typeof statementsClient>>;
  const statements: string[] = [];
  const table: Record<string, string | number>[] = [];
  try {
    registry = await loadRegistry(await benchDatabase(server, DB), 4);
    admin = await statementsClient(server, DB);
    const csv = path.join(dataDir, 'contacts.csv');
    let t0 = performance.now();
    const exp = await writeCsv(csv, ROWS);
    const size = (await fsp.stat(csv)).size;
    console.log(`CSV written: ${mb(size)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const importOnce = async (label: string) => {
      const loadBefore = loadavg();
      const rssBefore = process.memoryUsage().rss;
      if (admin) await topStatements(admin);
      const cpu0 = treeCpuMs();
      const { result, peak, ms } = await withPeakRss(() => runContactsImport(registry!, csv, { list: LIST }, { progressStream: process.stderr }));
      const cpuMs = treeCpuMs() - cpu0;
      if (admin) statements.push(`${label}:`, ...(await topStatements(admin)).map((l) => `  ${l}`));
      const imported = result.created + result.updated;
      table.push({
        step: label, rows: result.rows, new: result.created, updated: result.updated, flagged: result.flagged, skipped: result.skipped,
        seconds: +(ms / 1000).toFixed(1), 'CPU s': +(cpuMs / 1000).toFixed(1), 'rows/s': Math.round(result.rows / (ms / 1000)), 'contacts/s': Math.round(imported / (ms / 1000)),
        'RSS before MB': mb(rssBefore), 'peak RSS MB': mb(peak), 'load before': loadBefore, 'load after': loadavg(),
      });
      return result;
    };
    const first = await importOnce('import (new list)');
    const ok = first.skipped === exp.skipped && first.flagged === exp.flagged && first.created === ROWS - exp.skipped;
    if (!ok) console.error(`UNEXPECTED COUNTS: expected skipped ${exp.skipped}, flagged ${exp.flagged}, new ${ROWS - exp.skipped}`);
    if (process.env.BENCH_RERUN !== '0') {
      const again = await importOnce('re-import (same file)');
      if (again.created !== 0) console.error(`UNEXPECTED: re-import created ${again.created} contacts`);
    }

    const blFile = path.join(dataDir, 'blacklist.csv');
    const blRows = await writeBlacklistCsv(blFile, ROWS);
    const blRss = process.memoryUsage().rss;
    const blCpu = treeCpuMs();
    const bl = await withPeakRss(() => runBlacklistImport(registry!, blFile, {}, { progressStream: process.stderr }));
    table.push({
      step: 'import blacklist', rows: bl.result.rows, new: bl.result.added, updated: bl.result.alreadyBlacklisted + bl.result.reactivated, flagged: 0,
      skipped: bl.result.skipped, seconds: +(bl.ms / 1000).toFixed(1), 'CPU s': +((treeCpuMs() - blCpu) / 1000).toFixed(1), 'rows/s': Math.round(blRows / (bl.ms / 1000)), 'contacts/s': '-',
      'RSS before MB': mb(blRss), 'peak RSS MB': mb(bl.peak), 'load before': '-', 'load after': loadavg(),
    });

    const listId = first.listId;
    const subs = (await registry.sudo((env) => env.cr.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM mailing_subscription WHERE list_id = ${listId}`)))[0].n;
    const times: number[] = [];
    let counters: Record<string, unknown> = {};
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      counters = await readCounters(registry, listId);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.table(table);
    console.log(`mailing.list read of the counters over ${subs.toLocaleString('en')} subscriptions: min ${times[0].toFixed(0)} ms, median ${times[2].toFixed(0)} ms (5 reads)`);
    console.log('counters:', JSON.stringify(counters));
    if (statements.length) console.log(`statements that took the most time (pg_stat_statements):\n${statements.join('\n')}`);
    console.log(`load average at the end: ${loadavg()}`);
  } finally {
    await admin?.end();
    await registry?.close();
    await server.stop();
    if (!process.env.BENCH_KEEP) await fsp.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
