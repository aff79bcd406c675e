// Authentication entry points used by the protocol adapters (rpc/), and what they rest on:
// password hashing as Odoo stores it (passlib pbkdf2_sha512), API key checks, the login
// cooldown and the cache of successful object.execute credential checks.
//
//   authenticate(env, login, password, opts)  common.authenticate / login, /web/session/authenticate
//   checkUidPassword(env, uid, password)       object.execute / execute_kw (every call)
//   checkBearer(env, key)                      JSON-2 `Authorization: bearer <key>`
//
// Hash format (passlib "modular crypt format", what Odoo writes in res_users.password):
//   $pbkdf2-sha512$<rounds>$<salt>$<checksum>
// with checksum = PBKDF2-HMAC-SHA512(utf-8 password, salt, rounds, 64 bytes), and salt and
// checksum in passlib's "adapted base64" (standard base64, '+' written '.', no padding).
// Passwords use max(600000, ir.config_parameter `password.hashing.rounds`) rounds and a
// 16-byte salt; API keys use 6000 rounds (they are random, not guessable).

import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { Env } from '../orm/env.ts';
import type { Registry } from '../orm/registry.ts';
import { AccessDenied } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';
import { getParam } from './ir_config_parameter.ts';
import { CREDENTIAL_TABLES, SECURITY_CHANNEL } from './security_notify.ts';

const pbkdf2 = promisify(crypto.pbkdf2);

/** Odoo's MIN_ROUNDS for password hashes (res_users.py). */
export const PASSWORD_MIN_ROUNDS = 600_000;
/** Rounds of the API key hashes (KEY_CRYPT_CONTEXT). */
export const API_KEY_ROUNDS = 6000;
/** API keys are 20 random bytes written as 40 lowercase hex characters. */
export const API_KEY_SIZE = 20;
/** The first 8 characters of a key are stored in clear as a lookup index. */
export const API_KEY_INDEX_SIZE = 8;
const SALT_SIZE = 16;
const CHECKSUM_SIZE = 64;
const PREFIX = '$pbkdf2-sha512$';
/** Odoo's test for "already hashed" passwords (res.users init()). */
const MCF_RE = /^\$[^$]+\$[^$]+\$./;

// ---------------------------------------------------------------- passlib pbkdf2_sha512

/** passlib's adapted base64: standard alphabet with '.' for '+', no padding. */
export function ab64Encode(buf: Buffer): string {
  return buf.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
}
export function ab64Decode(text: string): Buffer {
  if (!/^[A-Za-z0-9./]*$/.test(text) || text.length % 4 === 1) throw new Error('invalid adapted base64');
  return Buffer.from(text.replace(/\./g, '+'), 'base64');
}

/** A passlib `pbkdf2_sha512` hash of `secret` (random 16-byte salt unless one is given). */
export async function pbkdf2Sha512Hash(secret: string, rounds: number, salt: Buffer = crypto.randomBytes(SALT_SIZE)): Promise<string> {
  const dk = await pbkdf2(Buffer.from(secret, 'utf8'), salt, rounds, CHECKSUM_SIZE, 'sha512');
  return `${PREFIX}${rounds}$${ab64Encode(salt)}$${ab64Encode(dk)}`;
}

interface ParsedHash {
  rounds: number;
  salt: Buffer;
  checksum: Buffer;
}

function parsePbkdf2Sha512(hash: string): ParsedHash | null {
  if (!hash.startsWith(PREFIX)) return null;
  const parts = hash.slice(PREFIX.length).split('$');
  if (parts.length !== 3 || !/^[1-9]\d*$/.test(parts[0])) return null;
  try {
    const rounds = Number(parts[0]);
    const salt = ab64Decode(parts[1]);
    const checksum = ab64Decode(parts[2]);
    if (checksum.length !== CHECKSUM_SIZE || rounds > 2 ** 32 - 1) return null;
    return { rounds, salt, checksum };
  } catch {
    return null;
  }
}

/** Whether `hash` is a well-formed passlib pbkdf2_sha512 hash. */
export function isPbkdf2Sha512(hash: string): boolean {
  return parsePbkdf2Sha512(hash) !== null;
}

