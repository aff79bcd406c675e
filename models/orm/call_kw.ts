// call_kw: how an RPC call reaches a model method (odoo/service/model.py + odoo/api.py):
// private-method refusal, ids as first argument of record methods, context handling,
// Python-like argument binding, and recordset results turned into id lists.

import type { Env, Context } from './env.ts';
import { RecordSet } from './records.ts';
import type { MethodSpec } from './model.ts';
import { AccessError, PyAttributeError, PyTypeError, PyValueError, UserError } from './exceptions.ts';
import { checkNesting, pyHashable, pyTypeName } from './pyargs.ts';
import { pyRepr } from './domain.ts';

export interface CallKwResult {
  value: unknown;
}

/** Raise AccessError for methods Odoo refuses remotely; AttributeError if unknown. */
export function resolveMethod(env: Env, modelName: unknown, method: unknown): MethodSpec {
  // env.get(obj) then get_public_method(), as odoo/service/model.py does
  if (typeof modelName !== 'string') {
    pyHashable(modelName);
    throw new UserError(`Object ${modelName === null || modelName === undefined ? 'None' : pyRepr(modelName)} doesn't exist`);
  }
  const model = env.registry.get(modelName);
  if (typeof method !== 'string') throw new PyAttributeError(`'${pyTypeName(method)}' object has no attribute 'startswith'`);
  if (method.startsWith('_') || method === 'init') {
    throw new AccessError(`Private methods (such as '${modelName}.${method}') cannot be called remotely.`);
  }
  const spec = model.methods.get(method);
  if (!spec) throw new PyAttributeError(`The method '${modelName}.${method}' does not exist`);
  if (spec.private) throw new AccessError(`Private methods (such as '${modelName}.${method}') cannot be called remotely.`);
  return spec;
}

const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;

/** Records for `ids`; ids no row can have (beyond the id column's range) are missing records, as in Odoo. */
function recordsFor(env: Env, model: ReturnType<Env['registry']['get']>, ids: number[]): RecordSet {
  const self = new RecordSet(env, model, ids);
  const outside = ids.filter((id) => id < INT4_MIN || id > INT4_MAX);
  if (outside.length) throw self.missingError(outside, []);
  return self;
}

/** Normalise the ids argument: an int, a list of ints, or empty. */
export function toIds(value: unknown): number[] {
  if (value === null || value === undefined || value === false || value === '') return [];
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new PyTypeError(`Invalid ids: ${value}`);
    return [value];
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) return [Number(value)];
  if (Array.isArray(value)) {
    return value.map((v) => {
      const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw new PyTypeError(`Invalid ids: ${JSON.stringify(value)}`);
      return n;
    });
  }
  throw new PyTypeError(`Invalid ids: ${JSON.stringify(value)}`);
}

interface Param { name: string; def: unknown; hasDefault: boolean }
interface Signature { fixed: Param[]; varargs: boolean; varkw: boolean; names: Set<string> }

// A method's declared parameters, read once per method spec rather than on every call.
const signatures = new WeakMap<MethodSpec, Signature>();

function signatureOf(spec: MethodSpec): Signature {
  let sig = signatures.get(spec);
  if (!sig) {
    const all: Param[] = (spec.params ?? []).map((p) => (Array.isArray(p) ? { name: p[0], def: p[1], hasDefault: true } : { name: p, def: undefined, hasDefault: false }));
    // `**name` (last): the remaining keyword arguments, passed as one object.
    const varkw = all.length > 0 && all[all.length - 1]!.name.startsWith('**');
    const params = varkw ? all.slice(0, -1) : all;
    const varargs = params.findIndex((p) => p.name.startsWith('*'));
    const fixed = varargs >= 0 ? params.slice(0, varargs) : params;
    sig = { fixed, varargs: varargs >= 0, varkw, names: new Set(fixed.map((p) => p.name)) };
    signatures.set(spec, sig);
  }
  return sig;
}

/** Bind positional + keyword arguments to the method's declared parameters, like Python. */
export function bindArguments(qualname: string, spec: MethodSpec, args: unknown[], kwargs: Record<string, unknown>): unknown[] {
  const { fixed, varargs, varkw, names } = signatureOf(spec);
  const bound: unknown[] = [];
  if (!varargs && args.length > fixed.length) {
    throw new PyTypeError(`${qualname}() takes ${fixed.length + 1} positional arguments but ${args.length + 1} were given`);
  }
  const used = new Set<string>();
  for (let i = 0; i < fixed.length; i++) {
    const p = fixed[i];
    if (i < args.length) {
      if (p.name in kwargs) throw new PyTypeError(`${qualname}() got multiple values for argument '${p.name}'`);
      bound.push(args[i]);
    } else if (p.name in kwargs) {
      bound.push(kwargs[p.name]);
      used.add(p.name);
    } else if (p.hasDefault) {
      bound.push(p.def);
    } else {
      throw new PyTypeError(`${qualname}() missing 1 required positional argument: '${p.name}'`);
    }
  }
  if (varargs) bound.push(...args.slice(fixed.length));
  if (varkw) {
    bound.push(Object.fromEntries(Object.entries(kwargs).filter(([k]) => !used.has(k) && !names.has(k))));
    return bound;
  }
  for (const k of Object.keys(kwargs)) {
    if (!used.has(k) && !names.has(k)) {
      throw new PyTypeError(`${qualname}() got an unexpected keyword argument '${k}'`);
    }
  }
  return bound;
}

