// Loader of the security data the loaded addons ship (each addon's `security`, as Odoo 19 ships
// it): group privileges, groups (with their external ids and implications), ACL rows
// (ir.model.access), the memberships of __system__ and admin, and admin's first password.
//
// The loader runs at every start and is idempotent:
//   - groups and privileges are created once (found again by external id in ir_model_data);
//     implications and the memberships of users 1 and 2 are set when a group is created, so
//     later edits by an administrator are kept; an addon may add implications to a group of
//     another addon by listing it again (merged before creation);
//   - ACL rows are created for the models the registry has, by model name; rows of models not
//     there yet (later addons) are created on the first start that has them; a shipped row an
//     administrator deleted comes back (as in Odoo when a module is reloaded); existing rows are
//     never modified;
//   - admin's password is set from the configured admin password (default `admin`) only while
//     admin has none.
// It also installs the ACL checker on the registry it runs with.

import type { Cursor, Env } from '../orm/env.ts';
import type { RecordSet } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';
import { hashPlaintextPasswords, setUserPassword } from './auth.ts';
import { installAccessChecker, invalidateSecurityCache } from './ir_model_access.ts';
import type { Addon, GroupData } from '../orm/addon.ts';

export const DEFAULT_ADMIN_PASSWORD = 'admin';

/** Every group of the loaded addons, merged by external id, each after the groups it implies. */
export function mergedGroups(addons: Addon[]): GroupData[] {
  const merged = new Map<string, GroupData>();
  for (const a of addons) {
    for (const g of a.security?.groups ?? []) {
      const prev = merged.get(g.xmlid);
      if (!prev) merged.set(g.xmlid, { ...g, implied: [...(g.implied ?? [])], users: [...(g.users ?? [])] });
      else {
        for (const x of g.implied ?? []) if (!prev.implied!.includes(x)) prev.implied!.push(x);
        for (const u of g.users ?? []) if (!prev.users!.includes(u)) prev.users!.push(u);
      }
    }
  }
  const out: GroupData[] = [];
  const seen = new Set<string>();
  const visit = (g: GroupData): void => {
    if (seen.has(g.xmlid)) return;
    seen.add(g.xmlid);
    for (const x of g.implied ?? []) {
      const dep = merged.get(x);
      if (dep) visit(dep);
    }
    out.push(g);
  };
  for (const g of merged.values()) visit(g);
  return out;
}

/** External ids of records made by models/base/data.ts. */
const BASE_RECORD_XMLIDS: [string, string, number][] = [
  ['base.main_partner', 'res.partner', 1],
  ['base.partner_root', 'res.partner', 2],
  ['base.partner_admin', 'res.partner', 3],
  ['base.user_root', 'res.users', 1],
  ['base.user_admin', 'res.users', 2],
  ['base.main_company', 'res.company', 1],
];

// ---------------------------------------------------------------- external ids

/** ir_model_data exists even when no model declares it yet (Odoo's columns). */
export async function ensureIrModelDataTable(cr: Cursor): Promise<void> {
  await cr.execute(`CREATE TABLE IF NOT EXISTS ir_model_data (
    id SERIAL NOT NULL PRIMARY KEY,
    name varchar NOT NULL,
    module varchar NOT NULL DEFAULT '',
    model varchar NOT NULL,
    res_id int4,
    noupdate bool DEFAULT false,
    create_uid int4, create_date timestamp, write_uid int4, write_date timestamp)`);
  await cr.execute('CREATE INDEX IF NOT EXISTS ir_model_data_module_name_security_idx ON ir_model_data (module, name)');
}

function splitXmlid(xmlid: string): [string, string] {
  const dot = xmlid.indexOf('.');
  return [xmlid.slice(0, dot), xmlid.slice(dot + 1)];
}

/** xmlid → res_id of the rows of `models`, only for records that still exist. */
async function existingXmlids(env: Env, model: string, table: string): Promise<Map<string, number>> {
  const rows = await env.cr.query<{ xmlid: string; res_id: number }>(`
    SELECT d.module || '.' || d.name AS xmlid, d.res_id FROM ir_model_data d JOIN "${table}" r ON r.id = d.res_id
    WHERE d.model = $1`, [model]);
  return new Map(rows.map((r) => [r.xmlid, r.res_id]));
}

/** Point `xmlid` at record `resId` of `model` (insert, or repair a dangling entry). */
async function setXmlid(env: Env, xmlid: string, model: string, resId: number, noupdate = false): Promise<void> {
  const [module, name] = splitXmlid(xmlid);
  const updated = await env.cr.execute(sql`UPDATE ir_model_data SET res_id = ${resId}, model = ${model}, write_date = now() at time zone 'utc'
    WHERE module = ${module} AND name = ${name}`);
  if (!updated) {
    await env.cr.execute(sql`INSERT INTO ir_model_data (module, name, model, res_id, noupdate, create_uid, write_uid, create_date, write_date)
      VALUES (${module}, ${name}, ${model}, ${resId}, ${noupdate}, 1, 1, now() at time zone 'utc', now() at time zone 'utc')`);
  }
}

// ---------------------------------------------------------------- loader

