// Exception → wire mapping for every transport, as Odoo 19 does it (spec §2.1-2.3, §13):
// XML-RPC faults (int codes on /xmlrpc/2, string codes on legacy /xmlrpc), JSON-RPC error
// objects, JSON-2 status + body, and the raw HTTP answers for bodies Odoo refuses early.
// Our JS stack never reaches a client: unexpected errors are logged through the callback and
// shown as a Python-looking exception with the stack frames omitted.

import {
  AccessDenied,
  AccessError,
  LockError,
  MissingError,
  OdooError,
  RedirectWarning,
  SessionExpiredException,
  UserError,
} from '../models/orm/exceptions.ts';
import { pyFloatRepr, pyStrRepr } from './xmlrpc_codec.ts';

/** Receives unexpected (non-Odoo) errors so their JS stack is logged server-side. */
export type ErrorLogger = (err: unknown) => void;

export interface OdooErrorData {
  name: string;
  message: string;
  arguments: unknown[];
  context: Record<string, unknown>;
  debug: string;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data: OdooErrorData;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// The captures replace Odoo's frames by this line; we have no Python frames to show either.
const TRACEBACK_HEAD = 'Traceback (most recent call last):\n  [server stack frames omitted]\n';

// ---------------------------------------------------------------------------------------------
// werkzeug HTTP exceptions
// ---------------------------------------------------------------------------------------------

const WERKZEUG: Record<number, [name: string, title: string, description: string]> = {
  400: ['BadRequest', 'Bad Request', 'The browser (or proxy) sent a request that this server could not understand.'],
  401: ['Unauthorized', 'Unauthorized', "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required."],
  403: ['Forbidden', 'Forbidden', "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server."],
  404: ['NotFound', 'Not Found', 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.'],
  405: ['MethodNotAllowed', 'Method Not Allowed', 'The method is not allowed for the requested URL.'],
  409: ['Conflict', 'Conflict', 'A conflict happened while processing the request. The resource might have been modified while the request was being processed.'],
  413: ['RequestEntityTooLarge', 'Request Entity Too Large', 'The data value transmitted exceeds the capacity limit.'],
  415: ['UnsupportedMediaType', 'Unsupported Media Type', 'The server does not support the media type transmitted in the request.'],
  422: ['UnprocessableEntity', 'Unprocessable Entity', 'The request was well-formed but was unable to be followed due to semantic errors.'],
  500: ['InternalServerError', 'Internal Server Error', 'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.'],
};
const WERKZEUG_BY_NAME = new Map(Object.entries(WERKZEUG).map(([code, [name]]) => [`werkzeug.exceptions.${name}`, Number(code)]));

/** A werkzeug HTTPException (BadRequest, UnprocessableEntity, ...) raised by a controller. */
export class HttpException extends OdooError {
  readonly code: number;
  readonly headers: Record<string, string>;
  constructor(code: number, description?: string, headers: Record<string, string> = {}) {
    const known = WERKZEUG[code];
    if (!known) throw new RangeError(`no werkzeug exception for HTTP ${code}`);
    super(description ?? known[2]);
    this.odooName = `werkzeug.exceptions.${known[0]}`;
    this.code = code;
    this.headers = headers;
    this.args = []; // werkzeug calls Exception.__init__() without args
  }
}

// ---------------------------------------------------------------------------------------------
// Normalisation: any thrown value → the Python exception Odoo would have raised
// ---------------------------------------------------------------------------------------------

interface PyException {
  name: string; // module-qualified class name, e.g. builtins.ValueError
  args: unknown[];
  str: string; // str(exc)
  text: string; // odoo.tools.exception_to_unicode(exc)
  context: Record<string, unknown>;
  noTraceback: boolean; // AccessDenied hides its traceback
  http?: { code: number; description: string; headers: Record<string, string> };
}

// SQLSTATE → psycopg2.errors class, for the database errors worth naming.
const PG_ERRORS: Record<string, string> = {
  '23505': 'UniqueViolation',
  '23503': 'ForeignKeyViolation',
  '23502': 'NotNullViolation',
  '23514': 'CheckViolation',
  '22001': 'StringDataRightTruncation',
  '22003': 'NumericValueOutOfRange',
  '22P02': 'InvalidTextRepresentation',
  '40001': 'SerializationFailure',
  '40P01': 'DeadlockDetected',
  '42703': 'UndefinedColumn',
  '42P01': 'UndefinedTable',
  '55P03': 'LockNotAvailable',
  '57014': 'QueryCanceled',
};

function jsErrorName(err: Error): string {
  const pg = err as Error & { code?: unknown; severity?: unknown };
  if (typeof pg.code === 'string' && /^[0-9A-Z]{5}$/.test(pg.code) && typeof pg.severity === 'string') {
    return PG_ERRORS[pg.code] ? `psycopg2.errors.${PG_ERRORS[pg.code]}` : 'psycopg2.DatabaseError';
  }
  if (err instanceof RangeError && /call stack size/i.test(err.message)) return 'builtins.RecursionError';
  if (err instanceof TypeError) return 'builtins.TypeError';
  if (err instanceof RangeError || err instanceof SyntaxError || err instanceof URIError) return 'builtins.ValueError';
  if (err instanceof ReferenceError) return 'builtins.NameError';
  return 'builtins.Exception';
}

function describe(err: unknown, log?: ErrorLogger): PyException {
  if (err instanceof OdooError) {
    const code = err instanceof HttpException ? err.code : WERKZEUG_BY_NAME.get(err.odooName);
    if (code !== undefined) {
      const description = err.message;
      const str = `${code} ${WERKZEUG[code]![1]}: ${description}`;
      const headers = err instanceof HttpException ? err.headers : {};
      return { name: err.odooName, args: [], str, text: str, context: {}, noTraceback: false, http: { code, description, headers } };
    }
    const str = err.odooName === 'builtins.KeyError' && err.args.length === 1 ? pyRepr(err.args[0]) : pyExcStr(err.args);
    return {
      name: err.odooName,
      args: err.args,
      str,
      text: exceptionToUnicode(err.args, str),
      context: err.context ?? {},
      noTraceback: err instanceof AccessDenied,
    };
  }
  // a bug on our side: keep the JS stack in the logs, show only a Python-like exception line
  log?.(err);
  const name = err instanceof Error ? jsErrorName(err) : 'builtins.Exception';
  const message = err instanceof Error ? err.message : String(err);
  const args = message ? [message] : [];
  return { name, args, str: message, text: message, context: {}, noTraceback: false };
}

// Python's traceback prints builtins without their module.
function tracebackName(name: string): string {
  return name.startsWith('builtins.') ? name.slice('builtins.'.length) : name;
}

function formatException(exc: PyException): string {
  // a message ending in newlines ends the text once, as the captures show
  const str = exc.str.replace(/\n+$/, '');
  const line = str === '' ? `${tracebackName(exc.name)}\n` : `${tracebackName(exc.name)}: ${str}\n`;
  return exc.noTraceback ? line : TRACEBACK_HEAD + line;
}

// str(exc): the lone argument, else the repr of the args tuple.
function pyExcStr(args: unknown[]): string {
  if (args.length === 0) return '';
  if (args.length === 1) return pyStr(args[0]);
  return `(${args.map(pyRepr).join(', ')})`;
}

// odoo.tools.exception_to_unicode: the args joined by newlines.
function exceptionToUnicode(args: unknown[], str: string): string {
  return args.length ? args.map(pyStr).join('\n') : str;
}

function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return pyStrRepr(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  if (typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  }
  return pyStrRepr(String(v));
}

// ---------------------------------------------------------------------------------------------
// XML-RPC
// ---------------------------------------------------------------------------------------------

/**
 * Fault for /xmlrpc/2 (integer codes) or, with `legacy`, for /xmlrpc (string codes).
 * Serialize it with serializeFault(faultCode, faultString); the HTTP status stays 200.
 */
export function toXmlRpcFault(err: unknown, legacy = false, log?: ErrorLogger): { faultCode: number | string; faultString: string } {
  const exc = describe(err, log);
  if (legacy) {
    if (err instanceof RedirectWarning) return { faultCode: `warning -- Warning\n\n${exc.str}`, faultString: '' };
    if (err instanceof MissingError) return { faultCode: `warning -- MissingError\n\n${exc.str}`, faultString: '' };
    if (err instanceof AccessError) return { faultCode: `warning -- AccessError\n\n${exc.str}`, faultString: '' };
    if (err instanceof AccessDenied) return { faultCode: 'AccessDenied', faultString: exc.str };
    if (err instanceof UserError) return { faultCode: `warning -- UserError\n\n${exc.str}`, faultString: '' };
    return { faultCode: exc.text, faultString: formatException(exc) };
  }
  // first match wins, in Odoo's order
  if (err instanceof RedirectWarning) return { faultCode: 2, faultString: exc.str };
  if (err instanceof AccessError) return { faultCode: 4, faultString: exc.str };
  if (err instanceof AccessDenied) return { faultCode: 3, faultString: exc.str };
  if (err instanceof UserError) return { faultCode: 2, faultString: exc.str };
  return { faultCode: 1, faultString: formatException(exc) };
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC
// ---------------------------------------------------------------------------------------------

function serializeException(exc: PyException, fallbackContext: Record<string, unknown>): OdooErrorData {
  return {
    name: exc.name,
    message: exc.text,
    arguments: exc.args,
    context: Object.keys(exc.context).length ? exc.context : fallbackContext,
    debug: formatException(exc),
  };
}

/**
 * The `error` member of a JSON-RPC answer (HTTP 200). `context` fills `data.context` when the
 * exception carries none (Odoo: `getattr(exc, 'context', {})`).
 */
export function toJsonRpcError(err: unknown, context: Record<string, unknown> = {}, log?: ErrorLogger): JsonRpcErrorObject {
  const exc = describe(err, log);
  const data = serializeException(exc, context);
  if (exc.http?.code === 404) return { code: 404, message: '404: Not Found', data };
  if (err instanceof SessionExpiredException) return { code: 100, message: 'Odoo Session Expired', data };
  return { code: 0, message: 'Odoo Server Error', data };
}

/** 400 answer when the body is not JSON at all (no JSON-RPC envelope, text/html). */
export function jsonRpcInvalidJson(): HttpAnswer {
  return { status: 400, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: 'Invalid JSON data' };
}

/** 400 answer when the body is JSON but not an object. */
export function jsonRpcInvalidRequest(): HttpAnswer {
  return { status: 400, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: 'Invalid JSON-RPC data' };
}

/** Parse a JSON-RPC body the way Odoo's JsonRPCDispatcher does, or give the 400 to send. */
export function parseJsonRpcBody(
  body: string | Buffer,
): { ok: true; request: Record<string, unknown> } | { ok: false; answer: HttpAnswer } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return { ok: false, answer: jsonRpcInvalidJson() };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, answer: jsonRpcInvalidRequest() };
  return { ok: true, request: parsed as Record<string, unknown> };
}

// markupsafe.escape
function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;').replace(/"/g, '&#34;');
}

