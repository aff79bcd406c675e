// What tells every server instance that its in-memory credential checks (auth.ts) or access
// rights (ir_model_access.ts) went stale: a NOTIFY on one channel, with the kind of change as
// payload, sent by database triggers.
//
// Triggers rather than NOTIFYs from the ORM's write paths: they also catch changes made by SQL,
// CSV imports and other tools, and a NOTIFY is delivered only when its transaction commits.

import type { Cursor } from '../orm/env.ts';

export const SECURITY_CHANNEL = 'base_security';
export type SecurityChange = 'credentials' | 'access';

/** Tables whose change by this process's own transactions invalidates each cache at commit. */
export const CREDENTIAL_TABLES = ['res_users', 'res_users_apikeys'];
export const ACCESS_TABLES = ['res_users', 'res_groups_users_rel', 'res_groups_implied_rel', 'ir_model_access', 'ir_model', 'ir_model_data'];

// [table, trigger suffix, events, level, condition, payload]
const TRIGGERS: [string, string, string, 'ROW' | 'STATEMENT', string, SecurityChange][] = [
  ['res_users', 'credentials', 'AFTER UPDATE OF password, active OR DELETE', 'STATEMENT', '', 'credentials'],
  ['res_users_apikeys', 'credentials', 'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE', 'STATEMENT', '', 'credentials'],
  ['res_users', 'access', 'AFTER UPDATE OF active OR DELETE', 'STATEMENT', '', 'access'],
  ['res_groups_users_rel', 'access', 'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE', 'STATEMENT', '', 'access'],
  ['res_groups_implied_rel', 'access', 'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE', 'STATEMENT', '', 'access'],
  ['ir_model_access', 'access', 'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE', 'STATEMENT', '', 'access'],
  ['ir_model', 'access', 'AFTER UPDATE OF model OR DELETE', 'STATEMENT', '', 'access'],
  // External ids of groups (fields' `groups=`); the rows of other models (imports) never notify.
  ['ir_model_data', 'access_ins', 'AFTER INSERT OR UPDATE', 'ROW', "WHEN (NEW.model = 'res.groups')", 'access'],
  ['ir_model_data', 'access_del', 'AFTER DELETE', 'ROW', "WHEN (OLD.model = 'res.groups')", 'access'],
];

/** Idempotent DDL of the triggers (base's schema extras, run at every start). */
export async function installSecurityTriggers(cr: Cursor): Promise<void> {
  await cr.execute(`CREATE OR REPLACE FUNCTION base_security_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('${SECURITY_CHANNEL}', TG_ARGV[0]); RETURN NULL; END $$`);
  for (const [table, suffix, events, level, condition, payload] of TRIGGERS) {
    const name = `${table}_security_${suffix}`;
    // DROP + CREATE rather than CREATE OR REPLACE TRIGGER: PostgreSQL 13 is supported.
    await cr.execute(`DROP TRIGGER IF EXISTS ${name} ON ${table}`);
    await cr.execute(`CREATE TRIGGER ${name} ${events} ON ${table} FOR EACH ${level} ${condition} EXECUTE FUNCTION base_security_notify('${payload}')`);
  }
}
