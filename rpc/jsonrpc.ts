// JSON-RPC routes: POST /jsonrpc (services common/db/object) and the web client's type='jsonrpc'
// routes (/web/session/*, /web/dataset/*, /web/webclient/version_info, /web/database/list).
//
// Envelope as Odoo writes it (spec §2.2): `{"jsonrpc": "2.0", "id": <echoed>, "result": ...}`,
// `result` left out when the method returns None; errors are HTTP 200 with error.code 0 (100 for
// an expired session, 404 for not found), message "Odoo Server Error" and data.{name, message,
// arguments, context, debug}. The `method` member of the request is ignored (the URL routes the
// call) and `params` must be an object. The envelope itself goes through the `json-rpc-2.0`
// package: one JSONRPCServer with a single "call" method that runs the route's handler.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { JSONRPC, JSONRPCServer, type JSONRPCID, type JSONRPCRequest, type JSONRPCResponse } from 'json-rpc-2.0';
import type { RpcContext } from './context.ts';
import { JSON_CONTENT_TYPE, mimetype, readBody, writeAnswer } from './body.ts';
import { parseJsonRpcBody, toJsonRpcError, unsupportedMediaType, type HttpAnswer } from './errors.ts';
import { AccessDenied, AccessError, NotFound, PyRecursionError, PyTypeError, SessionExpiredException } from '../models/orm/exceptions.ts';
import { callKw } from '../models/orm/call_kw.ts';
import { nestedDeeperThan } from '../models/orm/pyargs.ts';
import { DEEP_JSON } from './json2.ts';
import type { Env } from '../models/orm/env.ts';
import { dispatchRpc, LANGUAGES, loginUidOrRaise, versionInfo } from './services.ts';
import { remoteAddr } from './remote_addr.ts';
import { requestSessionId, sessionCookie, sessionInfo, userContext, type WebSession } from './session.ts';

type Params = Record<string, unknown>;
export type JsonRpcHandler = (params: Params, req: IncomingMessage, res: ServerResponse) => Promise<unknown>;

interface ServerParams {
  run: () => Promise<unknown>;
  ctx: RpcContext;
}

const JSON_TYPES = new Set(['application/json', 'application/json-rpc']);

// One envelope server for every route: the route's work travels in serverParams.
const envelope = new JSONRPCServer<ServerParams>({ errorListener: () => undefined });
envelope.addMethodAdvanced('call', async (request: JSONRPCRequest, sp: ServerParams): Promise<JSONRPCResponse> => {
  const id = request.id as JSONRPCID;
  try {
    const result = await sp.run();
    // Python's None: no `result` key at all (JSON.stringify drops undefined members)
    return { jsonrpc: JSONRPC, id, result: result === null ? undefined : result };
  } catch (err) {
    return { jsonrpc: JSONRPC, id, error: toJsonRpcError(err, {}, sp.ctx.logError) };
  }
});
// Not reached (the method catches everything), kept so a failure still has Odoo's shape.
envelope.mapErrorToJSONRPCErrorResponse = (id, err) => ({ jsonrpc: JSONRPC, id, error: toJsonRpcError(err) });

function sendAnswer(res: ServerResponse, answer: HttpAnswer): void {
  writeAnswer(res, answer.status, answer.headers, answer.body);
}

function sendJson(res: ServerResponse, payload: unknown): void {
  writeAnswer(res, 200, JSON_CONTENT_TYPE, JSON.stringify(payload));
}

/** The envelope for an error raised before the route's handler runs (id unknown: null). */
export function jsonRpcErrorPayload(ctx: RpcContext, err: unknown, id: unknown = null): Record<string, unknown> {
  return { jsonrpc: JSONRPC, id, error: toJsonRpcError(err, {}, ctx.logError) };
}

/**
 * Odoo's route wrapper: keyword parameters the endpoint does not declare are ignored, missing
 * required ones are a TypeError.
 */
