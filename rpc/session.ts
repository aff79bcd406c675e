// Web sessions for /web/session/* and /web/dataset/* (Odoo's `session_id` cookie).
//
// Kept in memory: a restart logs everybody out (clients then get error code 100 "Odoo Session
// Expired" and log in again, as after a session timeout in Odoo). With WEB_WORKERS >= 2 every
// worker holds a copy, kept in step through the primary (server/workers.ts). Sessions expire after 7 days
// without use (Odoo's default inactivity limit); the store is bounded so it cannot grow without
// limit, dropping the least recently used sessions first.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Env, Context } from '../models/orm/env.ts';
import { getParam } from '../models/base/ir_config_parameter.ts';
import { userGroups } from '../models/base/ir_model_access.ts';
import { SERVER_VERSION, SERVER_VERSION_INFO } from './services.ts';

/** Odoo's default session inactivity limit: 7 days. */
export const SESSION_MAX_AGE_S = 7 * 24 * 3600;
const MAX_SESSIONS = 10_000;

export interface WebSession {
  sid: string;
  db: string;
  uid: number;
  login: string;
  /** The user context (`res.users.context_get()`): lang, tz, uid. */
  context: Context;
  lastUsed: number;
}

/** A change of a store, to replay on the other workers' copies. */
export type SessionChange = { op: 'set'; session: WebSession } | { op: 'delete'; sid: string } | { op: 'touch'; sid: string; lastUsed: number };

/** A use after this much idleness is told to the other copies (their expiry then lags by less). */
const TOUCH_SHARE_MS = 60_000;

export class SessionStore {
  private readonly sessions = new Map<string, WebSession>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly onChange: ((change: SessionChange) => void) | undefined;

  constructor(opts: { maxAgeS?: number; now?: () => number; onChange?: (change: SessionChange) => void } = {}) {
    this.maxAgeMs = (opts.maxAgeS ?? SESSION_MAX_AGE_S) * 1000;
    this.now = opts.now ?? Date.now;
    this.onChange = opts.onChange;
  }

  /** Replays a change made on another copy (never reported back). */
  apply(change: SessionChange): void {
    if (change.op === 'set') this.put(change.session);
    else if (change.op === 'delete') this.sessions.delete(change.sid);
    else {
      const session = this.sessions.get(change.sid);
      if (session && change.lastUsed > session.lastUsed) {
        session.lastUsed = change.lastUsed;
        this.sessions.delete(change.sid);
        this.sessions.set(change.sid, session);
      }
    }
  }

  /** Every live session (a new worker's copy starts from the primary's). */
  all(): WebSession[] {
    return [...this.sessions.values()];
  }

  private put(session: WebSession): void {
    this.sessions.delete(session.sid);
    this.sessions.set(session.sid, session);
    if (this.sessions.size > MAX_SESSIONS) {
      // Map keeps insertion order and get() re-inserts: the first key is the least recently used
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  /** A new session; the id is 42 random bytes as base64url (no `=`, cookie-safe). */
  create(data: Omit<WebSession, 'sid' | 'lastUsed'>): WebSession {
    const session: WebSession = { ...data, sid: randomBytes(42).toString('base64url'), lastUsed: this.now() };
    this.put(session);
    this.onChange?.({ op: 'set', session });
    return session;
  }

  /** The live session with this id (touching it), or undefined if unknown or expired. */
  get(sid: string | undefined): WebSession | undefined {
    if (!sid) return undefined;
    const session = this.sessions.get(sid);
    if (!session) return undefined;
    const now = this.now();
    this.sessions.delete(sid);
    if (now - session.lastUsed > this.maxAgeMs) return undefined;
    if (this.onChange && now - session.lastUsed > TOUCH_SHARE_MS) this.onChange({ op: 'touch', sid, lastUsed: now });
    session.lastUsed = now;
    this.sessions.set(sid, session);
    return session;
  }

  delete(sid: string): void {
    if (this.sessions.delete(sid)) this.onChange?.({ op: 'delete', sid });
  }

  /** Drop expired sessions (called periodically). */
  sweep(): void {
    const limit = this.now() - this.maxAgeMs;
    for (const [sid, s] of this.sessions) {
      if (s.lastUsed < limit) this.sessions.delete(sid);
      else break; // LRU order: the rest are more recent
    }
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
