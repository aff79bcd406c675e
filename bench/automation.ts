// Cost of automation rules on a bulk create: `npx tsx bench/automation.ts` (or `npm run bench:automation`).
//
// Starts a throwaway embedded PostgreSQL, then for each rule count N creates BENCH_CONTACTS
// mailing.contact (each with a mobile number) in ONE `create` call, through call_kw as an RPC
// client's execute_kw would, with N active "on creation: send SMS template" rules on the model.
// Prints the time, the number of SQL statements of the call and the sms.sms created.
//
// Environment: BENCH_CONTACTS (default 10000), BENCH_RULES (default "0,1,2"), BENCH_KEEP=1 keeps
// the temp folder.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDatabaseServer, ensureDatabase } from '../server/postgres.ts';
import { loadRegistry } from '../server/bootstrap.ts';
import { createLogger } from '../server/log.ts';
import type { Registry } from '../models/orm/registry.ts';
import { callKw } from '../models/orm/call_kw.ts';

const CONTACTS = Number(process.env.BENCH_CONTACTS || 10_000);
const RULES = (process.env.BENCH_RULES || '0,1,2').split(',').map((s) => Number(s.trim())).filter((n) => n >= 0);
const DB = 'bench_automation';

async function setRules(registry: Registry, n: number): Promise<void> {
  await registry.transaction({ uid: 2 }, async (env) => {
    const old = await callKw(env, 'base.automation', 'search', [[]], { context: { active_test: false } });
    if ((old as number[]).length) await callKw(env, 'base.automation', 'unlink', [old], {});
    const [modelId] = (await callKw(env, 'ir.model', 'search', [[['model', '=', 'mailing.contact']]], {})) as number[];
    for (let i = 0; i < n; i++) {
      const template = await callKw(env, 'sms.template', 'create', [{ name: `Welcome ${i}`, model_id: modelId, body: `Hello {{ object.name }} (${i})` }], {});
      await callKw(env, 'base.automation', 'create', [{
        name: `Welcome SMS ${i}`, model_id: modelId, trigger: 'on_create',
        action_server_ids: [[0, 0, { name: `Send welcome ${i}`, model_id: modelId, state: 'sms', sms_template_id: template, sms_method: 'sms' }]],
      }], {});
    }
  });
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-bench-automation-'));
  const logger = createLogger('warn');
  const server = await startDatabaseServer({ databaseUrl: undefined, dataDir, embeddedPgPort: 0 }, { logger });
  let registry: Registry | undefined;
  try {
    await ensureDatabase(server.adminConnectionString, DB);
    registry = await loadRegistry(server.connectionString(DB), 4);
    console.log(`bench/automation: PostgreSQL in ${dataDir}; Node ${process.version}; ${CONTACTS.toLocaleString('en')} contacts per create`);
    const rows: Record<string, unknown>[] = [];
    // Warm-up (JIT, caches): one unmeasured create without rules.
    await registry.transaction({ uid: 2 }, (env) => callKw(env, 'mailing.contact', 'create', [Array.from({ length: 1000 }, (_, i) => ({ name: `Warm-up ${i}`, mobile: `+3248${String(i).padStart(7, '0')}` }))], {}));
    let batch = 0;
    for (const n of RULES) {
      await setRules(registry, n);
      batch += 1;
      const vals = Array.from({ length: CONTACTS }, (_, i) => ({ name: `Contact ${batch}-${i}`, mobile: `+3247${String(batch * 1_000_000 + i).slice(-7)}` }));
      const smsBefore = Number((await registry.pool.query('SELECT count(*) AS n FROM sms_sms')).rows[0].n);
      let queries = 0;
      const t0 = performance.now();
      await registry.transaction({ uid: 2 }, async (env) => {
        await callKw(env, 'mailing.contact', 'create', [vals], {});
        queries = env.cr.queryCount;
      });
      const ms = performance.now() - t0;
      const sms = Number((await registry.pool.query('SELECT count(*) AS n FROM sms_sms')).rows[0].n) - smsBefore;
      rows.push({ 'on_create SMS rules': n, contacts: CONTACTS, seconds: Math.round(ms / 10) / 100, 'contacts/s': Math.round(CONTACTS / (ms / 1000)), queries, 'sms.sms created': sms });
    }
    console.table(rows);
  } finally {
    await registry?.close();
    await server.stop();
    if (!process.env.BENCH_KEEP) await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
