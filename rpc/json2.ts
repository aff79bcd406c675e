// Odoo 19's JSON-2 API: POST /json/2/<model>/<method>, bearer API key, named arguments, the bare
// JSON result on success and real HTTP statuses on errors (spec §2.3):
//   400 unparseable body · 401 missing/invalid key (WWW-Authenticate: Bearer) · 403 access
//   error or private method · 404 unknown model/method, MissingError, other /json/2 paths ·
//   413 body too large · 415 non-JSON body · 422 UserError/ValidationError, signature mismatch,
//   ids given to a model method · 500 anything else.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RpcContext } from './context.ts';
import { JSON_CONTENT_TYPE, mimetype, readBody, writeAnswer } from './body.ts';
import { HttpException, json2BadJson, json2Unauthorized, toJson2Error, unsupportedMediaType, type Json2Error } from './errors.ts';
import { bindArguments, callJson2, resolveMethod } from '../models/orm/call_kw.ts';
import { PyAttributeError, PyTypeError } from '../models/orm/exceptions.ts';
import { SUPERUSER_ID, type Context } from '../models/orm/env.ts';
import type { MethodSpec } from '../models/orm/model.ts';
import { checkBearer } from '../models/base/auth.ts';
import { pyStrRepr } from './xmlrpc_codec.ts';
import { pyJsonDecodeError } from './json_errors.ts';
import { nestedDeeperThan } from '../models/orm/pyargs.ts';

/** CPython's json decoder message when nesting exceeds its recursion limit. */
export const DEEP_JSON = 'maximum recursion depth exceeded while decoding a JSON array from a unicode string';
import { ajv } from '../models/tools/validation.ts';

const BEARER_RE = /^bearer\s+(.+)$/i;

// Shapes of a JSON-2 request body, compiled once: a JSON object (else 400), whose `context`,
// when given, is an object (else 422); the other keys are the method's named arguments.
const validBody = ajv.compile({ type: 'object' });
const validContext = ajv.compile({ type: 'object', properties: { context: { type: ['object', 'null'] } } });

export const JSON2_HINT = 'Did you mean POST /json/2/<model>/<method>?';

function sendJson2Error(res: ServerResponse, error: Json2Error): void {
  writeAnswer(res, error.status, { ...error.headers, ...JSON_CONTENT_TYPE }, JSON.stringify(error.body));
}

function isEmptyIds(ids: unknown): boolean {
  return ids === undefined || ids === null || ids === false || (Array.isArray(ids) && ids.length === 0);
}

/** GET/POST/... /json/2 and /json/2/<anything but model/method>: 404 with a hint. */
export function json2NotFound(ctx: RpcContext) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    sendJson2Error(res, toJson2Error(new HttpException(404, JSON2_HINT), ctx.logError));
  };
}

export function json2Handler(ctx: RpcContext) {
  return (req: IncomingMessage & { path: string; params: Record<string, unknown> }, res: ServerResponse): Promise<void> =>
    serveJson2(ctx, req, res, req.path, String(req.params.model), String(req.params.method));
}

/** One JSON-2 call on node's request and response (`path` and its model and method already routed). */
export async function serveJson2(ctx: RpcContext, req: IncomingMessage, res: ServerResponse, path: string, model: string, method: string): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const hasBody = declared > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && mimetype(req) !== 'application/json') {
    const answer = unsupportedMediaType(path, 'json2', true);
    writeAnswer(res, answer.status, answer.headers, answer.body);
    return;
  }
  const read = await readBody(req, ctx.maxBodySize);
  if (!read.ok) {
    sendJson2Error(res, toJson2Error(read.error));
    return;
  }
  let body: Record<string, unknown> = {};
  if (read.body.length) {
    let parsed: unknown;
    const text = read.body.toString('utf8');
    try {
      parsed = JSON.parse(text);
    } catch {
      sendJson2Error(res, json2BadJson(pyJsonDecodeError(text) ?? 'Expecting value: line 1 column 1 (char 0)'));
      return;
    }
    // Python's decoder gives up on deep nesting; refusing it here keeps every later walk safe
    if (nestedDeeperThan(parsed)) {
      sendJson2Error(res, json2BadJson(DEEP_JSON));
      return;
    }
    if (!validBody(parsed)) {
      sendJson2Error(res, toJson2Error(new HttpException(400, 'could not parse the body, expecting a json object')));
      return;
    }
    body = parsed as Record<string, unknown>;
  }
  // This server has one database: a header naming another one is a 404, never served silently.
  const dbHeader = req.headers['x-odoo-database'] as string | undefined;
  if (dbHeader !== undefined && dbHeader !== ctx.dbName) {
    sendJson2Error(res, toJson2Error(new HttpException(404, `database ${pyStrRepr(dbHeader)} not found`)));
    return;
  }
  const key = BEARER_RE.exec(req.headers.authorization ?? '')?.[1]?.trim();
  if (!key) {
    sendJson2Error(res, json2Unauthorized());
    return;
  }
  try {
    const result = await ctx.registry.transaction({ uid: SUPERUSER_ID, su: true, probeReadOnly: true }, async (env) => {
      const uid = await checkBearer(env, key);
      if (!uid) throw new HttpException(401, 'Invalid apikey', { 'WWW-Authenticate': 'Bearer ' });
      if (!ctx.registry.has(model)) throw new HttpException(404, `the model ${pyStrRepr(model)} does not exist`);
      let spec: MethodSpec;
      try {
        spec = resolveMethod(env, model, method);
      } catch (err) {
        if (err instanceof PyAttributeError) throw new HttpException(404, err.message);
        throw err;
      }
      // path parameters win over body keys of the same name, as in Odoo
      const named = { ...body };
      delete named.model;
      delete named.method;
      if (spec.api === 'model' && !isEmptyIds(named.ids)) throw new HttpException(422, `cannot call ${model}.${method} with ids`);
      const args = { ...named };
      delete args.ids;
      delete args.context;
      try {
        bindArguments(`${model}.${method}`, spec, [], args);
      } catch (err) {
        if (err instanceof PyTypeError) throw new HttpException(422, err.message);
        throw err;
      }
      if (!validContext(named)) throw new HttpException(422, 'context must be a JSON object');
      const context = named.context;
      // `context` replaces the environment's context
      const userEnv = env.withUser(uid).withNewContext((context as Context | null | undefined) ?? {});
      return callJson2(userEnv, model, method, named);
    });
    writeAnswer(res, 200, JSON_CONTENT_TYPE, JSON.stringify(result === undefined ? null : result));
  } catch (err) {
    sendJson2Error(res, toJson2Error(err, ctx.logError));
  }
}
