// List membership written through the many2many fields `mailing.list.contact_ids` and
// `mailing.contact.list_ids`, whose relation table is the `mailing_subscription` model table.
//
// The ORM applies a SET command ([6, 0, ids] or a bare id list) by deleting every row of the
// record and inserting the new ones, which would drop the opt-out state of the subscriptions that
// are kept. Odoo only removes the links that go and adds the missing ones: done here, set-based
// for all written records at once. Other commands go to the ORM unchanged.

import type { RecordSet } from '../orm/records.ts';
import { sql, ident } from '../orm/sql.ts';

function isSetCommand(c: unknown): c is [6, unknown, unknown[]] {
  return Array.isArray(c) && c[0] === 6;
}

/** Whether writing `value` to the field needs writeMembership (it holds a SET command). */
export function needsMembershipWrite(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  if (value.length && value.every((v) => typeof v === 'number')) return true;
  return value.some(isSetCommand);
}

/** Apply x2many commands to a many2many through mailing_subscription, SET as a difference. */
export async function writeMembership(records: RecordSet, fname: string, value: unknown): Promise<void> {
  const field = records.field(fname);
  const { table, col1, col2 } = field.m2mRelation;
  const commands = (value as unknown[]).every((v) => typeof v === 'number') ? [[6, 0, value]] : (value as unknown[]);
  const ids = [...new Set(records.ids)];
  for (const c of commands) {
    if (!isSetCommand(c)) {
      await records.applyX2many(field, [c], false);
      continue;
    }
    const targets = [...new Set(((c[2] ?? []) as unknown[]).map(Number))];
    await records.env.cr.execute(sql`DELETE FROM ${ident(table)} WHERE ${ident(col1)} = ANY(${ids}::int4[]) AND NOT (${ident(col2)} = ANY(${targets}::int4[]))`);
    if (targets.length) {
      await records.env.cr.execute(sql`INSERT INTO ${ident(table)} (${ident(col1)}, ${ident(col2)})
        SELECT r, t FROM unnest(${ids}::int4[]) AS r CROSS JOIN unnest(${targets}::int4[]) AS t ON CONFLICT DO NOTHING`);
    }
    await records.triggerDependents(new Set([fname]), { skipSelf: false });
  }
}