/** Verify `secret` against a pbkdf2_sha512 hash (false for anything malformed). */
export async function verifyPbkdf2Sha512(secret: string, hash: string): Promise<boolean> {
  const parsed = parsePbkdf2Sha512(hash);
  if (!parsed) return false;
  const dk = await pbkdf2(Buffer.from(secret, 'utf8'), parsed.salt, parsed.rounds, CHECKSUM_SIZE, 'sha512');
  return crypto.timingSafeEqual(dk, parsed.checksum);
}

function constantTimeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a, 'utf8').digest();
  const hb = crypto.createHash('sha256').update(b, 'utf8').digest();
  return crypto.timingSafeEqual(ha, hb) && a === b;
}

/**
 * Odoo's password CryptContext (['pbkdf2_sha512', 'plaintext'], deprecated='auto'):
 * a stored value that is not a hash is compared as plaintext and, when it matches, must be
 * replaced by a hash (`needsUpdate`).
 */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<{ valid: boolean; needsUpdate: boolean }> {
  if (!password || !stored) return { valid: false, needsUpdate: false };
  if (stored.startsWith(PREFIX)) return { valid: await verifyPbkdf2Sha512(password, stored), needsUpdate: false };
  if (MCF_RE.test(stored)) return { valid: false, needsUpdate: false };
  const valid = constantTimeEqual(password, stored);
  return { valid, needsUpdate: valid };
}

/** Rounds for new password hashes: max(600000, `password.hashing.rounds`). */
export async function passwordRounds(env: Env): Promise<number> {
  const configured = parseInt((await getParam(env, 'password.hashing.rounds')) ?? '0', 10);
  return Math.max(PASSWORD_MIN_ROUNDS, Number.isFinite(configured) ? configured : 0);
}

/** The hash Odoo would store for `password`. */
export async function hashPassword(env: Env, password: string): Promise<string> {
  return pbkdf2Sha512Hash(password, await passwordRounds(env));
}

/**
 * Store the hash of `password` for users `uids` (Odoo's `_set_password`); an empty password
 * clears it (the user can no longer log in with a password). Never stores clear text.
 */
export async function setUserPassword(env: Env, uids: number[], password: string | false | null): Promise<void> {
  if (!uids.length) return;
  const hash = password ? await hashPassword(env, password) : null;
  await env.cr.execute(sql`UPDATE res_users SET password = ${hash} WHERE id = ANY(${uids}::int4[])`);
  for (const uid of uids) invalidateCredentialCache(env.registry, uid);
}

/** Hash the passwords stored in clear (e.g. set by SQL), like Odoo's res.users init(). */
export async function hashPlaintextPasswords(env: Env): Promise<number> {
  const rows = await env.cr.query<{ id: number; password: string }>(
    `SELECT id, password FROM res_users WHERE password IS NOT NULL AND password <> '' AND password !~ '^\\$[^$]+\\$[^$]+\\$.'`,
  );
  for (const r of rows) await setUserPassword(env, [r.id], r.password);
  return rows.length;
}

// ---------------------------------------------------------------- API keys

/** A new API key secret: 40 lowercase hex characters. */
export function newApiKey(): string {
  return crypto.randomBytes(API_KEY_SIZE).toString('hex');
}

export function hashApiKey(key: string): Promise<string> {
  return pbkdf2Sha512Hash(key, API_KEY_ROUNDS);
}

/**
 * Odoo's `res.users.apikeys._check_credentials(scope, key)`: the key whose index matches, of
 * an active user, with a NULL or equal scope, not expired, and whose hash verifies.
 */
export async function checkApiKey(env: Env, scope: string, key: string): Promise<{ uid: number; keyId: number; expires: number | null } | false> {
  if (!scope || !key || typeof key !== 'string') return false;
  const index = key.slice(0, API_KEY_INDEX_SIZE);
  const rows = await env.cr.query<{ id: number; user_id: number; key: string; expiration_date: string | null }>(sql`
    SELECT k.id, k.user_id, k.key, k.expiration_date
    FROM res_users_apikeys k INNER JOIN res_users u ON (u.id = k.user_id)
    WHERE u.active AND k.index = ${index}
      AND (k.scope IS NULL OR k.scope = ${scope})
      AND (k.expiration_date IS NULL OR k.expiration_date >= now() at time zone 'utc')`);
  for (const r of rows) {
    if (await verifyPbkdf2Sha512(key, r.key)) return { uid: r.user_id, keyId: r.id, expires: expiresAt(r.expiration_date) };
  }
  return false;
}

