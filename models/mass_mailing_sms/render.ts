// SMS bodies for a batch of recipients: the mailing's inline template rendered from ONE batched
// read of the field paths it uses (no evaluation, only the record's own fields and relations),
// then the body filters. Unknown paths are refused when the mailing is saved (checkTemplatePaths).

import type { Env } from '../orm/env.ts';
import type { Model } from '../orm/model.ts';
import { renderInlineTemplate, templatePaths, type TemplatePart } from '../tools/inline_template.ts';

/** What a body filter knows about each body of the batch (arrays aligned with the bodies). */
export interface BodyFilterContext {
  env: Env;
  mailing: { id: number; campaign_id: number | false; source_id: number | false; medium_id: number | false; sms_allow_unsubscribe: boolean };
  resIds: number[];
  /** The trace code (3 chars) of each recipient. */
  codes: string[];
  /** Whether each SMS will be sent (false: a cancelled trace, no sms.sms). */
  sendable: boolean[];
}

export type BodyFilter = (bodies: string[], ctx: BodyFilterContext) => Promise<string[]> | string[];

/**
 * Post-rendering steps of Odoo's mass SMS pipeline (sms.composer `_prepare_mass_sms_values`), run
 * on every batch after link shortening (prepare.ts: links become `<base>/r/<code>`, each SMS's own
 * `/s/<sms id>` is added in SQL where prepare.ts marked it). The opt-out line is not a filter:
 * prepare.ts appends "\nSTOP SMS: <base>/sms/<mailing>/<trace code>" in SQL after these filters,
 * on sendable SMS of `sms_allow_unsubscribe` mailings.
 * While it is empty, placeholder-free bodies are inserted as SQL constants.
 */
export const SMS_BODY_FILTERS: BodyFilter[] = [];

export async function applyBodyFilters(bodies: string[], ctx: BodyFilterContext): Promise<string[]> {
  let out = bodies;
  for (const filter of SMS_BODY_FILTERS) out = await filter(out, ctx);
  return out;
}

// Python's str() of a field value as inline_template prints it.
function pyText(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return false;
  if ((type === 'float' || type === 'monetary') && typeof value === 'number') return Number.isInteger(value) ? `${value}.0` : String(value);
  return value;
}

type Values = Map<number, Map<string, unknown>>;

/**
 * Values of `paths` (field names from the record, e.g. ['partner_id', 'name']) for `ids`, one
 * query per model and level. many2one leaves come as [id, display name], x2many leaves as the
 * display names, like the ORM reads them.
 */
export async function readTemplatePaths(env: Env, model: Model, ids: number[], paths: string[][]): Promise<Values> {
  const out: Values = new Map(ids.map((id) => [id, new Map()]));
  if (!ids.length || !paths.length) return out;
  const recs = env.model(model.name).sudo().withContext({ active_test: false }).browse(ids);
  const heads = [...new Set(paths.map((p) => p[0]))];
  const rows = await recs.fetchValues(heads);
  for (const head of heads) {
    const field = model.fields.get(head)!;
    const sub = paths.filter((p) => p[0] === head && p.length > 1).map((p) => p.slice(1));
    const leaf = paths.some((p) => p[0] === head && p.length === 1);
    const key = head;
    if (!field.isRelational) {
      for (const id of ids) out.get(id)!.set(key, pyText(field.type, rows.get(id)?.[head]));
      continue;
    }
    const targets = new Set<number>();
    for (const id of ids) {
      const v = rows.get(id)?.[head];
      if (Array.isArray(v)) v.forEach((x) => targets.add(x as number));
      else if (v) targets.add(v as number);
    }
    const comodel = env.registry.get(field.comodel!);
    const names = leaf && targets.size ? await env.model(comodel.name).sudo().browse([...targets]).displayNames() : new Map<number, string>();
    const deeper = sub.length ? await readTemplatePaths(env, comodel, [...targets], sub) : null;
    for (const id of ids) {
      const v = rows.get(id)?.[head];
      const vals = out.get(id)!;
      const list = Array.isArray(v) ? (v as number[]) : v ? [v as number] : [];
      if (leaf) {
        if (field.type === 'many2one') vals.set(key, list.length ? [list[0], names.get(list[0]) ?? ''] : false);
        else vals.set(key, list.map((x) => names.get(x) ?? ''));
      }
      if (deeper) {
        for (const p of sub) {
          const k = `${head}.${p.join('.')}`;
          if (field.type === 'many2one') {
            vals.set(k, list.length ? deeper.get(list[0])?.get(p.join('.')) ?? false : false);
          } else {
            // x2many.attribute: Python maps over the records (mapped values).
            const mapped = list.map((x) => deeper.get(x)?.get(p.join('.'))).filter((x) => x !== false && x !== null && x !== undefined);
            vals.set(k, mapped.flat());
          }
        }
      }
    }
  }
  return out;
}

/** Render `parts` for each id of `ids` (aligned). Placeholder-free templates cost no query. */
export async function renderSmsBodies(env: Env, modelName: string, parts: TemplatePart[], ids: number[]): Promise<string[]> {
  const paths = templatePaths(parts);
  if (!paths.length) {
    const text = renderInlineTemplate(parts, () => false);
    return ids.map(() => text);
  }
  const values = await readTemplatePaths(env, env.registry.get(modelName), ids, paths);
  return ids.map((id) => {
    const vals = values.get(id);
    return renderInlineTemplate(parts, (path) => vals?.get(path.join('.')) ?? false);
  });
}
