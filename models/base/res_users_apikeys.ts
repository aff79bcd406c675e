// API keys (res.users.apikeys) as in Odoo 19: a key is 40 lowercase hex characters shown once;
// the table keeps its first 8 characters (`index`) and a pbkdf2-sha512 hash (`key`), columns
// that no field exposes. Keys are made through the `res.users.apikeys.description` wizard
// (create, then make_key) and revoked with `remove()`; a system user may remove anyone's key.
// The ORM only sees name, user_id, scope, create_date and expiration_date.

import type { ModelSpec } from '../orm/model.ts';
import type { Cursor, Env } from '../orm/env.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { AccessError, ValidationError } from '../orm/exceptions.ts';
import { ident, sql } from '../orm/sql.ts';
import { formatDatetime } from '../orm/fields.ts';
import { API_KEY_INDEX_SIZE, hashApiKey, invalidateCredentialCache, newApiKey } from './auth.ts';
import { isSystem, userGroups, userHasGroup } from './ir_model_access.ts';

export const API_KEY_DURATIONS: [string, string][] = [
  ['1', '1 Day'],
  ['7', '1 Week'],
  ['30', '1 Month'],
  ['90', '3 Months'],
  ['180', '6 Months'],
  ['365', '1 Year'],
  ['0', 'Persistent Key'],
  ['-1', 'Custom Date'],
];

/** Python's str() of a float ("1.0", "90.0", "0.5"). */
function pyFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

function toDate(value: unknown): Date | null {
  if (!value) return null;
  if (value instanceof Date) return value;
  const s = String(value);
  const d = new Date((s.length === 10 ? `${s}T00:00:00` : s.replace(' ', 'T')) + 'Z');
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Longest key lifetime the user may choose: max api_key_duration of their groups, else 1 day. */
async function maxKeyDuration(env: Env): Promise<number> {
  const { ids } = await userGroups(env);
  if (!ids.size) return 1.0;
  const rows = await env.cr.query<{ d: number | null }>(sql`SELECT max(api_key_duration) AS d FROM res_groups WHERE id = ANY(${[...ids]}::int4[])`);
  return Number(rows[0]?.d) || 1.0;
}

/**
 * Odoo's `_check_expiration_date`: system users (and sudo) may choose any date or none; others
 * must set one, within the longest api_key_duration of their groups (1 day if none).
 */
export async function checkKeyExpiration(env: Env, expiration: unknown): Promise<void> {
  if (await isSystem(env)) return;
  const date = toDate(expiration);
  if (!date) throw new ValidationError('The API key must have an expiration date');
  const max = await maxKeyDuration(env);
  if (date.getTime() > Date.now() + max * 86_400_000) throw new ValidationError(`You cannot exceed ${pyFloat(max)} days.`);
}

/**
 * Odoo's `_generate(scope, name, expiration_date)`: a new key for the env's user, returned in
 * clear (the only time it is). `scope` null means any scope.
 */
export async function generateApiKey(env: Env, scope: string | null, name: string, expiration: unknown): Promise<string> {
  return (await generateApiKeyRecord(env, scope, name, expiration)).key;
}

/** `generateApiKey`, also giving the id of the new res.users.apikeys row. */
export async function generateApiKeyRecord(env: Env, scope: string | null, name: string, expiration: unknown): Promise<{ id: number; key: string }> {
  await checkKeyExpiration(env, expiration);
  const date = toDate(expiration);
  const key = newApiKey();
  const [row] = await env.cr.query<{ id: number }>(sql`
    INSERT INTO res_users_apikeys (name, user_id, scope, expiration_date, key, index, create_date)
    VALUES (${name}, ${env.uid}, ${scope}, ${date ? formatDatetime(date) : null}::timestamp, ${await hashApiKey(key)}, ${key.slice(0, API_KEY_INDEX_SIZE)},
            now() at time zone 'utc')
    RETURNING id`);
  return { id: row.id, key };
}

export const ResUsersApikeys: ModelSpec = {
  _name: 'res.users.apikeys',
  _description: 'Users API Keys',
  _log_access: false,
  fields: {
    name: { type: 'char', string: 'Description', required: true, readonly: true },
    user_id: { type: 'many2one', comodel: 'res.users', string: 'User', index: true, required: true, readonly: true, ondelete: 'cascade' },
    scope: { type: 'char', string: 'Scope', readonly: true },
    create_date: { type: 'datetime', string: 'Creation Date', readonly: true },
    expiration_date: { type: 'datetime', string: 'Expiration Date', readonly: true },
  },
  // Record rules: users see their own keys, system users every key, public users none; applied by
  // the ORM to every read (web_read, copy_data, get_metadata...), search, write and unlink.
  _access_filter: {
    condition: async (env, _operation, alias) => {
      if (await isSystem(env)) return null;
      if (await userHasGroup(env, 'base.group_public')) return sql`FALSE`;
      return sql`${ident(alias, 'user_id')} = ${env.uid}`;
    },
    error: (records, operation) => recordRuleError(records.env, operation),
  },
  methods: {
    /** Revoke keys: one's own, or anyone's for a system user. */
    remove: {
      api: 'record',
      params: [],
      fn: (self: RecordSet) => removeKeys(self),
    },
    unlink: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        const users = self.ids.length ? await self.env.cr.query<{ user_id: number }>(sql`SELECT DISTINCT user_id FROM res_users_apikeys WHERE id = ANY(${self.ids}::int4[])`) : [];
        const res = await this.super();
        for (const u of users) invalidateCredentialCache(self.env.registry, u.user_id);
        return res;
      },
    },
  },
};

