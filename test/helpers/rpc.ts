// An app (server/app.ts) on a fresh database per suite, driven without listening (supertest),
// plus small helpers to speak XML-RPC, JSON-RPC and JSON-2 to it.

import type { Express } from 'express';
import request from 'supertest';
import { serializeMethodCall, type XmlRpcValue } from '@foxglove/xmlrpc';
import { createRegistry } from '../../server/bootstrap.ts';
import { createApp, syncAdminPassword } from '../../server/app.ts';
import { freshDatabase, testLogger, type FreshDatabase } from './db.ts';
import type { Registry } from '../../models/orm/registry.ts';
import type { RegistryConfig } from '../../models/orm/config.ts';
import type { Env } from '../../models/orm/env.ts';
import { parseMethodCall } from '../../rpc/xmlrpc_codec.ts';
import { installAccessChecker } from '../../models/base/ir_model_access.ts';

export const ADMIN_PASSWORD = 'admin-test-pw';
export const MAX_BODY_SIZE = 8 * 1024 * 1024;

export interface RpcTestApp {
  app: Express;
  registry: Registry;
  db: FreshDatabase;
  dbName: string;
  /** Run `fn` in one superuser transaction. */
  env<T>(fn: (env: Env) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface RpcTestAppOptions {
  maxBodySize?: number;
  proxyMode?: boolean;
  /** How the registry reaches the fresh database (default: directly), e.g. through a pooler. */
  connectionString?: (db: FreshDatabase) => string;
  /** Registry configuration (default: from the environment). */
  config?: RegistryConfig | ((db: FreshDatabase) => RegistryConfig);
  poolSize?: number;
}

export async function rpcTestApp(opts: RpcTestAppOptions = {}): Promise<RpcTestApp> {
  const db = await freshDatabase();
  const registry = createRegistry(opts.connectionString?.(db) ?? db.connectionString, opts.poolSize ?? 5, { config: typeof opts.config === 'function' ? opts.config(db) : opts.config });
  // the data loaders install the ACL checker on server start; createRegistry() on a copied
  // database does not run them, so install it here as the security layer asks
  if (!registry.accessChecker) installAccessChecker(registry);
  await syncAdminPassword(registry, ADMIN_PASSWORD);
  const app = createApp(registry, { dbName: db.name, adminPassword: ADMIN_PASSWORD, maxBodySize: opts.maxBodySize ?? MAX_BODY_SIZE, proxyMode: opts.proxyMode }, testLogger());
  return {
    app,
    registry,
    db,
    dbName: db.name,
    env: (fn) => registry.sudo(fn),
    close: async () => {
      await registry.close();
      await db.drop();
    },
  };
}

export interface XmlRpcAnswer {
  status: number;
  contentType: string;
  text: string;
  /** The decoded result, when not a fault. */
  value?: unknown;
  fault?: { faultCode: number | string; faultString: string };
}

/** Decode a methodResponse with our own parser (a response is a call without methodName). */
export function decodeXmlRpcResponse(text: string): { value?: unknown; fault?: { faultCode: number | string; faultString: string } } {
  const isFault = /<fault>/.test(text);
  const asCall = text
    .replace(/<methodResponse>/, '<methodCall><methodName>r</methodName>')
    .replace(/<\/methodResponse>/, '</methodCall>')
    .replace(/<fault>/, '<params><param>')
    .replace(/<\/fault>/, '</param></params>');
  const { params } = parseMethodCall(asCall);
  if (isFault) return { fault: params[0] as { faultCode: number | string; faultString: string } };
  return { value: params[0] };
}

/** POST an XML-RPC call (params marshalled by @foxglove/xmlrpc, as a third-party client would). */
export async function xmlrpc(app: Express, path: string, method: string, params: unknown[]): Promise<XmlRpcAnswer> {
  return xmlrpcRaw(app, path, serializeMethodCall(method, params as XmlRpcValue[]));
}

export async function xmlrpcRaw(app: Express, path: string, body: string | Buffer): Promise<XmlRpcAnswer> {
  const res = await request(app).post(path).set('Content-Type', 'text/xml').send(body);
  const text = res.text;
  const answer: XmlRpcAnswer = { status: res.status, contentType: String(res.headers['content-type']), text };
  if (res.status === 200 && text.includes('<methodResponse>')) Object.assign(answer, decodeXmlRpcResponse(text));
  return answer;
}

export async function jsonrpc(app: Express, service: string, method: string, args: unknown[], id: unknown = 7): Promise<any> {
  const res = await request(app)
    .post('/jsonrpc')
    .set('Content-Type', 'application/json')
    .send(JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id }));
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text}`);
  return JSON.parse(res.text);
}

/** execute_kw over JSON-RPC as admin; returns the whole envelope. */
export function executeKw(t: RpcTestApp, model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>, uid: unknown = 2, password: unknown = ADMIN_PASSWORD): Promise<any> {
  const a: unknown[] = [t.dbName, uid, password, model, method, args];
  if (kwargs !== undefined) a.push(kwargs);
  return jsonrpc(t.app, 'object', 'execute_kw', a);
}

/** execute_kw over JSON-RPC as admin; the result, or throws with the error's data.message. */
export async function call(t: RpcTestApp, model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<any> {
  const body = await executeKw(t, model, method, args, kwargs);
  if (body.error) throw new Error(`${body.error.data.name}: ${body.error.data.message}`);
  return body.result;
}

export async function webJson(app: Express, path: string, params: unknown, cookie?: string, id: unknown = 1): Promise<{ status: number; headers: Record<string, any>; body: any; text: string }> {
  let r = request(app).post(path).set('Content-Type', 'application/json');
  if (cookie) r = r.set('Cookie', cookie);
  const res = await r.send(JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id }));
  let body: any;
  try {
    body = JSON.parse(res.text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text: res.text };
}

/** A user created over RPC as admin (no groups unless given), with a password. */
export async function createUser(t: RpcTestApp, login: string, password: string, vals: Record<string, unknown> = {}): Promise<number> {
  return call(t, 'res.users', 'create', [{ name: login, login, password, ...vals }]);
}

/**
 * An API key for `login`, made over RPC as Odoo's UI does it: `res.users.apikeys.description`
 * create + `make_key`, whose action carries the key in `context.default_key`. Undefined when the
 * server has no API keys.
 */
export async function makeApiKey(t: RpcTestApp, uid: number, password: string, name = 'test key', vals: Record<string, unknown> = {}): Promise<string | undefined> {
  if (!t.registry.has('res.users.apikeys.description')) return undefined;
  const created = await executeKw(t, 'res.users.apikeys.description', 'create', [{ name, ...vals }], undefined, uid, password);
  if (created.error) throw new Error(`${created.error.data.name}: ${created.error.data.message}`);
  const made = await executeKw(t, 'res.users.apikeys.description', 'make_key', [[created.result]], undefined, uid, password);
  if (made.error) throw new Error(`${made.error.data.name}: ${made.error.data.message}`);
  const key = made.result?.context?.default_key;
  if (typeof key !== 'string' || !/^[0-9a-f]{40}$/.test(key)) throw new Error(`make_key did not return a key: ${JSON.stringify(made.result)}`);
  return key;
}
