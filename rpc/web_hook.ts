// GET|POST /web/hook/<uuid> (base_automation, public): run the automation rule whose webhook_uuid
// is <uuid> on the record its payload names (JSON body, else the query arguments). Answers as
// Odoo: {"status": "ok"} 200, unknown uuid {"status": "error"} 404, a failing rule 500 (its
// transaction rolled back).

import express, { type Request, type Response, type NextFunction, type RequestHandler } from 'express';
import type { RpcContext } from './context.ts';
import { SUPERUSER_ID } from '../models/orm/env.ts';
import { sql } from '../models/orm/sql.ts';

function answer(res: Response, status: number, body: Record<string, unknown>): void {
  res.status(status).set('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}

/** Odoo's get_webhook_request_payload: the JSON body, else the query arguments. */
function payloadOf(req: Request): Record<string, unknown> {
  const text = typeof req.body === 'string' ? req.body : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  if (text.trim()) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      /* not JSON: the query arguments, as Odoo */
    }
  }
  return { ...(req.query as Record<string, unknown>) };
}

export function webHook(ctx: RpcContext): RequestHandler[] {
  const body = express.text({ type: () => true, limit: ctx.maxBodySize });
  const handler: RequestHandler = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const uuid = String(req.params.uuid);
      const payload = payloadOf(req);
      let found = true;
      await ctx.registry.transaction({ uid: SUPERUSER_ID, su: true }, async (env) => {
        if (!env.registry.has('base.automation')) {
          found = false;
          return;
        }
        const rows = await env.cr.query<{ id: number }>(sql`SELECT id FROM base_automation WHERE webhook_uuid = ${uuid} AND active LIMIT 1`);
        if (!rows.length) {
          found = false;
          return;
        }
        await env.model('base.automation').browse([rows[0].id]).call('_execute_webhook', payload);
      }).catch((err: unknown) => {
        ctx.logger.warn({ err, uuid }, 'webhook failed');
        throw Object.assign(new Error('webhook failed'), { webhookFailed: true });
      });
      if (!found) return answer(res, 404, { status: 'error' });
      answer(res, 200, { status: 'ok' });
    } catch (err) {
      if ((err as { webhookFailed?: boolean }).webhookFailed) return answer(res, 500, { status: 'error' });
      next(err);
    }
  };
  return [body, handler];
}