// ---------------------------------------------------------------- credential cache

// Successful (uid, secret) checks, like Odoo's ormcache on `_check_uid_passwd`: verifying a
// 600000-round hash on every object.execute call would cost ~0.3 s. Keyed by a salted SHA-256
// of the secret (never the secret itself; the salt is random per process). A hit answers from
// memory, no query, while the registry's LISTEN connection is trusted (models/orm/notify.ts) and
// no credential change was notified since the snapshot the entry was checked in: a change (password, active
// flag, API key created/revoked/re-dated, by any instance or by SQL) makes every entry stale,
// and a stale hit is re-validated with one cheap query (same stored hash and user active, or
// key still there), never by hashing again. API keys past their expiration date stop at once.
// `checkedAt`: Notifier.sequence when the checking transaction's first statement went out.
type CacheEntry =
  | { kind: 'password'; uid: number; stamp: string; checkedAt: number }
  | { kind: 'apikey'; uid: number; keyId: number; expires: number | null; checkedAt: number };
type CacheEntryData = CacheEntry extends infer E ? (E extends CacheEntry ? Omit<E, 'checkedAt'> : never) : never;
const MAX_CACHE_ENTRIES = 2000;
const KEY_SALT = crypto.randomBytes(16).toString('hex');

class CredentialCache {
  readonly entries = new Map<string, CacheEntry>();
  /** Notifier.sequence of the last notified change: entries checked before are re-validated before use. */
  invalidatedAt = 0;
  constructor(readonly registry: Registry) {
    registry.notifier.subscribe(SECURITY_CHANNEL, {
      tables: CREDENTIAL_TABLES,
      invalidate: (payload) => {
        if (payload === null || payload === 'credentials') this.invalidatedAt = registry.notifier.sequence;
      },
    });
  }
  /** Whether `entry` may answer without a query. */
  fresh(entry: CacheEntry): boolean {
    if (entry.kind === 'apikey' && entry.expires !== null && entry.expires < Date.now()) return false;
    return entry.checkedAt >= this.invalidatedAt && this.registry.notifier.trusted();
  }
}
const credentialCaches = new WeakMap<Registry, CredentialCache>();

function credentialCache(registry: Registry): CredentialCache {
  let cache = credentialCaches.get(registry);
  if (!cache) credentialCaches.set(registry, (cache = new CredentialCache(registry)));
  return cache;
}

function cacheKey(kind: string, uid: number, secret: string): string {
  // one-shot crypto.hash: about 4× cheaper per call than createHash().update().digest()
  return `${kind}:${uid}:${crypto.hash('sha256', KEY_SALT + secret, 'base64')}`;
}

/** Remember a check made in the transaction of `env` (as of its snapshot). */
function remember(env: Env, cache: CredentialCache, key: string, entry: CacheEntryData): void {
  cache.entries.delete(key);
  cache.entries.set(key, { ...entry, checkedAt: env.cr.snapshotSequence ?? -1 } as CacheEntry);
  while (cache.entries.size > MAX_CACHE_ENTRIES) cache.entries.delete(cache.entries.keys().next().value as string);
}

/** An API key's expiration (a UTC timestamp string) in ms, or null for none. */
function expiresAt(value: string | null): number | null {
  return value ? Date.parse(`${value.replace(' ', 'T')}Z`) : null;
}

async function stillValid(env: Env, entry: CacheEntry): Promise<CacheEntry | null> {
  if (entry.kind === 'password') {
    const rows = await env.cr.query<{ password: string | null; active: boolean }>(sql`SELECT password, active FROM res_users WHERE id = ${entry.uid}`);
    return rows[0]?.active && rows[0].password === entry.stamp ? entry : null;
  }
  const rows = await env.cr.query<{ expiration_date: string | null }>(sql`
    SELECT k.expiration_date FROM res_users_apikeys k JOIN res_users u ON u.id = k.user_id
    WHERE k.id = ${entry.keyId} AND k.user_id = ${entry.uid} AND u.active
      AND (k.expiration_date IS NULL OR k.expiration_date >= now() at time zone 'utc')`);
  return rows.length ? { ...entry, expires: expiresAt(rows[0].expiration_date) } : null;
}

