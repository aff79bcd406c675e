// The three services behind /xmlrpc, /xmlrpc/2 and /jsonrpc (odoo/service/common.py, db.py,
// model.py): `common` (version, login, authenticate...), `db` (list, db_exist...; management
// functions need the master password) and `object` (execute, execute_kw). Transport-neutral:
// the routes decode the call, run dispatchRpc() and encode its result or its exception.

import { timingSafeEqual } from 'node:crypto';
import type { Registry } from '../models/orm/registry.ts';
import { SUPERUSER_ID } from '../models/orm/env.ts';
import { callKw } from '../models/orm/call_kw.ts';
import {
  AccessDenied,
  OdooError,
  PyKeyError,
  PyNameError,
  PyTypeError,
  PyValueError,
  UserError,
} from '../models/orm/exceptions.ts';
import { authenticate, authenticateOrRaise, checkUidPassword } from '../models/base/auth.ts';
import { pyStrRepr } from './xmlrpc_codec.ts';

/** What the services need from the server. */
export interface ServiceContext {
  registry: Registry;
  /** The one database this server serves (config.dbName). */
  dbName: string;
  /** Master password of the `db` service (config.adminPassword). */
  masterPassword: string;
}

/** Who is calling: the request's client address (see rpc/remote_addr.ts), the login cooldown's key. */
export interface CallerInfo {
  source?: string;
}

export const SERVER_VERSION = '19.0';
export const SERVER_VERSION_INFO: [number, number, number, string, number, string] = [19, 0, 0, 'final', 0, ''];

/** common.version(): exactly these four keys (RPC_VERSION_1). */
export function versionInfo(): Record<string, unknown> {
  return {
    server_version: SERVER_VERSION,
    server_version_info: [...SERVER_VERSION_INFO],
    server_serie: SERVER_VERSION,
    protocol_version: 1,
  };
}

export const LANGUAGES: [string, string][] = [['en_US', 'English (US)']];

// ---------------------------------------------------------------------------------------------
// Python-like helpers
// ---------------------------------------------------------------------------------------------

/** A Python exception class Odoo lets through with its builtin/module name. */
export class PyException extends OdooError {
  constructor(pyName: string, message: string) {
    super(message);
    this.odooName = pyName;
  }
}

/** What Registry(db) raises in Odoo for a database that does not exist (fault 1). */
export function unknownDatabase(db: unknown): PyException {
  return new PyException('psycopg2.OperationalError', `connection to server failed: FATAL:  database ${JSON.stringify(String(db))} does not exist`);
}

function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/** Python's int(v) for what can arrive as a uid: ints, numeric strings, floats, booleans. */
export function pyInt(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new PyValueError(`cannot convert float ${v > 0 ? 'infinity' : v < 0 ? '-infinity' : 'NaN'} to integer`);
    return Math.trunc(v);
  }
  if (typeof v === 'string') {
    const t = v.trim().replace(/_/g, '');
    if (/^[+-]?\d+$/.test(t)) return Number(t);
    throw new PyValueError(`invalid literal for int() with base 10: ${pyStrRepr(v)}`);
  }
  throw new PyTypeError(`int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(v)}'`);
}

function quoteList(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length <= 1) return q.join('');
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

/** Python's arity check of `name(*params)` for a function with these positional parameters. */
export function checkArity(name: string, params: unknown[], required: string[], optional: string[] = [], preceding = 0): void {
  const max = required.length + optional.length;
  if (params.length < required.length) {
    const missing = required.slice(params.length);
    throw new PyTypeError(
      `${name}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${quoteList(missing)}`,
    );
  }
  if (params.length > max) {
    // `preceding`: arguments the caller passed before these (counted by Python's message)
    const lo = required.length + preceding;
    const hi = max + preceding;
    const given = params.length + preceding;
    const takes = optional.length ? `from ${lo} to ${hi}` : String(hi);
    throw new PyTypeError(
      `${name}() takes ${takes} positional argument${hi === 1 && !optional.length ? '' : 's'} but ${given} ${given === 1 ? 'was' : 'were'} given`,
    );
  }
}

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given === '' || expected === '') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // compare equal-length buffers so the time does not tell the length of the match
  return a.length === b.length && timingSafeEqual(a, b);
}