const isDict = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Arguments whose shape every implementation relies on, checked once here so that overrides
 * (which pre-process them before the ORM's own checks) never meet a value of the wrong type.
 */
export function checkArgumentShapes(spec: MethodSpec, bound: unknown[]): void {
  (spec.params ?? []).forEach((p, i) => {
    const name = Array.isArray(p) ? p[0] : p;
    const v = bound[i];
    if (name === 'vals_list' && v !== undefined) {
      for (const vals of Array.isArray(v) ? v : [v]) {
        if (!isDict(vals)) throw new PyTypeError(`create() values must be a dict, got ${pyRepr(vals)}`);
      }
    } else if (name === 'vals' && v !== undefined && !isDict(v)) {
      throw new PyTypeError(`write() values must be a dict, got ${pyRepr(v)}`);
    }
  });
}

/** Make a method result wire-safe: recordsets become id lists. */
export function adaptResult(value: unknown): unknown {
  if (value instanceof RecordSet) return value.ids;
  return value;
}

/**
 * Execute `model.method(*args, **kwargs)` for an RPC caller. `env` carries uid and base
 * context; `kwargs.context` replaces it (null/"" meaning {}).
 */
export async function callKw(env: Env, modelName: unknown, method: unknown, args: unknown, kwargs: unknown): Promise<unknown> {
  if (args === '' || args === null || args === undefined) args = [];
  if (!Array.isArray(args)) throw new PyTypeError('execute_kw() argument "args" must be a list');
  if (kwargs === '' || kwargs === null || kwargs === undefined || kwargs === false) kwargs = {};
  if (typeof kwargs !== 'object' || Array.isArray(kwargs)) throw new PyTypeError('execute_kw() argument "kwargs" must be a dict');
  const spec = resolveMethod(env, modelName, method);
  checkNesting(args);
  checkNesting(kwargs);
  const kw = { ...(kwargs as Record<string, unknown>) };
  let ctx: Context = env.context;
  if ('context' in kw) {
    const c = kw.context;
    delete kw.context;
    if (c !== null && c !== '' && c !== false && c !== undefined) {
      if (typeof c !== 'object' || Array.isArray(c)) throw new PyValueError('context must be a dictionary');
      ctx = c as Context;
    } else ctx = {};
  }
  const callEnv = env.withNewContext(ctx);
  const model = env.registry.get(modelName as string);
  const qualname = `${model.name}.${method}`;
  let self: RecordSet;
  let rest = args as unknown[];
  if (spec.api === 'record') {
    let idsArg: unknown = rest[0];
    if (rest.length === 0 && 'ids' in kw) {
      idsArg = kw.ids;
      delete kw.ids;
    }
    self = recordsFor(callEnv, model, toIds(idsArg));
    rest = rest.slice(1);
  } else {
    self = new RecordSet(callEnv, model, []);
  }
  const bound = bindArguments(qualname, spec, rest, kw);
  checkArgumentShapes(spec, bound);
  if (spec.readonly) env.cr.allowReadOnlyProbe();
  const result = await spec.fn.call({ super: async () => undefined }, self, ...bound);
  // create() answers an int for a dict argument, a list for a list argument.
  if (method === 'create' && result instanceof RecordSet) {
    const first = (args as unknown[])[0];
    return first && typeof first === 'object' && !Array.isArray(first) ? result.ids[0] : result.ids;
  }
  return adaptResult(result);
}

/** JSON-2: all arguments by name, `ids` apart. */
export async function callJson2(env: Env, modelName: string, method: string, body: Record<string, unknown>): Promise<unknown> {
  const spec = resolveMethod(env, modelName, method);
  checkNesting(body);
  const named = { ...body };
  const ids = named.ids;
  delete named.ids;
  delete named.context;
  const model = env.registry.get(modelName);
  if (spec.api === 'model' && ids !== undefined && !(Array.isArray(ids) && ids.length === 0)) {
    throw new PyTypeError(`cannot call ${model.name}.${method} with ids`);
  }
  const self = spec.api === 'record' ? recordsFor(env, model, toIds(ids)) : new RecordSet(env, model, []);
  const bound = bindArguments(`${model.name}.${method}`, spec, [], named);
  checkArgumentShapes(spec, bound);
  if (spec.readonly) env.cr.allowReadOnlyProbe();
  const result = await spec.fn.call({ super: async () => undefined }, self, ...bound);
  if (method === 'create' && result instanceof RecordSet) {
    return Array.isArray(named.vals_list) ? result.ids : result.ids[0];
  }
  return adaptResult(result);
}