/** werkzeug's HTML error page for `code` (e.g. the 404 of an unknown route). */
export function werkzeugErrorPage(code: number, description?: string, headers: Record<string, string> = {}): HttpAnswer {
  const known = WERKZEUG[code];
  if (!known) throw new RangeError(`no werkzeug exception for HTTP ${code}`);
  const [, title, defaultDescription] = known;
  const body =
    '<!doctype html>\n<html lang=en>\n' +
    `<title>${code} ${htmlEscape(title)}</title>\n` +
    `<h1>${htmlEscape(title)}</h1>\n` +
    `<p>${htmlEscape(description ?? defaultDescription).replace(/\n/g, '<br>')}</p>\n`;
  return { status: code, headers: { 'Content-Type': 'text/html; charset=utf-8', ...headers }, body };
}

/** werkzeug's `redirect(location, code)`: the status, `Location` and its small "Redirecting..." page. */
export function werkzeugRedirect(location: string, code = 303): HttpAnswer {
  const body =
    '<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n' +
    `<p>You should be redirected automatically to the target URL: <a href="${htmlEscape(location)}">${htmlEscape(location)}</a>. If not, click the link.\n`;
  return { status: code, headers: { 'Content-Type': 'text/html; charset=utf-8', Location: location }, body };
}

/**
 * 415 for a jsonrpc/json2 route hit with a foreign Content-Type. `hasBody`: an empty body is
 * also compatible with json2, which shows in the message.
 */