// ---------------------------------------------------------------------------------------------
// common
// ---------------------------------------------------------------------------------------------

/** Login + password/API key → uid, or false (never raises for bad credentials). */
export async function loginUid(ctx: ServiceContext, db: unknown, login: unknown, password: unknown, interactive: boolean, caller: CallerInfo = {}): Promise<number | false> {
  if (db !== ctx.dbName) throw unknownDatabase(db);
  if (typeof login !== 'string' || typeof password !== 'string' || !login || !password) return false;
  return ctx.registry.transaction({ uid: SUPERUSER_ID, su: true }, (env) => authenticate(env, login, password, { interactive, source: caller.source }));
}

/** Like loginUid, but a refusal is Odoo's AccessDenied ("Access Denied", or the cooldown message). */
export async function loginUidOrRaise(ctx: ServiceContext, db: unknown, login: unknown, password: unknown, interactive: boolean, caller: CallerInfo = {}): Promise<number> {
  if (db !== ctx.dbName) throw unknownDatabase(db);
  if (typeof login !== 'string' || typeof password !== 'string' || !login || !password) throw new AccessDenied();
  return ctx.registry.transaction({ uid: SUPERUSER_ID, su: true }, (env) => authenticateOrRaise(env, login, password, { interactive, source: caller.source }));
}

async function common(ctx: ServiceContext, method: string, params: unknown[], caller: CallerInfo): Promise<unknown> {
  switch (method) {
    case 'version':
      checkArity('exp_version', params, []);
      return versionInfo();
    case 'login':
      checkArity('exp_login', params, ['db', 'login', 'password']);
      return loginUid(ctx, params[0], params[1], params[2], false, caller);
    case 'authenticate':
      // the 4th argument (user_agent_env) is required, as in Odoo
      checkArity('exp_authenticate', params, ['db', 'login', 'password', 'user_agent_env']);
      return loginUid(ctx, params[0], params[1], params[2], false, caller);
    case 'about': {
      checkArity('exp_about', params, [], ['extended']);
      const info = 'See http://openerp.com';
      return params[0] ? [info, SERVER_VERSION] : info;
    }
    case 'set_loglevel':
      checkArity('exp_set_loglevel', params, ['loglevel'], ['logger']);
      return true;
    default:
      throw new OdooError(`Method not found: ${method}`);
  }
}

// ---------------------------------------------------------------------------------------------
// db
// ---------------------------------------------------------------------------------------------

// Functions Odoo offers behind the master password, with their parameters after it.
const DB_MANAGEMENT: Record<string, [required: string[], optional: string[]]> = {
  create_database: [['db_name', 'demo', 'lang'], ['user_password', 'login', 'country_code', 'phone']],
  duplicate_database: [['db_original_name', 'db_name'], ['neutralize_database']],
  drop: [['db_name'], []],
  dump: [['db_name', 'format'], []],
  restore: [['db_name', 'data'], ['copy']],
  rename: [['old_name', 'new_name'], []],
  change_admin_password: [['new_password'], []],
  migrate_databases: [['databases'], []],
  list_countries: [[], []],
};

function notSupported(ctx: ServiceContext, what: string): UserError {
  return new UserError(
    `${what} is not supported by this server: it serves the single database ${pyStrRepr(ctx.dbName)} ` +
      '(set with DB_NAME / DATABASE_URL), managed with the PostgreSQL tools (pg_dump, pg_restore, createdb, dropdb).',
  );
}

