import { startDatabaseServer, ensureDatabase } from '/work/main/server/postgres.ts';
import { createLogger } from '/work/main/server/log.ts';
import { loadRegistry } from '/work/main/server/bootstrap.ts';
import { callKw } from '/work/main/models/orm/call_kw.ts';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-prof-'));
const server = await startDatabaseServer({ dataDir: dir, embeddedPgPort: 0 } as any, { logger: createLogger('warn'), postgresFlags: ['-c','fsync=off'], initdbNoSync: true });
await ensureDatabase(server.adminConnectionString, 'prof');
const reg = await loadRegistry(server.connectionString('prof'), 4);
await reg.sudo(async (env) => {
  await env.cr.execute(`INSERT INTO res_partner (name, complete_name, email, country_id, is_company, active, type, lang) SELECT 'F ' || g, 'F ' || g, 'f' || g || '@x.org', CASE WHEN g % 3 = 0 THEN 22 ELSE (g % 200) + 1 END, (g::bigint * 7919) % 10007 % 7 = 0, true, 'contact', 'en_US' FROM generate_series(1, 200000) g`);
  await env.cr.execute('ANALYZE res_partner');
});
for (let k = 0; k < 3; k++) {
  const log: [string, number][] = [];
  const t0 = performance.now();
  await reg.transaction({ uid: 2 }, async (env) => {
    const orig = env.cr.query.bind(env.cr);
    (env.cr as any).query = async (q: any, p: any) => { const s = performance.now(); const r = await orig(q, p); log.push([String(q).replace(/\s+/g, ' ').slice(0, 300), performance.now() - s]); return r; };
    await callKw(env, 'res.partner', 'search_read', [[['country_id', '=', 22], ['is_company', '=', false], ['email', '!=', false]]], { fields: ['name', 'email', 'phone', 'country_id', 'complete_name'], limit: 80 });
  });
  console.log('total', (performance.now() - t0).toFixed(2));
  if (k === 2) for (const [q, ms] of log) console.log(ms.toFixed(2).padStart(8), q);
}
await reg.sudo(async (env) => {
  const plan = await env.cr.query(`EXPLAIN ANALYZE SELECT "res_partner"."id" FROM "res_partner" "res_partner" WHERE ("res_partner"."country_id" = 22 AND ("res_partner"."is_company" IS NOT TRUE) AND ("res_partner"."email" IS NOT NULL AND NOT ("res_partner"."email" = '')) AND ("res_partner"."active" = TRUE)) ORDER BY "res_partner"."complete_name" ASC, "res_partner"."id" DESC LIMIT 80`);
  console.log(plan.map((r: any) => r['QUERY PLAN']).join('\n'));
});
await reg.close(); await server.stop(); await fs.rm(dir, { recursive: true, force: true });