export function unsupportedMediaType(path: string, routingType: 'jsonrpc' | 'json2' = 'jsonrpc', hasBody = true): HttpAnswer {
  const compatible = hasBody ? ['http'] : ['http', 'json2'];
  const description =
    `Request inferred type is compatible with [${compatible.map(pyStrRepr).join(', ')}] ` +
    `but ${pyStrRepr(path)} is type=${pyStrRepr(routingType)}.\n\n` +
    'Please verify the Content-Type request header and try again.';
  const accept = routingType === 'jsonrpc' ? 'application/json, application/json-rpc' : 'application/json';
  return werkzeugErrorPage(415, description, { Accept: accept });
}

// ---------------------------------------------------------------------------------------------
// JSON-2
// ---------------------------------------------------------------------------------------------

export interface Json2Error {
  status: number;
  headers: Record<string, string>;
  body: OdooErrorData;
}

// UserError.http_status and friends.
function json2Status(err: unknown): number {
  if (err instanceof AccessDenied || err instanceof AccessError) return 403;
  if (err instanceof MissingError) return 404;
  if (err instanceof LockError) return 409;
  if (err instanceof UserError) return 422;
  if (err instanceof SessionExpiredException) return 403;
  return 500;
}

/** Status, extra headers and JSON body of a failed JSON-2 call. */
export function toJson2Error(err: unknown, log?: ErrorLogger): Json2Error {
  const exc = describe(err, log);
  if (exc.http) {
    const { code, description, headers } = exc.http;
    const body = serializeException({ ...exc, args: [description, code] }, {});
    body.message = description;
    return { status: code, headers: { ...headers }, body };
  }
  return { status: json2Status(err), headers: {}, body: serializeException(exc, {}) };
}

/** 401 for a missing or invalid bearer key (werkzeug Unauthorized with a Bearer challenge). */
export function json2Unauthorized(
  message = 'User not authenticated, use an API Key with a Bearer Authorization header.',
): Json2Error {
  return toJson2Error(new HttpException(401, message, { 'WWW-Authenticate': 'Bearer ' }));
}

/** 400 for a JSON-2 body that does not parse; `detail` is the parser's message. */
export function json2BadJson(detail: string): Json2Error {
  return toJson2Error(new HttpException(400, `could not parse the body as json: ${detail}`));
}