async function db(ctx: ServiceContext, method: string, params: unknown[]): Promise<unknown> {
  switch (method) {
    case 'db_exist':
      checkArity('exp_db_exist', params, ['db_name']);
      return params[0] === ctx.dbName;
    case 'list':
      checkArity('exp_list', params, [], ['document']);
      return [ctx.dbName];
    case 'list_lang':
      checkArity('exp_list_lang', params, []);
      return LANGUAGES.map((l) => [...l]);
    case 'server_version':
      checkArity('exp_server_version', params, []);
      return SERVER_VERSION;
  }
  const signature = DB_MANAGEMENT[method];
  if (!signature) throw new PyKeyError(`Method not found: ${method}`);
  // check_super(params[0]) first, as Odoo does: a wrong master password is AccessDenied
  if (params.length === 0) throw new PyException('builtins.IndexError', 'list index out of range');
  if (!sameSecret(params[0], ctx.masterPassword)) throw new AccessDenied();
  const rest = params.slice(1);
  checkArity(`exp_${method}`, rest, ...signature);
  switch (method) {
    case 'list_countries':
      return ctx.registry.transaction({ uid: SUPERUSER_ID, su: true }, async (env) => {
        const rows = await env.model('res.country').sudo().searchRead([], ['code', 'name'], { order: 'name' });
        return rows.map((r) => [r.code, r.name]);
      });
    case 'drop':
      // Odoo answers False for a database it does not know
      if (rest[0] !== ctx.dbName) return false;
      throw notSupported(ctx, 'Dropping the database');
    case 'create_database':
      throw notSupported(ctx, 'Creating databases');
    case 'duplicate_database':
      throw notSupported(ctx, 'Duplicating databases');
    case 'dump':
      throw notSupported(ctx, 'Backing up the database over RPC');
    case 'restore':
      throw notSupported(ctx, 'Restoring databases over RPC');
    case 'rename':
      throw notSupported(ctx, 'Renaming databases');
    case 'change_admin_password':
      throw new UserError('The master password is the ADMIN_PASSWORD environment variable of the server: change it there and restart.');
    case 'migrate_databases':
      throw new UserError('The database schema is brought up to date automatically when the server starts: restart it instead.');
  }
  /* c8 ignore next */
  throw new PyKeyError(`Method not found: ${method}`);
}

// ---------------------------------------------------------------------------------------------
// object
// ---------------------------------------------------------------------------------------------

/**
 * object.execute / execute_kw (odoo/service/model.py): int(uid), credentials (password or API
 * key), then the model method through call_kw, all in one transaction with retries.
 */
async function object(ctx: ServiceContext, method: string, params: unknown[], caller: CallerInfo): Promise<unknown> {
  if (params.length < 3) throw new PyException('builtins.IndexError', 'list index out of range');
  const [dbName, rawUid, password] = params;
  const uid = pyInt(rawUid);
  if (dbName !== ctx.dbName) throw unknownDatabase(dbName);
  const rest = params.slice(3);
  return ctx.registry.transaction({ uid, context: {}, probeReadOnly: true }, async (env) => {
    if (typeof password !== 'string' || password === '') throw new AccessDenied();
    await checkUidPassword(env, uid, password, caller.source);
    if (method === 'execute') {
      if (rest.length < 2) checkArity('execute', rest, ['obj', 'method']);
      return callKw(env, rest[0] as string, rest[1] as string, rest.slice(2), {});
    }
    if (method === 'execute_kw') {
      checkArity('execute_kw', rest, ['obj', 'method', 'args'], ['kw'], 2);
      return callKw(env, rest[0] as string, rest[1] as string, rest[2], rest[3]);
    }
    throw new PyNameError(`Method not available ${method}`);
  });
}

/** odoo.http.dispatch_rpc: route `service.method(*params)`; an unknown service is a KeyError. */
export async function dispatchRpc(ctx: ServiceContext, service: unknown, method: unknown, params: unknown, caller: CallerInfo = {}): Promise<unknown> {
  if (!Array.isArray(params)) {
    throw new PyTypeError(`dispatch() argument after * must be an iterable of positional arguments, not ${pyTypeName(params)}`);
  }
  const m = typeof method === 'string' ? method : String(method);
  switch (service) {
    case 'common':
      return common(ctx, m, params, caller);
    case 'db':
      return db(ctx, m, params);
    case 'object':
      return object(ctx, m, params, caller);
    default:
      throw new PyKeyError(service as string);
  }
}
