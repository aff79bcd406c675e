import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startDatabaseServer, ensureDatabase } from '/work/main/server/postgres.ts';
import { createLogger } from '/work/main/server/log.ts';
const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-micro-'));
const server = await startDatabaseServer({ databaseUrl: undefined, dataDir, embeddedPgPort: 0 } as any, { logger: createLogger('warn') });
await ensureDatabase(server.adminConnectionString, 'm');
const c = new pg.Client({ connectionString: server.connectionString('m') });
await c.connect();
const time = async (label: string, q: string) => { const t0 = performance.now(); const r = await c.query(q); console.log(label, (performance.now() - t0).toFixed(0), 'ms', JSON.stringify(r.rows).slice(0, 150)); };
await c.query(`CREATE TABLE tr (id serial primary key, mass_mailing_id int, res_id int, trace_status varchar, sent_datetime timestamp, links_click_datetime timestamp, sms_number varchar, sms_code varchar, model varchar, failure_type varchar, create_date timestamp, write_date timestamp, create_uid int, write_uid int, trace_type varchar, sms_id_int int)`);
await c.query('CREATE INDEX ON tr (mass_mailing_id)');
await c.query(`INSERT INTO tr (mass_mailing_id, res_id, trace_status, sent_datetime, sms_number, sms_code, model, create_date, write_date, create_uid, write_uid, trace_type, sms_id_int) SELECT 1, i, CASE WHEN i % 25 = 0 THEN 'cancel' WHEN i % 3 = 0 THEN 'sent' ELSE 'outgoing' END, CASE WHEN i % 3 = 0 THEN now() END, '+32470' || i, 'abc', 'mailing.contact', now(), now(), 1, 1, 'sms', i FROM generate_series(1, 1000000) i`);
const q1 = `SELECT t.mass_mailing_id AS id, count(*)::int AS expected, count(t.sent_datetime)::int AS sent,
 count(*) FILTER (WHERE t.trace_status = 'outgoing')::int AS scheduled, count(*) FILTER (WHERE t.trace_status = 'cancel')::int AS canceled,
 count(*) FILTER (WHERE t.trace_status = 'pending')::int AS pending, count(*) FILTER (WHERE t.trace_status IN ('sent', 'open', 'reply'))::int AS delivered,
 count(*) FILTER (WHERE t.trace_status IN ('open', 'reply'))::int AS opened, count(t.links_click_datetime)::int AS clicked,
 count(*) FILTER (WHERE t.trace_status = 'reply')::int AS replied, count(*) FILTER (WHERE t.trace_status = 'bounce')::int AS bounced,
 count(*) FILTER (WHERE t.trace_status = 'error')::int AS failed, count(*) FILTER (WHERE t.trace_status NOT IN ('bounce', 'cancel', 'error'))::int AS clickable,
 count(*) FILTER (WHERE t.trace_status NOT IN ('bounce', 'cancel', 'error') AND t.links_click_datetime IS NOT NULL)::int AS clicked_traces
 FROM tr t WHERE t.mass_mailing_id = ANY('{1}'::int4[]) GROUP BY t.mass_mailing_id`;
const q2 = `SELECT mass_mailing_id, trace_status, sent_datetime IS NOT NULL AS s, links_click_datetime IS NOT NULL AS c, count(*) FROM tr WHERE mass_mailing_id = ANY('{1}'::int4[]) GROUP BY 1, 2, 3, 4`;
for (let i = 0; i < 2; i++) { await time('filters', q1); await time('groups', q2); }
await c.query('CREATE INDEX tr_cov ON tr (mass_mailing_id, trace_status) INCLUDE (sent_datetime, links_click_datetime)');
await c.query('VACUUM ANALYZE tr');
for (let i = 0; i < 2; i++) { await time('filters vac+cov', q1); await time('groups vac+cov', q2); }
console.log((await c.query('EXPLAIN ANALYZE ' + q2)).rows.map((r: any) => r['QUERY PLAN']).join('\n'));
await c.end();
await server.stop();
await fs.rm(dataDir, { recursive: true, force: true });
