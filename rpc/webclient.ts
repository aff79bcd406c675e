// What Odoo's web client asks once logged in, for the SMS Marketing menus and their actions:
//
//   GET  /web/webclient/load_menus         the user's menus (ir.ui.menu.load_web_menus), JSON
//   POST /web/action/load                  JSON-RPC {action_id, context}: the action to run
//
// Session-authenticated as the other /web routes; menus are filtered by the user's groups and
// read access to what their actions open (ir_ui_menu.ts).

import type { Express } from 'express';
import type { RpcContext } from './context.ts';
import type { Env } from '../models/orm/env.ts';
import type { RecordSet } from '../models/orm/records.ts';
import { UserError, PyTypeError } from '../models/orm/exceptions.ts';
import { loadWebMenus } from '../models/base/ir_ui_menu.ts';
import { xmlidLookup } from '../models/base/ir_model_data.ts';
import { asSessionUser, jsonRpcRoute, requireParams, requireSession, type JsonRpcHandler } from './jsonrpc.ts';
import { pageAs } from './web_login.ts';

/** odoo.addons.web.controllers.action.MissingActionError */
export class MissingActionError extends UserError {
  override odooName = 'odoo.addons.web.controllers.action.MissingActionError';
}

// Action types a menu may open here, and the fields of each the web client may read (Odoo 19's
// _get_readable_fields: the base set of ir.actions.actions plus each type's own).
const READABLE_BASE = ['binding_model_id', 'binding_type', 'binding_view_types', 'display_name', 'help', 'id', 'name', 'type', 'xml_id', 'path'];
const READABLE: Record<string, string[]> = {
  'ir.actions.act_window': [...READABLE_BASE, 'context', 'cache', 'mobile_view_mode', 'domain', 'filter', 'group_ids', 'limit', 'res_id', 'res_model',
    'search_view_id', 'target', 'view_id', 'view_mode', 'views', 'embedded_action_ids', 'close_on_report_download'],
  'ir.actions.server': [...READABLE_BASE, 'group_ids', 'model_name'],
};

/** Python's int() of a JSON value: a number (truncated) or a decimal string, else ValueError (null) or TypeError. */
function pyInt(value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string') return /^\s*[+-]?\d+(_\d+)*\s*$/.test(value) ? Number(value.replace(/_/g, '')) : null;
  throw new PyTypeError(`int() argument must be a string, a bytes-like object or a real number, not '${value === null ? 'NoneType' : Array.isArray(value) ? 'list' : 'dict'}'`);
}

/** The action of `id` (its type found by id, as Odoo's ir.actions.actions does), or null. */
async function actionOfId(env: Env, id: number): Promise<RecordSet | null> {
  for (const type of Object.keys(READABLE)) {
    if (!env.registry.has(type)) continue;
    const found = await env.sudo().model(type).withContext({ active_test: false }).browse([id]).call<RecordSet>('exists');
    if (found.ids.length) return found;
  }
  return null;
}

/** /web/action/load: Odoo's Action.load. */
export async function loadAction(env: Env, actionId: unknown): Promise<Record<string, unknown> | false> {
  let id = pyInt(actionId);
  if (id === null) {
    const name = String(actionId);
    try {
      if (name.includes('.')) {
        const [model, resId] = await xmlidLookup(env, name);
        if (!model.startsWith('ir.actions.')) throw new Error(model);
        id = resId;
      } else {
        id = null;
        for (const type of Object.keys(READABLE)) {
          if (!env.registry.has(type) || !env.registry.get(type).fields.has('path')) continue;
          const [found] = (await env.sudo().model(type).search([['path', '=', name]], { limit: 1 })).ids;
          if (found) {
            id = found;
            break;
          }
        }
        if (id === null) throw new Error(name);
      }
    } catch {
      throw new MissingActionError(`The action “${name}” does not exist.`);
    }
  }
  const action = await actionOfId(env, id);
  if (!action) throw new MissingActionError(`The action “${id}” does not exist`);
  const fields = READABLE[action.model.name].filter((f) => action.model.fields.has(f));
  const [row] = await action.sudo().read(fields);
  if (!row) return false;
  // Odoo 19 always answers a window action's embedded actions (none here)
  const embedded = action.model.name === 'ir.actions.act_window' && !('embedded_action_ids' in row) ? { embedded_action_ids: [] } : {};
  return { ...row, ...embedded, type: row.type || action.model.name };
}

function webActionLoad(ctx: RpcContext): JsonRpcHandler {
  return async (params, req) => {
    requireParams('load', params, ['action_id']);
    const session = await requireSession(ctx, req);
    const extra = params.context && typeof params.context === 'object' && !Array.isArray(params.context) ? (params.context as Record<string, unknown>) : {};
    return asSessionUser(ctx, session, (env) => loadAction(env.withContext(extra), params.action_id));
  };
}

export function webClientRoutes(app: Express, ctx: RpcContext): void {
  app.get('/web/webclient/load_menus', pageAs(ctx, async (env, req) => {
    const lang = typeof req.query.lang === 'string' && req.query.lang ? req.query.lang : undefined;
    const menus = await loadWebMenus(lang ? env.withContext({ lang }) : env, false);
    return { status: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify(menus) };
  }));
  app.all('/web/action/load', jsonRpcRoute(ctx, webActionLoad(ctx)));
}
