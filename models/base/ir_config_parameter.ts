// ir.config_parameter: system-wide key/value settings (web.base.url and friends).

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';

export const IrConfigParameter: ModelSpec = {
  _name: 'ir.config_parameter',
  _description: 'System Parameter',
  _rec_name: 'key',
  _order: 'key',
  _sql_constraints: [['key_uniq', 'unique (key)', 'Key must be unique.']],
  fields: {
    key: { type: 'char', string: 'Key', required: true, index: true },
    value: { type: 'text', string: 'Value', required: true },
  },
  methods: {
    // Odoo reads and writes through the ORM here: only settings administrators (the ACLs of
    // ir.config_parameter) may; internal code uses getParam/setParam below.
    get_param: {
      api: 'model',
      params: ['key', ['default', false]],
      fn: async (self, key: string, def: unknown) => {
        await self.checkAccess('read');
        return (await getParam(self.env, key)) || def;
      },
    },
    set_param: {
      api: 'model',
      params: ['key', 'value'],
      fn: async (self, key: string, value: unknown) => {
        await self.checkAccess('read');
        const old = await getParam(self.env, key);
        const remove = value === false || value === null;
        if (old !== undefined && remove) await self.checkAccess('unlink');
        else if (old !== undefined && String(value) !== old) await self.checkAccess('write');
        else if (old === undefined && !remove) await self.checkAccess('create');
        if (!(old !== undefined && !remove && String(value) === old)) await setParam(self.env, key, remove ? null : String(value));
        return old ?? false;
      },
    },
  },
};

/** Read a parameter without access checks (internal use). */
export async function getParam(env: Env, key: string): Promise<string | undefined> {
  const rows = await env.cr.query<{ value: string }>(sql`SELECT value FROM ir_config_parameter WHERE key = ${key}`);
  return rows[0]?.value;
}

export async function setParam(env: Env, key: string, value: string | null): Promise<void> {
  if (value === null) {
    await env.cr.execute(sql`DELETE FROM ir_config_parameter WHERE key = ${key}`);
    return;
  }
  await env.cr.execute(sql`INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)
    VALUES (${key}, ${value}, ${env.uid}, ${env.uid}, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date`);
}
