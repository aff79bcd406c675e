// /doc: the API documentation, as Odoo 19 gives one, generated from the registry at run time.
//   /doc            the models the logged-in user may read
//   /doc/<model>    its fields (type, required, relation, help) and public methods with their
//                   parameters, each with a ready-to-copy JSON-2 `curl` request and its XML-RPC
//                   equivalent (Python's xmlrpc.client)
// Logged-in users only; a model the user may not read is not listed and its page is a 403.

import type { Express, Request } from 'express';
import type { RpcContext } from './context.ts';
import type { Env } from '../models/orm/env.ts';
import type { Model, MethodSpec } from '../models/orm/model.ts';
import { AccessError } from '../models/orm/exceptions.ts';
import { renderTemplate } from '../models/tools/html_template.ts';
import { htmlAnswer, pageAs } from './web_login.ts';
import type { WebSession } from './session.ts';

interface Param {
  name: string;
  optional: boolean;
  default: string;
}

function paramsOf(spec: MethodSpec): Param[] {
  return (spec.params ?? []).map((p) => (Array.isArray(p) ? { name: p[0], optional: true, default: pyRepr(p[1]) } : { name: p, optional: false, default: '' }));
}

/** An example value for a parameter, by its Odoo name: what a first call would pass. */
function sampleValue(model: Model, name: string): unknown {
  const recName = model.recNameField && model.fields.has(model.recNameField) ? model.recNameField : 'display_name';
  switch (name) {
    case 'domain': case 'args': return [];
    case 'fields': case 'field_names': case 'specification': return name === 'specification' ? { display_name: {} } : ['display_name'];
    case 'allfields': return [recName];
    case 'attributes': return ['string', 'type', 'required', 'relation', 'help'];
    case 'limit': return 5;
    case 'offset': return 0;
    case 'order': return 'id';
    case 'vals_list': return [{ [recName]: 'New record' }];
    case 'vals': return { [recName]: 'New name' };
    case 'name': return '';
    case 'views': return [[false, 'list'], [false, 'form']];
    case 'groupby': return ['create_date:month'];
    case 'aggregates': return ['__count'];
    case 'view_type': return 'form';
    default: return null;
  }
}

/** The named arguments of an example call: required parameters, and the optional ones we have an example for. */
function sampleArgs(model: Model, spec: MethodSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of paramsOf(spec)) {
    const v = sampleValue(model, p.name);
    if (v !== null || !p.optional) out[p.name] = v;
  }
  return out;
}

function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${pyRepr(x)}`).join(', ')}}`;
}

function curlExample(base: string, db: string, model: string, method: string, body: Record<string, unknown>): string {
  const json = JSON.stringify(body).replace(/'/g, "'\\''");
  return [
    `curl -X POST '${base}/json/2/${model}/${method}' \\`,
    `  -H 'Authorization: bearer YOUR_API_KEY' \\`,
    `  -H 'X-Odoo-Database: ${db}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${json}'`,
  ].join('\n');
}

function xmlrpcExample(base: string, db: string, model: string, method: string, api: 'model' | 'record', args: Record<string, unknown>): string {
  const positional = api === 'record' ? '[[1]]' : '[]';
  return [
    'import xmlrpc.client',
    `url, db = ${JSON.stringify(base)}, ${JSON.stringify(db)}`,
    'uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, "YOUR_LOGIN", "YOUR_API_KEY", {})',
    'models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")',
    `print(models.execute_kw(db, uid, "YOUR_API_KEY", ${JSON.stringify(model)}, ${JSON.stringify(method)}, ${positional}, ${pyRepr(args)}))`,
  ].join('\n');
}

async function readableModels(env: Env): Promise<Model[]> {
  const out: Model[] = [];
  for (const m of [...env.registry.models.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (m.abstract) continue;
    if (env.su || (await env.registry.accessChecker?.(env, m.name, 'read', false)) !== false) out.push(m);
  }
  return out;
}

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

async function userName(env: Env, session: WebSession): Promise<string> {
  const [u] = await env.sudo().model('res.users').browse([session.uid]).fetch(['name']);
  return String(u?.name ?? session.login);
}

export function apiDocRoutes(app: Express, ctx: RpcContext): void {
  app.get('/doc', pageAs(ctx, async (env, _req, session) => {
    const models = (await readableModels(env)).map((m) => ({ name: m.name, description: m.description }));
    return htmlAnswer(200, renderTemplate('web/doc_index.html', { title: 'API documentation', user_name: await userName(env, session), models, count: models.length }));
  }));

  app.get('/doc/:model', pageAs(ctx, async (env, req, session) => {
    const name = String(req.params.model);
    if (!env.registry.has(name) || env.registry.get(name).abstract) throw new AccessError(`Model ${name} is not documented here`);
    const model = env.registry.get(name);
    // the same refusal as reading the model over RPC
    await env.model(name).checkAccess('read');
    const base = baseUrl(req);
    const fields = [...model.fields.values()].map((f) => ({
      name: f.name, type: f.type, string: f.string, required: f.required, readonly: f.readonly, relation: f.comodel ?? '', help: f.spec.help ?? '',
    }));
    const methods = [...model.methods.entries()]
      .filter(([n, spec]) => !spec.private && !n.startsWith('_'))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([n, spec]) => {
        const args = sampleArgs(model, spec);
        const body = spec.api === 'record' ? { ids: [1], ...args } : args;
        return {
          name: n, api: spec.api === 'record' ? 'on records (ids)' : 'on the model',
          params: paramsOf(spec), has_params: paramsOf(spec).length > 0,
          curl: curlExample(base, ctx.dbName, name, n, body),
          xmlrpc: xmlrpcExample(base, ctx.dbName, name, n, spec.api, args),
        };
      });
    return htmlAnswer(200, renderTemplate('web/doc_model.html', {
      title: `${name} – API documentation`, user_name: await userName(env, session), model: { name, description: model.description }, fields, methods,
    }));
  }));
}
