// UTM data of Odoo's utm and mass_mailing_sms addons: the default campaign stage, the media and
// sources shipped with Odoo (created once by name; never overwritten).

import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';

const STAGES: [string, number][] = [['New', 10]];
const MEDIUMS = ['Website', 'Phone', 'Direct', 'Email', 'Social Media', 'Messaging', 'SMS'];
const SOURCES = ['Search engine', 'Lead Recall', 'Newsletter', 'Facebook', 'X', 'LinkedIn', 'Monster', 'Glassdoor', 'Craigslist'];

export async function loadUtmData(env: Env): Promise<void> {
  const stageCount = await env.cr.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM utm_stage`);
  if (!stageCount[0].n) {
    await env.cr.execute(sql`INSERT INTO utm_stage (name, sequence, create_uid, write_uid, create_date, write_date)
      SELECT n, s, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM unnest(${STAGES.map((s) => s[0])}::varchar[], ${STAGES.map((s) => s[1])}::int4[]) AS v(n, s)`);
  }
  // Names are unique: existing (possibly archived or renamed-back) records are kept as they are.
  await env.cr.execute(sql`INSERT INTO utm_medium (name, active, create_uid, write_uid, create_date, write_date)
    SELECT n, TRUE, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' FROM unnest(${MEDIUMS}::varchar[]) AS v(n)
    ON CONFLICT (name) DO NOTHING`);
  await env.cr.execute(sql`INSERT INTO utm_source (name, create_uid, write_uid, create_date, write_date)
    SELECT n, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' FROM unnest(${SOURCES}::varchar[]) AS v(n)
    ON CONFLICT (name) DO NOTHING`);
}
