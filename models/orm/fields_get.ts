// fields_get(): field descriptions in Odoo 19's shape (spec §12). `attributes=[]` gives {}.

import type { RecordSet } from './records.ts';
import type { Field } from './fields.ts';

export function describeField(f: Field): Record<string, unknown> {
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
  d.searchable = f.searchable;
  d.sortable = f.sortable;
  d.groupable = f.groupable;
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
    case 'selection':
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
    const d = describeField(f);
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
