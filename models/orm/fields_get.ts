// fields_get(): field descriptions in Odoo 19's shape (spec §12). `attributes=[]` gives {}.

import type { RecordSet } from './records.ts';
import type { Field } from './fields.ts';
import type { Registry } from './registry.ts';

/**
 * The field a non-stored related field ends on, when its path only goes through many2one fields
 * (Odoo can then order and group by it through joins); undefined otherwise.
 */
function relatedTarget(registry: Registry, f: Field, depth = 0): Field | undefined {
  if (depth > 8 || !f.spec.related) return undefined;
  let model = registry.models.get(f.modelName);
  const parts = f.spec.related.split('.');
  for (let i = 0; i < parts.length; i++) {
    const pf = model?.fields.get(parts[i]);
    if (!pf) return undefined;
    if (i === parts.length - 1) return pf;
    if (pf.type !== 'many2one' || !(pf.store || pf.isRelated)) return undefined;
    // A non-stored related many2one on the way continues along its own path.
    if (!pf.store && !relatedTarget(registry, pf, depth + 1)) return undefined;
    model = registry.models.get(pf.comodel!);
  }
  return undefined;
}

/** Odoo's sortable / groupable of a field: a non-stored related field inherits its target's. */
function describeSortGroup(registry: Registry | undefined, f: Field, depth = 0): { sortable: boolean; groupable: boolean } {
  if (f.store || !f.isRelated || !registry || depth > 8) return { sortable: f.sortable, groupable: f.groupable };
  const target = relatedTarget(registry, f);
  if (!target) return { sortable: false, groupable: false };
  return describeSortGroup(registry, target, depth + 1);
}

/** The field a related field finally mirrors, following related fields on the way; undefined when the path breaks. */
function relatedEnd(registry: Registry, f: Field, depth = 0): Field | undefined {
  if (depth > 8 || !f.spec.related) return f;
  let model = registry.models.get(f.modelName);
  const parts = f.spec.related.split('.');
  for (let i = 0; i < parts.length - 1; i++) model = registry.models.get(model?.fields.get(parts[i])?.comodel ?? '');
  const end = model?.fields.get(parts[parts.length - 1]);
  return end && relatedEnd(registry, end, depth + 1);
}

/** Odoo's searchable: a related field is searchable when the field it ends on is. */
function describeSearchable(registry: Registry | undefined, f: Field): boolean {
  if (!f.isRelated || f.store || !registry) return f.searchable;
  const end = relatedEnd(registry, f);
  return end ? end.searchable : f.searchable;
}

export function describeField(f: Field, registry?: Registry): Record<string, unknown> {
  const d: Record<string, unknown> = {
    type: f.type,
    string: f.string,
  };
  if (f.spec.help) d.help = f.spec.help;
  d.store = f.store;
  d.manual = false;
  if (f.spec.related) d.related = f.spec.related;
  d.company_dependent = false;
  d.readonly = f.readonly || !!f.spec.automatic && f.name !== 'display_name' || f.name === 'display_name';
  d.required = f.required;
  if (f.spec.groups) d.groups = f.spec.groups;
  d.change_default = false;
  d.default_export_compatible = !!f.spec.defaultExportCompatible;
  d.exportable = true;
  d.depends = f.spec.depends ?? (f.spec.related ? [f.spec.related] : []);
  // The ORM-made display_name depends on the record name field (Odoo: `[_rec_name]`).
  if (f.name === 'display_name' && f.spec.automatic && !f.spec.depends && registry) {
    const recName = registry.models.get(f.modelName)?.recNameField;
    d.depends = recName && recName !== 'display_name' ? [recName] : [];
  }
  d.searchable = describeSearchable(registry, f);
  const sg = describeSortGroup(registry, f);
  d.sortable = sg.sortable;
  d.groupable = sg.groupable;
  const agg = f.aggregator;
  if (agg) d.aggregator = agg;
  d.name = f.name;
  switch (f.type) {
    case 'char':
      d.translate = !!f.spec.translate;
      d.trim = true;
      if (f.spec.size) d.size = f.spec.size;
      break;
    case 'text': case 'html':
      d.translate = !!f.spec.translate;
      break;
    case 'float':
      if (f.spec.digits) d.digits = f.spec.digits;
      break;
    case 'monetary':
      d.currency_field = f.spec.currencyField ?? 'currency_id';
      break;
    case 'selection': case 'reference':
      d.selection = f.spec.selection ?? [];
      break;
    case 'many2one': case 'one2many': case 'many2many':
      d.relation = f.comodel;
      d.domain = f.spec.domain ?? [];
      d.context = f.spec.context ?? {};
      if (f.type === 'one2many') d.relation_field = f.spec.inverseName;
      break;
  }
  return d;
}

export function fieldsGet(self: RecordSet, allfields: unknown, attributes: unknown): Record<string, Record<string, unknown>> {
  const wanted = Array.isArray(allfields) && allfields.length ? new Set(allfields as string[]) : null;
  // None means every attribute; an empty list means none.
  const attrs = attributes === null || attributes === undefined || attributes === false ? null : Array.isArray(attributes) ? new Set(attributes as string[]) : null;
  const out: Record<string, Record<string, unknown>> = {};
  for (const f of self.model.fields.values()) {
    if (wanted && !wanted.has(f.name)) continue;
    const d = describeField(f, self.env.registry);
    if (attrs) {
      const filtered: Record<string, unknown> = {};
      for (const a of attrs) if (a in d) filtered[a] = d[a];
      out[f.name] = filtered;
    } else {
      out[f.name] = d;
    }
  }
  return out;
}
