// Base data: countries, the superuser and admin users, ir.model reflection, base URL.

import { readFile } from 'node:fs/promises';
import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';
import { reflectModels } from './ir_model.ts';
import { getParam, setParam } from './ir_config_parameter.ts';

const COUNTRIES_FILE = new URL('../../data/res_country.json', import.meta.url);

export async function loadBaseData(env: Env): Promise<void> {
  await createSystemUsers(env);
  await reflectModels(env);
  const countries = JSON.parse(await readFile(COUNTRIES_FILE, 'utf8')) as { code: string; name: string; phone_code: number }[];
  // One statement for ~245 rows; existing countries keep any edits except their phone code.
  await env.cr.execute(sql`
    INSERT INTO res_country (code, name, phone_code, create_uid, write_uid, create_date, write_date)
    SELECT c, n, p, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM unnest(${countries.map((c) => c.code)}::varchar[], ${countries.map((c) => c.name)}::varchar[], ${countries.map((c) => c.phone_code)}::int4[]) AS v(c, n, p)
    ON CONFLICT (code) DO NOTHING`);
  if (!(await getParam(env, 'web.base.url'))) await setParam(env, 'web.base.url', `http://localhost:${env.registry.config.port}`);
  if (!(await getParam(env, 'database.uuid'))) await setParam(env, 'database.uuid', crypto.randomUUID());
  // Key of the CSRF tokens of public forms (rpc/csrf.ts), as Odoo's.
  if (!(await getParam(env, 'database.secret'))) await setParam(env, 'database.secret', crypto.randomUUID());
}

/** Users 1 (__system__, inactive) and 2 (admin) as in Odoo; created once. */
async function createSystemUsers(env: Env): Promise<void> {
  const users = await env.cr.query<{ id: number }>(sql`SELECT id FROM res_users WHERE id IN (1, 2)`);
  if (users.length === 0) {
    await env.cr.execute(sql`INSERT INTO res_partner (id, name, complete_name, active, is_company, type, lang, tz, create_date, write_date)
      VALUES (1, 'My Company', 'My Company', TRUE, TRUE, 'contact', 'en_US', NULL, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'),
             (2, 'OdooBot', 'OdooBot', FALSE, FALSE, 'contact', 'en_US', 'UTC', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'),
             (3, 'Administrator', 'Administrator', TRUE, FALSE, 'contact', 'en_US', 'Europe/Brussels', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')`);
    await env.cr.execute(`SELECT setval('res_partner_id_seq', GREATEST((SELECT max(id) FROM res_partner), 3))`);
    await env.cr.execute(sql`INSERT INTO res_users (id, login, partner_id, active, share, create_date, write_date)
      VALUES (1, '__system__', 2, FALSE, FALSE, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'),
             (2, 'admin', 3, TRUE, FALSE, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')`);
    await env.cr.execute(`SELECT setval('res_users_id_seq', GREATEST((SELECT max(id) FROM res_users), 2))`);
  }
}
