// How Python treats the values an RPC caller sends, for argument validation at the call_kw
// boundary and in the ORM: type names, iteration, hashability, nesting depth. Errors carry the
// wording CPython (or Odoo) gives for the same mistake.

import { PyRecursionError, PyTypeError } from './exceptions.ts';

/** Python's type(v).__name__ for a decoded JSON / XML-RPC value. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/** `for x in v`: a list's items, a string's characters, a dict's keys; else Python's TypeError. */
export function pyIter(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (v !== null && typeof v === 'object') return Object.keys(v);
  throw new PyTypeError(`'${pyTypeName(v)}' object is not iterable`);
}

/** Refuse a list or dict used as a dict key or set member, as Python does. */
export function pyHashable<T>(v: T): T {
  if (v !== null && typeof v === 'object') throw new PyTypeError(`unhashable type: '${pyTypeName(v)}'`);
  return v;
}

/** `re.match(pattern, v)` on a non-string. */
export function pyRequireStr(v: unknown): string {
  if (typeof v !== 'string') throw new PyTypeError(`expected string or bytes-like object, got '${pyTypeName(v)}'`);
  return v;
}

/**
 * Deepest nesting a call may carry. Python's own limit is about 1000 frames; no client sends
 * more than a few levels, and refusing early keeps every recursive walk of ours safe.
 */
export const MAX_NESTING = 200;

/** Whether `v` nests lists/dicts deeper than `max` levels (iterative: safe on any depth). */
export function nestedDeeperThan(v: unknown, max = MAX_NESTING): boolean {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (d >= max) return true;
    for (const child of Array.isArray(x) ? x : Object.values(x)) {
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
    }
  }
  return false;
}

/** Refuse values nested deeper than MAX_NESTING with Python's RecursionError. */
export function checkNesting(v: unknown, what = 'maximum recursion depth exceeded'): void {
  if (nestedDeeperThan(v)) throw new PyRecursionError(what);
}
