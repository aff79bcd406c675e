// CSRF tokens of the public HTML forms, as Odoo's `request.csrf_token()` / `validate_csrf`:
// `<hex HMAC-SHA1(database.secret, session id + max_ts)>o<max_ts>`, valid until max_ts. Visitors
// without a session get a fresh `session_id` cookie (never an authenticated session) to bind
// the token to, so a form only validates when posted back from the browser that loaded it.

import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Env } from '../models/orm/env.ts';
import { sql } from '../models/orm/sql.ts';
import { getParam } from '../models/base/ir_config_parameter.ts';
import { requestSessionId, sessionCookie } from './session.ts';

// Odoo's CSRF_TOKEN_SALT: without a time limit a token is valid for a year.
const TOKEN_LIFETIME_S = 365 * 24 * 3600;
// Odoo's BadRequest text for a missing or wrong token.
export const CSRF_ERROR = 'Session expired (invalid CSRF token)';

/** The `database.secret` system parameter, created (random UUID, as Odoo) on first use if missing. */
async function databaseSecret(env: Env): Promise<string> {
  const known = await getParam(env, 'database.secret');
  if (known) return known;
  await env.cr.execute(sql`INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)
    VALUES ('database.secret', ${randomUUID()}, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC') ON CONFLICT (key) DO NOTHING`);
  return (await getParam(env, 'database.secret'))!;
}

function sign(secret: string, sid: string, maxTs: number): string {
  return createHmac('sha1', secret).update(`${sid}${maxTs}`).digest('hex');
}

/**
 * The visitor's session id for a token about to be served (a new one when there is none). Its
 * cookie is (re)set on `res`: a token is only as good as the cookie, which must outlive the page.
 */
export function visitorSessionId(req: Request, res: Response): string {
  const sid = requestSessionId(req) ?? randomBytes(42).toString('base64url');
  res.append('Set-Cookie', sessionCookie(sid));
  return sid;
}

export async function csrfToken(env: Env, sid: string, now = Date.now()): Promise<string> {
  const maxTs = Math.floor(now / 1000) + TOKEN_LIFETIME_S;
  return `${sign(await databaseSecret(env), sid, maxTs)}o${maxTs}`;
}

export async function validateCsrf(env: Env, sid: string | undefined, token: unknown, now = Date.now()): Promise<boolean> {
  if (!sid || typeof token !== 'string' || !token) return false;
  const cut = token.lastIndexOf('o');
  const hm = token.slice(0, cut);
  const maxTs = Number(token.slice(cut + 1));
  if (cut < 0 || !/^[0-9a-f]{40}$/.test(hm) || !Number.isSafeInteger(maxTs) || maxTs < now / 1000) return false;
  const expected = Buffer.from(sign(await databaseSecret(env), sid, maxTs), 'hex');
  return timingSafeEqual(expected, Buffer.from(hm, 'hex'));
}
