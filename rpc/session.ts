// Web sessions for /web/session/* and /web/dataset/* (Odoo's `session_id` cookie).
//
// Kept in PostgreSQL (table web_session, created by models/base's schema), so that every server
// instance on the database knows every session: no sticky sessions behind a load balancer, and a
// restart logs nobody out. Only a SHA-256 of the session id is stored. Sessions expire after
// 7 days without use (Odoo's default inactivity limit); expired rows are swept hourly. A session's
// last use is written at most once a minute, so a busy client's reads do not each commit a write.

import { hash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Env, Context } from '../models/orm/env.ts';
import { getParam } from '../models/base/ir_config_parameter.ts';
import { userGroups } from '../models/base/ir_model_access.ts';
import { SERVER_VERSION, SERVER_VERSION_INFO } from './services.ts';

/** Odoo's default session inactivity limit: 7 days. */
export const SESSION_MAX_AGE_S = 7 * 24 * 3600;
/** A session's `last_used` is rewritten only when older than this (ms). */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

export interface WebSession {
  sid: string;
  db: string;
  uid: number;
  login: string;
  /** The user context (`res.users.context_get()`): lang, tz, uid. */
  context: Context;
  lastUsed: number;
}

/** What the store needs of the database: single statements (the registry's pool). */
export interface SessionDatabase {
  query<T extends Record<string, any> = any>(text: string, values?: unknown[]): Promise<{ rows: T[] }>;
}

const hashSid = (sid: string): string => hash('sha256', sid, 'hex');

export class SessionStore {
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(private readonly db: SessionDatabase, opts: { maxAgeS?: number; now?: () => number } = {}) {
    this.maxAgeMs = (opts.maxAgeS ?? SESSION_MAX_AGE_S) * 1000;
    this.now = opts.now ?? Date.now;
  }

  /** A new session; the id is 42 random bytes as base64url (no `=`, cookie-safe). */
  async create(data: Omit<WebSession, 'sid' | 'lastUsed'>): Promise<WebSession> {
    const session: WebSession = { ...data, sid: randomBytes(42).toString('base64url'), lastUsed: this.now() };
    await this.db.query(
      'INSERT INTO web_session (sid_hash, db, uid, login, context, last_used) VALUES ($1, $2, $3, $4, $5, $6)',
      [hashSid(session.sid), session.db, session.uid, session.login, JSON.stringify(session.context ?? {}), session.lastUsed],
    );
    return session;
  }

  /** The live session with this id (touching it), or undefined if unknown or expired. */
  async get(sid: string | undefined): Promise<WebSession | undefined> {
    if (!sid || sid.length > 200) return undefined;
    const now = this.now();
    // one statement: the lookup, and the touch only when the last one is a minute old (no row
    // written means no WAL flush on commit for the common case)
    const { rows } = await this.db.query<{ db: string; uid: number; login: string; context: Context }>(
      `WITH live AS (SELECT sid_hash, db, uid, login, context, last_used FROM web_session WHERE sid_hash = $1 AND last_used >= $3),
       touched AS (UPDATE web_session w SET last_used = $2 FROM live WHERE w.sid_hash = live.sid_hash AND live.last_used < $4)
       SELECT db, uid, login, context FROM live`,
      [hashSid(sid), now, now - this.maxAgeMs, now - SESSION_TOUCH_INTERVAL_MS],
    );
    if (!rows.length) return undefined;
    return { sid, db: rows[0].db, uid: rows[0].uid, login: rows[0].login, context: rows[0].context ?? {}, lastUsed: now };
  }

  async delete(sid: string): Promise<void> {
    await this.db.query('DELETE FROM web_session WHERE sid_hash = $1', [hashSid(sid)]);
  }

  /** Drop expired sessions (called periodically by each instance). */
  async sweep(): Promise<void> {
    await this.db.query('DELETE FROM web_session WHERE last_used < $1', [this.now() - this.maxAgeMs]);
  }
}

