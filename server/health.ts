// GET /web/health for load balancers, shaped like Odoo 19's (addons/web/controllers/home.py):
// `{"status": "pass"}` without touching the database; with `?db_server_status=1` the database is
// probed too (a short query that also checks every model's table exists, i.e. the schema was
// brought up to date) and `db_server_status: true|false` is added. A failed probe answers 503
// with `"status": "fail"` (Odoo answers 500; 503 is what load balancers read as "not ready").

import type { Request, Response } from 'express';
import type { Registry } from '../models/orm/registry.ts';

/** How long the database probe may take before the instance is reported unhealthy. */
export const HEALTH_DB_TIMEOUT_MS = 2000;

// Python's truthiness of a query-string value: any non-empty string.
function asked(value: unknown): boolean {
  return typeof value === 'string' ? value !== '' : Array.isArray(value) ? value.length > 0 : false;
}

/** Database reachable within the timeout and every model's table present. */
export async function databaseReady(registry: Registry, timeoutMs = HEALTH_DB_TIMEOUT_MS): Promise<boolean> {
  const tables = [...registry.models.values()].filter((m) => !m.abstract).map((m) => m.table);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = registry.pool
    .query<{ missing: number }>('SELECT count(*)::int AS missing FROM unnest($1::text[]) AS t(name) WHERE to_regclass(quote_ident(t.name)) IS NULL', [tables])
    .then((r) => r.rows[0]?.missing === 0)
    .catch(() => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function webHealth(registry: Registry) {
  return async (req: Request, res: Response): Promise<void> => {
    const info: Record<string, unknown> = { status: 'pass' };
    let status = 200;
    if (asked(req.query.db_server_status)) {
      const ok = await databaseReady(registry);
      info.db_server_status = ok;
      if (!ok) {
        info.status = 'fail';
        status = 503;
      }
    }
    res.status(status).set({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).send(JSON.stringify(info));
  };
}