/** The AccessError Odoo 19 raises when record rules hide records (non-debug wording). */
async function recordRuleError(env: Env, operation: string): Promise<AccessError> {
  const rows = await env.cr.query<{ name: string | null }>(sql`SELECT p.name FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE u.id = ${env.uid}`);
  return new AccessError(
    `Uh-oh! Looks like you have stumbled upon some top-secret records.\n\nSorry, ${rows[0]?.name ?? ''} (id=${env.uid}) doesn't have '${operation}' access to:\n` +
      `- Users API Keys (res.users.apikeys)\n\nIf you really, really need access, perhaps you can win over your friendly administrator with a batch of freshly baked cookies.`,
  );
}

/** Odoo's `_remove`: unlink (as superuser) keys the user owns, or any key for a system user. */
export async function removeKeys(self: RecordSet): Promise<Vals> {
  if (!self.ids.length) return { type: 'ir.actions.act_window_close' };
  const owners = await self.env.cr.query<{ user_id: number }>(sql`SELECT DISTINCT user_id FROM res_users_apikeys WHERE id = ANY(${self.ids}::int4[])`);
  const own = owners.length === 1 && owners[0].user_id === self.env.uid;
  if ((await isSystem(self.env)) || own) {
    await self.sudo().unlink();
    return { type: 'ir.actions.act_window_close' };
  }
  throw new AccessError("You can not remove API keys unless they're yours or you are a system user");
}

/** Secret columns and index of res_users_apikeys (created next to the ORM's columns). */
export async function ensureApikeyColumns(cr: Cursor): Promise<void> {
  await cr.execute(`ALTER TABLE res_users_apikeys ADD COLUMN IF NOT EXISTS index varchar(${API_KEY_INDEX_SIZE})`);
  await cr.execute('ALTER TABLE res_users_apikeys ADD COLUMN IF NOT EXISTS key varchar');
  await cr.execute("ALTER TABLE res_users_apikeys ALTER COLUMN create_date SET DEFAULT (now() at time zone 'utc')");
  const constraints = await cr.query(`SELECT 1 FROM pg_constraint WHERE conname = 'res_users_apikeys_index_size'`);
  if (!constraints.length) {
    await cr.execute(`DELETE FROM res_users_apikeys WHERE index IS NULL OR key IS NULL`);
    await cr.execute('ALTER TABLE res_users_apikeys ALTER COLUMN index SET NOT NULL');
    await cr.execute('ALTER TABLE res_users_apikeys ALTER COLUMN key SET NOT NULL');
    await cr.execute(`ALTER TABLE res_users_apikeys ADD CONSTRAINT res_users_apikeys_index_size CHECK (char_length(index) = ${API_KEY_INDEX_SIZE})`);
  }
  await cr.execute('CREATE INDEX IF NOT EXISTS res_users_apikeys_user_id_index_idx ON res_users_apikeys (user_id, index)');
}