export function requireParams(fn: string, params: Params, required: string[]): void {
  const missing = required.filter((k) => !(k in params));
  if (missing.length) {
    const q = missing.map((m) => `'${m}'`);
    const list = q.length === 1 ? q[0] : q.length === 2 ? `${q[0]} and ${q[1]}` : `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
    throw new PyTypeError(`${fn}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`);
  }
}

/** An express handler speaking JSON-RPC around `handler`. */
export function jsonRpcRoute(ctx: RpcContext, handler: JsonRpcHandler, opts: { deprecated?: boolean } = {}) {
  const serve = serveJsonRpc(ctx, handler, opts);
  return (req: IncomingMessage & { path: string }, res: ServerResponse): Promise<void> => serve(req, res, req.path);
}

/** JSON-RPC around `handler` on node's request and response, `path` being the request's path. */
export function serveJsonRpc(ctx: RpcContext, handler: JsonRpcHandler, opts: { deprecated?: boolean } = {}) {
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (opts.deprecated) ctx.deprecation.warn('jsonrpc', path, req.socket.remoteAddress, req.headers['user-agent']);
    if (!JSON_TYPES.has(mimetype(req))) {
      sendAnswer(res, unsupportedMediaType(path, 'jsonrpc'));
      return;
    }
    const read = await readBody(req, ctx.maxBodySize);
    if (!read.ok) {
      sendJson(res, jsonRpcErrorPayload(ctx, read.error));
      return;
    }
    const parsed = parseJsonRpcBody(read.body);
    if (!parsed.ok) {
      sendAnswer(res, parsed.answer);
      return;
    }
    const body = parsed.request;
    // an id nested deeper than anything can walk is not echoed: the request is refused whole
    const deepId = nestedDeeperThan(body.id);
    const id = body.id === undefined || deepId ? null : body.id;
    const params = body.params === undefined ? {} : body.params;
    const run = async () => {
      if (deepId || nestedDeeperThan(params)) throw new PyRecursionError(DEEP_JSON);
      if (params === null || typeof params !== 'object' || Array.isArray(params)) {
        throw new PyTypeError('JSON-RPC "params" must be an object of named parameters (by-position arrays are not supported)');
      }
      return handler(params as Params, req, res);
    };
    // the package needs an id to answer; Odoo answers `"id": null` when the request has none
    const response = await envelope.receive({ jsonrpc: JSONRPC, method: 'call', params, id: id as JSONRPCID }, { run, ctx });
    sendJson(res, response);
  };
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

/** The modules this server behaves as (what /web/session/modules lists). */
export const INSTALLED_MODULES = ['base', 'web', 'rpc', 'mail', 'utm', 'link_tracker', 'phone_validation', 'sms', 'mass_mailing', 'mass_mailing_sms'];

/** POST /jsonrpc: `{service, method, args}`. */
export function jsonrpcService(ctx: RpcContext): JsonRpcHandler {
  return async (params, req) => {
    requireParams('jsonrpc', params, ['service', 'method', 'args']);
    return dispatchRpc(ctx, params.service, params.method, params.args, { source: remoteAddr(req, ctx.proxyMode) });
  };
}

/** The session of an `auth='user'` route, or SessionExpiredException (error code 100). */
export async function requireSession(ctx: RpcContext, req: IncomingMessage): Promise<WebSession> {
  const session = await ctx.sessions.get(requestSessionId(req));
  if (!session || session.db !== ctx.dbName) throw new SessionExpiredException();
  return session;
}

/** Run `fn` in one transaction as the session's user, refusing users deactivated since login. */
export async function asSessionUser<T>(ctx: RpcContext, session: WebSession, fn: (env: Env) => Promise<T>): Promise<T> {
  return ctx.registry.transaction({ uid: session.uid, context: { ...session.context } }, async (env) => {
    const [user] = await env.sudo().model('res.users').withContext({ active_test: false }).browse([session.uid]).fetch(['active']);
    if (!user?.active) {
      await ctx.sessions.delete(session.sid);
      throw new SessionExpiredException();
    }
    return fn(env);
  });
}

export function webVersionInfo(): JsonRpcHandler {
  return async () => versionInfo();
}

export function webDatabaseList(ctx: RpcContext): JsonRpcHandler {
  return async () => [ctx.dbName];
}

export function webLangList(): JsonRpcHandler {
  return async () => LANGUAGES.map((l) => [...l]);
}

/** /web/session/authenticate `{db, login, password[, base_location]}` → session_info + cookie. */
export function webSessionAuthenticate(ctx: RpcContext): JsonRpcHandler {
  return async (params, req, res) => {
    requireParams('authenticate', params, ['db', 'login', 'password']);
    const { db, login, password } = params;
    if (db !== ctx.dbName) throw new AccessError('Database not found.');
    // interactive login: API keys are refused here, as in Odoo; a refusal (wrong credentials,
    // or the cooldown message) is Odoo's AccessDenied
    const uid = await loginUidOrRaise(ctx, db, login, password, true, { source: remoteAddr(req, ctx.proxyMode) });
    let session: WebSession | undefined;
    let info: Record<string, unknown>;
    try {
      info = await ctx.registry.transaction({ uid, context: {} }, async (env) => {
        const context = await userContext(env, uid);
        if (session) await ctx.sessions.delete(session.sid); // a retried transaction
        session = await ctx.sessions.create({ db: ctx.dbName, uid, login: String(login), context });
        return sessionInfo(env, session, { maxUploadSize: ctx.maxBodySize });
      });
    } catch (err) {
      if (session) await ctx.sessions.delete(session.sid);
      throw err;
    }
    const previous = requestSessionId(req);
    if (previous) await ctx.sessions.delete(previous);
    res.setHeader('Set-Cookie', sessionCookie(session!.sid));
    return info;
  };
}

export function webSessionInfo(ctx: RpcContext): JsonRpcHandler {
  return async (_params, req) => {
    const session = await requireSession(ctx, req);
    return asSessionUser(ctx, session, (env) => sessionInfo(env, session, { maxUploadSize: ctx.maxBodySize }));
  };
}

export function webSessionCheck(ctx: RpcContext): JsonRpcHandler {
  return async (_params, req) => {
    const session = await requireSession(ctx, req);
    await asSessionUser(ctx, session, async () => undefined);
    return null;
  };
}

export function webSessionModules(ctx: RpcContext): JsonRpcHandler {
  return async (_params, req) => {
    await requireSession(ctx, req);
    return [...INSTALLED_MODULES];
  };
}

export function webSessionDestroy(ctx: RpcContext): JsonRpcHandler {
  return async (_params, req) => {
    const session = await requireSession(ctx, req);
    await ctx.sessions.delete(session.sid);
    return null;
  };
}

/**
 * /web/dataset/call_kw and call_button `{model, method, args, kwargs}`: call_kw as the session's
 * user, whose context is the base one (kwargs.context replaces it). An unknown model is a 404
 * (checked before the session, as Odoo computes the route's readonly flag first).
 */
export function webDatasetCall(ctx: RpcContext, button: boolean): JsonRpcHandler {
  return async (params, req) => {
    requireParams(button ? 'call_button' : 'call_kw', params, ['model', 'method', 'args', 'kwargs']);
    const { model, method, args, kwargs } = params;
    if (typeof model !== 'string' || !ctx.registry.has(model)) throw new NotFound();
    const session = await requireSession(ctx, req);
    const result = await asSessionUser(ctx, session, (env) => callKw(env, model, method, args, kwargs));
    if (!button) return result;
    // call_button: an action dict is cleaned and returned, anything else becomes false
    if (result && typeof result === 'object' && !Array.isArray(result)) {
      const action = result as Record<string, unknown>;
      if (action.type === '') return false;
      return { ...action, type: action.type ?? 'ir.actions.act_window_close' };
    }
    return false;
  };
}
