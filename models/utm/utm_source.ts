// utm.source (unique names) and utm.source.mixin: records such as mailings own a source whose
// name mirrors theirs; it is created from the record's title when no name is given.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { PyValueError } from '../orm/exceptions.ts';
import { getUniqueNames } from './utm_mixin.ts';
import { sql } from '../orm/sql.ts';

export const UtmSource: ModelSpec = {
  _name: 'utm.source',
  _description: 'UTM Source',
  _sql_constraints: [['unique_name', 'UNIQUE(name)', 'The name must be unique']],
  fields: {
    name: { type: 'char', string: 'Source Name', required: true },
  },
  methods: {
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...v }));
        const names = await getUniqueNames(self.env, 'utm.source', list.map((v) => v.name as string));
        list.forEach((v, i) => (v.name = names[i]));
        return this.super(list);
      },
    },
  },
};

/**
 * Odoo's `utm.source._generate_name(record, content)`: the record's title on one line, cut to 20
 * characters + "..." from 24 characters on, then "(<model description> created on <date>)".
 */
export async function generateSourceName(env: Env, modelName: string, content: unknown, createDate?: string | null): Promise<string | false> {
  if (!content || typeof content !== 'string') return false;
  let text = content.replace(/\n/g, ' ');
  if ([...text].length >= 24) text = `${[...text].slice(0, 20).join('')}...`;
  const date = (createDate || new Date().toISOString()).slice(0, 10);
  const rows = await env.cr.query<{ name: string }>(sql`SELECT name FROM ir_model WHERE model = ${modelName}`);
  const description = rows[0]?.name ?? env.registry.get(modelName).description;
  return `${text} (${description} created on ${date})`;
}

// The mixin's create/write/copy_data behaviour as helpers: models using the mixin call them from
// their own overrides (stacking several mixins that each override `create` is not supported by
// the registry, so the mixin declares fields only).

/** Create the missing sources (one batch) and drop `name` from the values, like the mixin's create. */
export async function utmSourceMixinPrepareCreate(self: RecordSet, valsList: Vals[]): Promise<Vals[]> {
  const recName = self.model.recNameField ?? 'name';
  const list = valsList.map((v) => ({ ...v }));
  const missing = list.filter((v) => !v.source_id);
  if (missing.length) {
    const sourceVals: Vals[] = [];
    for (const v of missing) sourceVals.push({ name: (v.name as string) || (await generateSourceName(self.env, self.model.name, v[recName])) });
    const sources = await self.env.model('utm.source').sudo().create(sourceVals);
    missing.forEach((v, i) => (v.source_id = sources.ids[i]));
  }
  for (const v of list) delete v.name;
  return list;
}

/** The mixin's write: a new title renames the source; names stay unique. */
export async function utmSourceMixinPrepareWrite(self: RecordSet, vals: Vals): Promise<Vals> {
  const recName = self.model.recNameField ?? 'name';
  const out = { ...vals };
  if ((out[recName] || out.name) && self.ids.length > 1) {
    throw new PyValueError('You cannot update multiple records with the same name. The name should be unique!');
  }
  if (out[recName] && !out.name) {
    // "<title> (<model> created on <the record's creation date>)"
    const [row] = self.ids.length === 1 ? await self.fetch(['create_date']) : [];
    out.name = await generateSourceName(self.env, self.model.name, out[recName], (row?.create_date as string) || null);
  }
  if (out.name) {
    const rows = await self.fetch(['source_id']);
    const skip = rows.map((r) => r.source_id).filter(Boolean) as number[];
    out.name = (await getUniqueNames(self.env, 'utm.source', [out.name as string], skip))[0];
  }
  return out;
}

/** The mixin's copy_data: the copy's name gets the next free counter of the source name. */
export async function utmSourceMixinCopyNames(self: RecordSet, valsList: Vals[], defaultName?: unknown): Promise<Vals[]> {
  const rows = await self.fetch(['name']);
  for (let i = 0; i < valsList.length; i++) {
    const base = (defaultName as string) || (rows[i]?.name as string) || '';
    valsList[i].name = (await getUniqueNames(self.env, 'utm.source', [base]))[0];
  }
  return valsList;
}