/** Set admin's (id 2) password when it has none; returns whether it did. Never overwrites. */
export async function ensureAdminPassword(env: Env, password: string): Promise<boolean> {
  const rows = await env.cr.query<{ password: string | null }>(sql`SELECT password FROM res_users WHERE id = 2`);
  if (!rows.length || rows[0].password) return false;
  await setUserPassword(env, [2], password || DEFAULT_ADMIN_PASSWORD);
  return true;
}


async function loadGroups(env: Env): Promise<Map<string, number>> {
  const privileges = await existingXmlids(env, 'res.groups.privilege', 'res_groups_privilege');
  for (const p of env.registry.addons.flatMap((a) => a.security?.privileges ?? [])) {
    if (privileges.has(p.xmlid)) continue;
    const rec = await env.model('res.groups.privilege').create({ name: p.name, sequence: p.sequence ?? 100 });
    await setXmlid(env, p.xmlid, 'res.groups.privilege', rec.ids[0]);
    privileges.set(p.xmlid, rec.ids[0]);
  }
  const groups = await existingXmlids(env, 'res.groups', 'res_groups');
  for (const g of mergedGroups(env.registry.addons)) {
    if (groups.has(g.xmlid)) continue;
    const implied = (g.implied ?? []).map((x) => groups.get(x)).filter((id): id is number => !!id);
    const rec: RecordSet = await env.model('res.groups').create({
      name: g.name,
      comment: g.comment ?? false,
      sequence: g.sequence ?? 0,
      privilege_id: g.privilege ? privileges.get(g.privilege) ?? false : false,
      implied_ids: [[6, 0, implied]],
    });
    const id = rec.ids[0];
    await setXmlid(env, g.xmlid, 'res.groups', id);
    groups.set(g.xmlid, id);
    const users = (await env.cr.query<{ id: number }>(sql`SELECT id FROM res_users WHERE id = ANY(${g.users ?? []}::int4[])`)).map((r) => r.id);
    if (users.length) {
      await env.cr.execute(sql`INSERT INTO res_groups_users_rel (gid, uid) SELECT ${id}::int4, unnest(${users}::int4[]) ON CONFLICT DO NOTHING`);
    }
  }
  return groups;
}

async function loadAccessRights(env: Env, groups: Map<string, number>): Promise<void> {
  const ACCESS = env.registry.addons.flatMap((a) => a.security?.access ?? []);
  const existing = await existingXmlids(env, 'ir.model.access', 'ir_model_access');
  const models = new Map(
    (await env.cr.query<{ id: number; model: string }>(sql`SELECT id, model FROM ir_model WHERE model = ANY(${[...new Set(ACCESS.map((a) => a[2]))]}::varchar[])`))
      .map((r) => [r.model, r.id]),
  );
  const todo = ACCESS.filter(([xmlid, , model, group]) => !existing.has(xmlid) && models.has(model) && env.registry.has(model) && (group === null || groups.has(group)));
  if (!todo.length) return;
  const created = await env.model('ir.model.access').create(todo.map(([, name, model, group, perms]) => ({
    name,
    model_id: models.get(model),
    group_id: group ? groups.get(group) : false,
    perm_read: perms.includes('r'),
    perm_write: perms.includes('w'),
    perm_create: perms.includes('c'),
    perm_unlink: perms.includes('d'),
  })));
  for (let i = 0; i < todo.length; i++) await setXmlid(env, todo[i][0], 'ir.model.access', created.ids[i]);
}

/** The data loader (runs as superuser after the schema and base data). */
export async function loadSecurityData(env: Env): Promise<void> {
  for (const [xmlid, model, id] of BASE_RECORD_XMLIDS) {
    const [module, name] = splitXmlid(xmlid);
    const found = await env.cr.query(sql`SELECT 1 FROM ir_model_data WHERE module = ${module} AND name = ${name}`);
    const exists = await env.cr.query(`SELECT 1 FROM "${model.replace(/\./g, '_')}" WHERE id = $1`, [id]);
    if (!found.length && exists.length) await setXmlid(env, xmlid, model, id, true);
  }
  const groups = await loadGroups(env);
  await loadAccessRights(env, groups);
  // Internal users are not "share" users (stored field, kept right for rows made by SQL).
  const groupUser = groups.get('base.group_user');
  if (groupUser) {
    await env.cr.execute(sql`
      WITH RECURSIVE g(uid, id) AS (
        SELECT uid, gid FROM res_groups_users_rel
        UNION SELECT g.uid, r.hid FROM res_groups_implied_rel r JOIN g ON r.gid = g.id)
      UPDATE res_users u SET share = NOT EXISTS (SELECT 1 FROM g WHERE g.uid = u.id AND g.id = ${groupUser})
      WHERE u.share IS DISTINCT FROM NOT EXISTS (SELECT 1 FROM g WHERE g.uid = u.id AND g.id = ${groupUser})`);
  }
  await ensureAdminPassword(env, env.registry.config.adminPassword);
  await hashPlaintextPasswords(env);
  invalidateSecurityCache(env);
  installAccessChecker(env.registry);
}