/** The session id sent by the client: the `session_id` cookie, else `X-Openerp-Session-Id`. */
export function requestSessionId(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie;
  if (cookie) {
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === 'session_id') {
        const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
        if (value) return value;
      }
    }
  }
  const header = req.headers['x-openerp-session-id'];
  return typeof header === 'string' && header ? header : undefined;
}

/**
 * The Set-Cookie value Odoo sends on login (werkzeug's attribute order). `session_id=<sid>` comes
 * first and the value has no `=`, as @fernandoslim/odoo-jsonrpc parses it.
 */
export function sessionCookie(sid: string, now = Date.now()): string {
  const expires = new Date(now + SESSION_MAX_AGE_S * 1000).toUTCString();
  return `session_id=${sid}; Expires=${expires}; Max-Age=${SESSION_MAX_AGE_S}; HttpOnly; Path=/`;
}

interface UserRow {
  id: number;
  login: string;
  name: string | null;
  partner_id: number;
  tz: string | null;
  lang: string | null;
  share: boolean | null;
}

/** The user's context: res.users.context_get() of that user (lang, tz, uid). */
export async function userContext(env: Env, uid: number): Promise<Context> {
  const users = env.withUser(uid).model('res.users');
  if (users.model.methods.has('context_get')) return { ...(await users.call<Context>('context_get')) };
  const [user] = (await env.sudo().model('res.users').withContext({ active_test: false }).browse([uid]).fetch(['lang', 'tz'])) as unknown as UserRow[];
  return { lang: user?.lang || 'en_US', tz: user?.tz || false, uid };
}

/** ir.http.session_info() for the session's user (the keys of Odoo 19 that make sense here). */
export async function sessionInfo(env: Env, session: WebSession, opts: { maxUploadSize: number }): Promise<Record<string, unknown>> {
  const sudo = env.sudo();
  const [user] = (await sudo.model('res.users').withContext({ active_test: false }).browse([session.uid])
    .fetch(['login', 'name', 'partner_id', 'tz', 'lang', 'share'])) as unknown as UserRow[];
  if (!user) throw new Error(`session user ${session.uid} does not exist`);
  const [partner] = await sudo.model('res.partner').withContext({ active_test: false }).browse([user.partner_id]).read(['display_name', 'write_date']);
  // group membership by external id, implied groups included (Odoo's has_group)
  const { xmlids } = await userGroups(sudo, session.uid);
  const superuser = session.uid === 1;
  const isSystem = superuser || xmlids.has('base.group_system');
  const isAdmin = superuser || xmlids.has('base.group_erp_manager') || isSystem;
  const lang = user.lang || 'en_US';
  const internal = xmlids.size ? xmlids.has('base.group_user') : !user.share;
  return {
    uid: session.uid,
    is_system: isSystem,
    is_admin: isAdmin,
    is_public: xmlids.has('base.group_public'),
    is_internal_user: internal,
    user_context: await userContext(env, session.uid),
    db: session.db,
    server_version: SERVER_VERSION,
    server_version_info: [...SERVER_VERSION_INFO],
    support_url: 'https://www.odoo.com/buy',
    name: user.name ?? '',
    username: user.login,
    quick_login: true,
    partner_write_date: partner?.write_date ?? false,
    partner_display_name: partner?.display_name ?? false,
    partner_id: user.partner_id,
    'web.base.url': (await getParam(env, 'web.base.url')) ?? '',
    active_ids_limit: 20000,
    profile_session: null,
    profile_collectors: null,
    profile_params: null,
    max_file_upload_size: opts.maxUploadSize,
    home_action_id: false,
    currencies: {},
    bundle_params: { lang },
    test_mode: false,
    view_info: {},
    groups: { 'base.group_allow_export': xmlids.has('base.group_allow_export') || isSystem },
    show_effect: internal,
  };
}
