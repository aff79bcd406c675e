import { startDatabaseServer, ensureDatabase } from '/work/main/server/postgres.ts';
import { createLogger } from '/work/main/server/log.ts';
import { loadRegistry } from '/work/main/server/bootstrap.ts';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-prof-'));
const server = await startDatabaseServer({ dataDir: dir, embeddedPgPort: 0 } as any, { logger: createLogger('warn'), postgresFlags: ['-c','fsync=off','-c','synchronous_commit=off','-c','full_page_writes=off'], initdbNoSync: true });
await ensureDatabase(server.adminConnectionString, 'prof');
const reg = await loadRegistry(server.connectionString('prof'), 4);
const N = 20000;
const ins = `INSERT INTO res_partner (id, name, email, phone, city, active, type, lang, is_company, create_uid, write_uid, create_date, write_date) SELECT i, 'x' || i, 'x' || i || '@x.org', '+32 470 ' || i, 'B', true, 'contact', 'en_US', false, 2, 2, now(), now() FROM unnest($1::int4[]) i`;
for (const drop of ['', 'res_partner_phone_partial_tgm', 'res_partner__name_index', 'ALLIDX', 'ALLFK']) {
  await reg.transaction({ uid: 2 }, async (env) => {
    const ids = (await env.cr.query<{id:number}>(`SELECT nextval('res_partner_id_seq')::int AS id FROM generate_series(1, ${N})`)).map(r => r.id);
    if (drop === 'ALLIDX') { for (const r of await env.cr.query(`SELECT indexname FROM pg_indexes WHERE tablename='res_partner' AND indexname <> 'res_partner_pkey'`)) await env.cr.execute(`DROP INDEX ${r.indexname}`); }
    else if (drop === 'ALLFK') { await env.cr.execute(`SET LOCAL session_replication_role = replica`); }
    else if (drop) await env.cr.execute(`DROP INDEX ${drop}`);
    const t = performance.now(); await env.cr.execute(ins, [ids]); console.log('without', drop || '(nothing)', (performance.now() - t).toFixed(0), 'ms');
    throw Object.assign(new Error('rollback'), { rollback: true });
  }).catch((e) => { if (!e.rollback) throw e; });
}
await reg.close(); await server.stop(); await fs.rm(dir, { recursive: true, force: true });
