// UTM data of Odoo's utm and mass_mailing_sms addons: the default campaign stage, the media and
// sources shipped with Odoo, with their external ids (created once; user edits are kept).

import type { Env } from '../orm/env.ts';
import { sql, ident } from '../orm/sql.ts';
import { updateXmlids } from '../base/ir_model_data.ts';

const STAGES: [string, string, number][] = [['utm.default_utm_stage', 'New', 10]];
const MEDIUMS: [string, string][] = [
  ['utm.utm_medium_website', 'Website'],
  ['utm.utm_medium_phone', 'Phone'],
  ['utm.utm_medium_direct', 'Direct'],
  ['utm.utm_medium_email', 'Email'],
  ['utm.utm_medium_social_media', 'Social Media'],
  ['utm.utm_medium_messaging', 'Messaging'],
  ['mass_mailing_sms.utm_medium_sms', 'SMS'],
];
const SOURCES: [string, string][] = [
  ['utm.utm_source_search_engine', 'Search engine'],
  ['utm.utm_source_mailing', 'Lead Recall'],
  ['utm.utm_source_newsletter', 'Newsletter'],
  ['utm.utm_source_facebook', 'Facebook'],
  ['utm.utm_source_twitter', 'X'],
  ['utm.utm_source_linkedin', 'LinkedIn'],
  ['utm.utm_source_monster', 'Monster'],
  ['utm.utm_source_glassdoor', 'Glassdoor'],
  ['utm.utm_source_craigslist', 'Craigslist'],
];

/** Records of `table` by name, created when missing (names are unique), then given their xml ids. */
async function ensureNamed(env: Env, model: string, table: string, rows: [string, string][]): Promise<void> {
  const known = await env.cr.query<{ name: string }>(sql`SELECT name FROM ir_model_data WHERE model = ${model} AND module || '.' || name = ANY(${rows.map((r) => r[0])}::varchar[])`);
  const done = new Set(known.map((k) => k.name));
  const todo = rows.filter(([xmlid]) => !done.has(xmlid.slice(xmlid.indexOf('.') + 1)));
  if (!todo.length) return;
  const names = todo.map((r) => r[1]);
  const active = env.registry.get(model).fields.has('active');
  await env.cr.execute(active
    ? sql`INSERT INTO ${ident(table)} (name, active, create_uid, write_uid, create_date, write_date)
        SELECT n, TRUE, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' FROM unnest(${names}::varchar[]) AS v(n)
        ON CONFLICT (name) DO NOTHING`
    : sql`INSERT INTO ${ident(table)} (name, create_uid, write_uid, create_date, write_date)
        SELECT n, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' FROM unnest(${names}::varchar[]) AS v(n)
        ON CONFLICT (name) DO NOTHING`);
  const ids = await env.cr.query<{ id: number; name: string }>(sql`SELECT id, name FROM ${ident(table)} WHERE name = ANY(${names}::varchar[])`);
  const byName = new Map(ids.map((r) => [r.name, r.id]));
  await updateXmlids(env, todo.filter(([, n]) => byName.has(n)).map(([xmlid, n]) => ({ xml_id: xmlid, model, res_id: byName.get(n)!, noupdate: true })));
}

export async function loadUtmData(env: Env): Promise<void> {
  const stage = await env.cr.query(sql`SELECT 1 FROM ir_model_data WHERE module = 'utm' AND name = 'default_utm_stage'`);
  if (!stage.length) {
    const existing = await env.cr.query<{ id: number }>(sql`SELECT id FROM utm_stage ORDER BY sequence, id LIMIT 1`);
    const id = existing[0]?.id ?? (await env.cr.query<{ id: number }>(sql`INSERT INTO utm_stage (name, sequence, create_uid, write_uid, create_date, write_date)
      VALUES (${STAGES[0][1]}, ${STAGES[0][2]}, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC') RETURNING id`))[0].id;
    await updateXmlids(env, [{ xml_id: STAGES[0][0], model: 'utm.stage', res_id: id, noupdate: true }]);
  }
  await ensureNamed(env, 'utm.medium', 'utm_medium', MEDIUMS);
  await ensureNamed(env, 'utm.source', 'utm_source', SOURCES);
}
