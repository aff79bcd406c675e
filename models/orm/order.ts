// Parsing and validation of `order` specifications ("name desc nulls last, id").
// Anything outside the grammar is refused before any SQL is built (no injection possible).

import type { Model } from './model.ts';
import { UserError, PyValueError } from './exceptions.ts';

export interface OrderTerm {
  field: string;
  direction: 'ASC' | 'DESC';
  nulls?: 'NULLS FIRST' | 'NULLS LAST';
}

const TERM_RE = /^\s*([a-z_][a-z0-9_]*)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$/i;

// Parsed orders per model: a model's fields never change once its registry is built.
const parsed = new WeakMap<Model, Map<string, readonly OrderTerm[]>>();
const MAX_CACHED_PER_MODEL = 1000;

/** The terms of `order` on `model` (validated; the same frozen list for the same text). */
export function parseOrder(order: string, model: Model): readonly OrderTerm[] {
  let byText = parsed.get(model);
  const hit = byText?.get(order);
  if (hit) return hit;
  const terms = Object.freeze(parseTerms(order, model).map((t) => Object.freeze(t)));
  if (!byText) parsed.set(model, (byText = new Map()));
  if (byText.size >= MAX_CACHED_PER_MODEL) byText.clear();
  byText.set(order, terms);
  return terms;
}

function parseTerms(order: string, model: Model): OrderTerm[] {
  const terms: OrderTerm[] = [];
  if (!order || !order.trim()) return terms;
  for (const part of order.split(',')) {
    const m = TERM_RE.exec(part);
    if (!m) {
      throw new UserError(`Invalid "order" specified (${order}). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`);
    }
    const field = model.fields.get(m[1]);
    if (!field) throw new PyValueError(`Invalid field '${m[1]}' on model '${model.name}'`);
    terms.push({
      field: m[1],
      direction: (m[2] ?? 'asc').toUpperCase() as 'ASC' | 'DESC',
      nulls: m[3] ? (`NULLS ${m[3].toUpperCase()}` as 'NULLS FIRST' | 'NULLS LAST') : undefined,
    });
  }
  return terms;
}
