// Authentication entry points used by the protocol adapters (rpc/). The security work
// (password hashing, API keys, login cooldown) implements them; signatures are stable.

import type { Env } from '../orm/env.ts';
import { AccessDenied } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';

/** Login + password (or API key where allowed) → uid, or false. Never throws for bad credentials. */
export async function authenticate(env: Env, login: string, password: string, opts: { interactive?: boolean } = {}): Promise<number | false> {
  void opts;
  const rows = await env.cr.query<{ id: number; password: string | null }>(sql`SELECT id, password FROM res_users WHERE login = ${login} AND active`);
  if (!rows.length || !password || rows[0].password !== password) return false;
  return rows[0].id;
}

/** Check uid + password/API key for object.execute*; AccessDenied when wrong. */
export async function checkUidPassword(env: Env, uid: number, password: string): Promise<void> {
  const rows = await env.cr.query<{ password: string | null }>(sql`SELECT password FROM res_users WHERE id = ${uid} AND active`);
  if (!rows.length || !password || rows[0].password !== password) throw new AccessDenied();
}

/** Bearer API key (scope rpc) → uid, or false. */
export async function checkBearer(env: Env, key: string): Promise<number | false> {
  void env;
  void key;
  return false;
}