/** The cached check of `key`, re-validated if stale; null when there is none (or no longer). */
async function cachedCheck(env: Env, cache: CredentialCache, key: string): Promise<CacheEntry | null> {
  const hit = cache.entries.get(key);
  if (!hit) return null;
  if (cache.fresh(hit)) return hit;
  const valid = await stillValid(env, hit);
  if (!valid) {
    cache.entries.delete(key);
    return null;
  }
  remember(env, cache, key, valid);
  return valid;
}

/** Forget cached successful checks (of one user, or all): password change, key removal... */
export function invalidateCredentialCache(registry: Registry, uid?: number): void {
  const cache = credentialCaches.get(registry);
  if (!cache) return;
  if (uid === undefined) return cache.entries.clear();
  for (const [k, e] of cache.entries) if (e.uid === uid) cache.entries.delete(k);
}

// ---------------------------------------------------------------- login cooldown

// Odoo's `_assert_can_auth` / `_on_login_cooldown`: after `base.login_cooldown_after` (5)
// failures from one source address, each further attempt from that address within
// `base.login_cooldown_duration` (60 s) of its last failure is refused without even checking
// the password, whatever the login; a success resets that address's counter. Attempts without
// a request (no source address: start-up, command line) are not rate-limited, as in Odoo.
// In memory, per server process and database.
const failureMaps = new WeakMap<Registry, Map<string, { failures: number; last: number }>>();

function failures(registry: Registry): Map<string, { failures: number; last: number }> {
  let map = failureMaps.get(registry);
  if (!map) failureMaps.set(registry, (map = new Map()));
  return map;
}

export const LOGIN_COOLDOWN_MESSAGE = 'Too many login failures, please wait a bit before trying again.';

/** Whether attempts from `source` (a remote address) are currently on login cooldown. */
export async function isOnLoginCooldown(env: Env, source: string): Promise<boolean> {
  const entry = failures(env.registry).get(source);
  if (!entry) return false;
  const after = parseInt((await getParam(env, 'base.login_cooldown_after')) ?? '5', 10);
  if (!after) return false;
  const duration = parseInt((await getParam(env, 'base.login_cooldown_duration')) ?? '60', 10);
  return entry.failures >= after && Date.now() - entry.last < duration * 1000;
}

/** Forget recorded login failures (of one source address, or all). */
export function resetLoginCooldown(registry: Registry, source?: string): void {
  if (source === undefined) failures(registry).clear();
  else failures(registry).delete(source);
}

/** Run an authentication attempt from `source` under the cooldown rules (AccessDenied counts as a failure). */
async function withCooldown<T>(env: Env, source: string | undefined, attempt: () => Promise<T>): Promise<T> {
  if (source === undefined) return attempt();
  if (await isOnLoginCooldown(env, source)) throw new AccessDenied(LOGIN_COOLDOWN_MESSAGE);
  const map = failures(env.registry);
  try {
    const result = await attempt();
    map.delete(source);
    return result;
  } catch (err) {
    if (err instanceof AccessDenied) {
      const prev = map.get(source);
      map.delete(source);
      map.set(source, { failures: (prev?.failures ?? 0) + 1, last: Date.now() });
      // Bound memory under a flood of distinct addresses.
      while (map.size > 10_000) map.delete(map.keys().next().value as string);
    }
    throw err;
  }
}

// ---------------------------------------------------------------- credentials

export interface AuthOptions {
  /**
   * Interactive logins (/web/session/authenticate) accept the password only; non-interactive
   * ones (XML-RPC / JSON-RPC `common.authenticate`, `login`) also accept an API key (scope rpc).
   * Default true, as in Odoo when the key is missing.
   */
  interactive?: boolean;
  /** Remote address of the request (the login cooldown's key); none: not rate-limited. */
  source?: string;
}

/**
 * Odoo's `_check_credentials` for user `uid`: the password, or (non-interactive only) an
 * API key of that user with scope NULL or 'rpc'. Returns how it matched; AccessDenied if not.
 */
