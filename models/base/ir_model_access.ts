// ir.model.access: model-level access rights (Odoo's ACLs) and the checker the ORM calls for
// every non-superuser operation (`registry.accessChecker`, see RecordSet.checkAccess).
//
// A user may do `mode` on a model when an active ACL row of that model grants `perm_<mode>`
// either to no group (global row) or to one of the user's groups, implied groups included.
// A model without any granting row is refused to everyone but the superuser, like Odoo.
//
// Also home of the small group helpers the security layer shares (group closure of a user,
// external ids of groups), so that they have no import cycle with res.users / API keys.

import type { MethodSpec, ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import { SUPERUSER_ID } from '../orm/env.ts';
import type { Registry } from '../orm/registry.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { AccessError, PyAssertionError, PyValueError } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';
import { ACCESS_TABLES, SECURITY_CHANNEL } from './security_notify.ts';

export type AccessMode = 'read' | 'write' | 'create' | 'unlink';
const MODES: AccessMode[] = ['read', 'write', 'create', 'unlink'];

// Messages are Odoo 19's (odoo/addons/base/models/ir_model.py).
const ACCESS_ERROR_HEADER: Record<AccessMode, string> = {
  read: "You are not allowed to access '%(document_kind)s' (%(document_model)s) records.",
  write: "You are not allowed to modify '%(document_kind)s' (%(document_model)s) records.",
  create: "You are not allowed to create '%(document_kind)s' (%(document_model)s) records.",
  unlink: "You are not allowed to delete '%(document_kind)s' (%(document_model)s) records.",
};
const ACCESS_ERROR_GROUPS = 'This operation is allowed for the following groups:\n';
const ACCESS_ERROR_NOGROUP = 'No group currently allows this operation.';
const ACCESS_ERROR_RESOLUTION = 'Contact your administrator to request access if necessary.';

/** Prefix of every per-transaction cache entry of the security layer (see invalidateSecurityCache). */
const CACHE_PREFIX = 'security:';

/** create/write/unlink overrides for models whose rows change access rights (ACLs, groups). */
export const INVALIDATE_SECURITY_CACHE: Record<'create' | 'write' | 'unlink', MethodSpec> = {
  create: {
    api: 'model',
    params: ['vals_list'],
    async fn(self: RecordSet, valsList: Vals[]) {
      const res = await this.super(valsList);
      invalidateSecurityCache(self.env);
      return res;
    },
  },
  write: {
    api: 'record',
    params: ['vals'],
    async fn(self: RecordSet, vals: Vals) {
      const res = await this.super(vals);
      invalidateSecurityCache(self.env);
      return res;
    },
  },
  unlink: {
    api: 'record',
    params: [],
    async fn(self: RecordSet) {
      const res = await this.super();
      invalidateSecurityCache(self.env);
      return res;
    },
  },
};

export const IrModelAccess: ModelSpec = {
  _name: 'ir.model.access',
  _description: 'Model Access',
  _order: 'model_id, group_id, name, id',
  fields: {
    name: { type: 'char', string: 'Name', required: true, index: true },
    active: {
      type: 'boolean', string: 'Active', default: true,
      help: 'If you uncheck the active field, it will disable the ACL without deleting it (if you delete a native ACL, it will be re-created when you reload the module).',
    },
    model_id: { type: 'many2one', comodel: 'ir.model', string: 'Model', required: true, index: true, ondelete: 'cascade' },
    group_id: { type: 'many2one', comodel: 'res.groups', string: 'Group', ondelete: 'restrict', index: true },
    perm_read: { type: 'boolean', string: 'Read Access' },
    perm_write: { type: 'boolean', string: 'Write Access' },
    perm_create: { type: 'boolean', string: 'Create Access' },
    perm_unlink: { type: 'boolean', string: 'Delete Access' },
  },
  methods: {
    /** Names ("Privilege/Group" or "Group") of the groups granted `access_mode` on `model_name`. */
    group_names_with_access: {
      api: 'model',
      params: ['model_name', 'access_mode'],
      readonly: true,
      fn: async (self: RecordSet, modelName: unknown, accessMode: unknown) => {
        if (!MODES.includes(accessMode as AccessMode)) throw new PyValueError('Invalid access mode');
        return groupNamesWithAccess(self.env, String(modelName), accessMode as AccessMode);
      },
    },
    /** Odoo's `check(model, mode='read', raise_exception=True)`. */
    check: {
      api: 'model',
      params: ['model', ['mode', 'read'], ['raise_exception', true]],
      readonly: true,
      fn: async (self: RecordSet, model: unknown, mode: unknown, raiseException: unknown) => {
        if (typeof model !== 'string') throw new PyValueError(`Not a model name: ${String(model)}`);
        if (!MODES.includes(mode as AccessMode)) throw new PyValueError('Invalid access mode');
        if (self.env.su) return true;
        return checkModelAccess(self.env, model, mode as AccessMode, raiseException !== false);
      },
    },
    ...INVALIDATE_SECURITY_CACHE,
  },
};

// ---------------------------------------------------------------- per-transaction caches

/** Marks a transaction that changed access rights itself: it reads them from the database until it ends. */
const LOCAL_CHANGE = 'security-changed-here';

/** Forget what the security layer cached in this transaction (group membership, ACLs). */
export function invalidateSecurityCache(env: Env): void {
  for (const key of [...env.cache.keys()]) if (key.startsWith(CACHE_PREFIX)) env.cache.delete(key);
  env.cache.set(LOCAL_CHANGE, true);
}

async function cached<T>(env: Env, key: string, load: () => Promise<T>): Promise<T> {
  const k = CACHE_PREFIX + key;
  if (env.cache.has(k)) return env.cache.get(k) as T;
  const value = await load();
  env.cache.set(k, value);
  return value;
}

// Per server instance: users' groups and allowed models, kept across calls (the recursive query
// over groups and ACL rows was most of a small call's cost). Trusted only while the registry's
// LISTEN connection is (models/orm/notify.ts); emptied when any instance (or SQL) changes
// memberships, implied groups, ACL rows, models or users' active flag (security_notify.ts). A
// value read in a snapshot older than the last change is never stored.
class AccessCache {
  readonly values = new Map<string, unknown>();
  /** Notifier.sequence of the last notified change. */
  invalidatedAt = 0;
  constructor(readonly registry: Registry) {
    registry.notifier.subscribe(SECURITY_CHANNEL, {
      tables: ACCESS_TABLES,
      invalidate: (payload) => {
        if (payload !== null && payload !== 'access') return;
        this.invalidatedAt = registry.notifier.sequence;
        this.values.clear();
      },
    });
  }
}
const accessCaches = new WeakMap<Registry, AccessCache>();
const MAX_ACCESS_ENTRIES = 10_000;

/** `cached`, also across calls of this server instance (see AccessCache). */
async function cachedAcrossCalls<T>(env: Env, key: string, load: () => Promise<T>): Promise<T> {
  return cached(env, key, async () => {
    if (env.cache.has(LOCAL_CHANGE)) return load();
    let shared = accessCaches.get(env.registry);
    if (!shared) accessCaches.set(env.registry, (shared = new AccessCache(env.registry)));
    const trusted = env.registry.notifier.trusted();
    if (trusted && shared.values.has(key)) return shared.values.get(key) as T;
    const value = await load();
    const readAt = env.cr.snapshotSequence;
    if (trusted && readAt !== undefined && readAt >= shared.invalidatedAt && !env.cache.has(LOCAL_CHANGE)) {
      if (shared.values.size >= MAX_ACCESS_ENTRIES) shared.values.clear();
      shared.values.set(key, value);
    }
    return value;
  });
}

// ---------------------------------------------------------------- groups

export interface UserGroups {
  /** Every group of the user, implied ones included. */
  ids: Set<number>;
  /** External ids ("base.group_user") of those groups. */
  xmlids: Set<string>;
}

/** Groups of `uid` (explicit and implied, transitively), cached for the transaction. */
export function userGroups(env: Env, uid: number = env.uid): Promise<UserGroups> {
  return cachedAcrossCalls(env, `groups:${uid}`, async () => {
    const rows = await env.cr.query<{ id: number; xmlid: string | null }>(sql`
      WITH RECURSIVE g(id) AS (
        SELECT gid FROM res_groups_users_rel WHERE uid = ${uid}
        UNION
        SELECT r.hid FROM res_groups_implied_rel r JOIN g ON r.gid = g.id
      )
      SELECT g.id, d.module || '.' || d.name AS xmlid
      FROM g LEFT JOIN ir_model_data d ON d.model = 'res.groups' AND d.res_id = g.id`);
    const ids = new Set<number>();
    const xmlids = new Set<string>();
    for (const r of rows) {
      ids.add(r.id);
      if (r.xmlid) xmlids.add(r.xmlid);
    }
    return { ids, xmlids };
  });
}

/** Group closure of several users at once: uid → group ids (implied included). */
export async function groupIdsByUser(env: Env, uids: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(uids.map((u) => [u, []]));
  if (!uids.length) return out;
  const rows = await env.cr.query<{ uid: number; id: number }>(sql`
    WITH RECURSIVE g(uid, id) AS (
      SELECT uid, gid FROM res_groups_users_rel WHERE uid = ANY(${uids}::int4[])
      UNION
      SELECT g.uid, r.hid FROM res_groups_implied_rel r JOIN g ON r.gid = g.id
    )
    SELECT uid, id FROM g ORDER BY uid, id`);
  for (const r of rows) out.get(r.uid)?.push(r.id);
  return out;
}

/** Whether `uid` belongs to the group with external id `xmlid` (implied groups count). */
export async function userHasGroup(env: Env, xmlid: string, uid: number = env.uid): Promise<boolean> {
  return (await userGroups(env, uid)).xmlids.has(xmlid);
}

/** Odoo's `env.is_system()`: superuser mode or member of base.group_system. */
export async function isSystem(env: Env): Promise<boolean> {
  if (env.su || env.uid === SUPERUSER_ID) return true;
  return userHasGroup(env, 'base.group_system');
}

/** Record id of an external id of the given model ("base.group_user"), or false. */
export async function xmlidToResId(env: Env, xmlid: string, model?: string): Promise<number | false> {
  return cached(env, `xmlid:${xmlid}`, async () => {
    const dot = xmlid.indexOf('.');
    if (dot <= 0) throw new PyValueError(`External ID not found in the system: ${xmlid}`);
    const rows = await env.cr.query<{ res_id: number | null; model: string }>(
      sql`SELECT res_id, model FROM ir_model_data WHERE module = ${xmlid.slice(0, dot)} AND name = ${xmlid.slice(dot + 1)}`,
    );
    const row = rows[0];
    if (!row || !row.res_id || (model && row.model !== model)) return false;
    return row.res_id;
  });
}

// ---------------------------------------------------------------- the checker

type Allowed = Map<string, Set<AccessMode>>;

/** Models and modes allowed to `uid`: one query per user, then from memory (see AccessCache). */
function allowedModels(env: Env, uid: number): Promise<Allowed> {
  return cachedAcrossCalls(env, `acl:${uid}`, async () => {
    const rows = await env.cr.query<{ model: string; r: boolean; w: boolean; c: boolean; u: boolean }>(sql`
      WITH RECURSIVE g(id) AS (
        SELECT gid FROM res_groups_users_rel WHERE uid = ${uid}
        UNION
        SELECT r.hid FROM res_groups_implied_rel r JOIN g ON r.gid = g.id
      )
      SELECT m.model, bool_or(a.perm_read) AS r, bool_or(a.perm_write) AS w,
             bool_or(a.perm_create) AS c, bool_or(a.perm_unlink) AS u
      FROM ir_model_access a JOIN ir_model m ON m.id = a.model_id
      WHERE a.active AND (a.group_id IS NULL OR a.group_id IN (SELECT id FROM g))
      GROUP BY m.model`);
    const out: Allowed = new Map();
    for (const r of rows) {
      const modes = new Set<AccessMode>();
      if (r.r) modes.add('read');
      if (r.w) modes.add('write');
      if (r.c) modes.add('create');
      if (r.u) modes.add('unlink');
      out.set(r.model, modes);
    }
    return out;
  });
}

/**
 * Odoo's `ir.model.access.check`: whether the env's user may do `mode` on `model`. Superuser
 * (uid 1 or sudo) may do anything. With `raise` a refusal throws Odoo's AccessError.
 */
export async function checkModelAccess(env: Env, model: string, mode: AccessMode, raise = true): Promise<boolean> {
  if (env.su || env.uid === SUPERUSER_ID) return true;
  // `assert mode in (...), 'Invalid access mode'` in Odoo's _get_allowed_models
  if (!MODES.includes(mode)) throw new PyAssertionError('Invalid access mode');
  const allowed = (await allowedModels(env, env.uid)).get(model)?.has(mode) ?? false;
  if (!allowed && raise) throw await makeAccessError(env, model, mode);
  return allowed;
}

/** The AccessError Odoo 19 raises when ACLs refuse `mode` on `model`. */
export async function makeAccessError(env: Env, model: string, mode: AccessMode): Promise<AccessError> {
  const description = env.registry.has(model) ? env.registry.get(model).description : model;
  const header = ACCESS_ERROR_HEADER[mode].replace('%(document_kind)s', description || model).replace('%(document_model)s', model);
  const groups = (await groupNamesWithAccess(env, model, mode)).map((g) => `\t- ${g}`).join('\n');
  const groupInfo = groups ? ACCESS_ERROR_GROUPS + groups : ACCESS_ERROR_NOGROUP;
  return new AccessError(`${header}\n\n${groupInfo}\n\n${ACCESS_ERROR_RESOLUTION}`);
}

/** Odoo's `group_names_with_access`: "Privilege/Group" (or "Group"), ordered by privilege then group. */
export async function groupNamesWithAccess(env: Env, model: string, mode: AccessMode): Promise<string[]> {
  const column = { read: 'perm_read', write: 'perm_write', create: 'perm_create', unlink: 'perm_unlink' }[mode];
  const rows = await env.cr.query<{ p: string | null; g: string }>(`
    SELECT p.name AS p, g.name AS g
      FROM ir_model_access a
      JOIN ir_model m ON a.model_id = m.id
      JOIN res_groups g ON a.group_id = g.id
 LEFT JOIN res_groups_privilege p ON p.id = g.privilege_id
     WHERE m.model = $1 AND a.active = TRUE AND a.${column} = TRUE
  ORDER BY p.name NULLS LAST, g.name`, [model]);
  return rows.map((r) => (r.p ? `${r.p}/${r.g}` : r.g));
}

/**
 * Install the ACL checker on a registry: from then on every ORM operation of a non-superuser
 * environment is checked against ir.model.access (RecordSet.checkAccess, has_access,
 * check_access_rights). Idempotent. The security data loader calls it on the registry it runs
 * with; code building a registry without running the loaders (createRegistry) calls it itself.
 */
export function installAccessChecker(registry: Registry): void {
  registry.accessChecker = (env, model, operation, raise) => checkModelAccess(env, model, operation, raise);
  registry.groupChecker = async (env, xmlids) => {
    const mine = (await userGroups(env, env.uid)).xmlids;
    return xmlids.some((x) => mine.has(x));
  };
}