async function checkCredentials(env: Env, uid: number, password: string, interactive: boolean): Promise<CacheEntryData> {
  if (!password || typeof password !== 'string') throw new AccessDenied();
  const rows = await env.cr.query<{ password: string | null }>(sql`SELECT COALESCE(password, '') AS password FROM res_users WHERE id = ${uid}`);
  const stored = rows[0]?.password ?? '';
  const { valid, needsUpdate } = await verifyPassword(password, stored);
  if (valid) {
    let stamp = stored;
    if (needsUpdate) {
      // A clear-text password (set by SQL) is replaced by its hash on first use.
      stamp = await hashPassword(env, password);
      await env.cr.execute(sql`UPDATE res_users SET password = ${stamp} WHERE id = ${uid}`);
    }
    return { kind: 'password', uid, stamp };
  }
  if (!interactive) {
    const key = await checkApiKey(env, 'rpc', password);
    if (key && key.uid === uid) return { kind: 'apikey', uid, keyId: key.keyId, expires: key.expires };
  }
  throw new AccessDenied();
}

/**
 * Login + password → uid. Throws AccessDenied ("Access Denied", or the cooldown message)
 * when refused: what /web/session/authenticate reports. Failures count towards the cooldown.
 */
export async function authenticateOrRaise(env: Env, login: string, password: string, opts: AuthOptions = {}): Promise<number> {
  const interactive = opts.interactive ?? true;
  return withCooldown(env, opts.source, async () => {
    if (typeof login !== 'string' || !login || !password || typeof password !== 'string') throw new AccessDenied();
    // Odoo: search([('login', '=', login)], order='name, login', limit=1) among active users.
    const users = await env.cr.query<{ id: number }>(sql`SELECT id FROM res_users WHERE login = ${login} AND active ORDER BY login, id LIMIT 1`);
    if (!users.length) throw new AccessDenied();
    await checkCredentials(env, users[0].id, password, interactive);
    return users[0].id;
  });
}

/** Login + password (or API key where allowed) → uid, or false. Never throws for bad credentials. */
export async function authenticate(env: Env, login: string, password: string, opts: AuthOptions = {}): Promise<number | false> {
  try {
    return await authenticateOrRaise(env, login, password, opts);
  } catch (err) {
    if (err instanceof AccessDenied) return false;
    throw err;
  }
}

/**
 * Check uid + password/API key for object.execute*; AccessDenied when wrong. Non-interactive:
 * the user's password or one of their API keys (scope NULL or 'rpc'). Successes are cached
 * (a cached success skips the cooldown, as Odoo's ormcache on `check` does).
 */
export async function checkUidPassword(env: Env, uid: number, password: string, source?: string): Promise<void> {
  if (!password || typeof password !== 'string') throw new AccessDenied();
  const id = Number(uid);
  // no user has an id beyond the id column's range
  if (!Number.isInteger(id) || id < -2147483648 || id > 2147483647) throw new AccessDenied();
  const key = cacheKey('uid', id, password);
  const cache = credentialCache(env.registry);
  if (await cachedCheck(env, cache, key)) return;
  const users = await env.cr.query<{ active: boolean }>(sql`SELECT active FROM res_users WHERE id = ${id}`);
  const entry = await withCooldown(env, source, async () => {
    if (!users.length || !users[0].active) throw new AccessDenied();
    return checkCredentials(env, id, password, false);
  });
  remember(env, cache, key, entry);
}

/** Bearer API key (scope rpc) → uid, or false. */
export async function checkBearer(env: Env, key: string): Promise<number | false> {
  if (!key || typeof key !== 'string') return false;
  const ck = cacheKey('bearer', 0, key);
  const cache = credentialCache(env.registry);
  const hit = await cachedCheck(env, cache, ck);
  if (hit) return hit.uid;
  const found = await checkApiKey(env, 'rpc', key);
  if (!found) return false;
  remember(env, cache, ck, { kind: 'apikey', uid: found.uid, keyId: found.keyId, expires: found.expires });
  return found.uid;
}

/** Whether the admin user (id 2) still has the default password `admin` (for a start-up warning). */
export async function isDefaultAdminPassword(env: Env): Promise<boolean> {
  const rows = await env.cr.query<{ password: string | null }>(sql`SELECT password FROM res_users WHERE id = 2 AND active`);
  if (!rows.length) return false;
  return (await verifyPassword('admin', rows[0].password)).valid;
}
