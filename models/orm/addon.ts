// An addon (like Odoo's modules): one folder under models/ that brings everything it adds, exported
// from its index.ts as one object. The registry loads addons dependencies first; nothing of an
// addon is registered when its files are imported, only when a registry loads it.

import type { ModelSpec } from './model.ts';
import type { Cursor, Env } from './env.ts';
import type { Registry } from './registry.ts';
import type { Logger } from './config.ts';

export type DataLoader = (env: Env) => Promise<void>;

/** DDL that no field expresses (technical columns, side tables): a statement, or a function. */
export type SchemaExtra = string | ((cr: Cursor) => Promise<void>);

export interface PrivilegeData {
  xmlid: string;
  name: string;
  sequence?: number;
}

export interface GroupData {
  xmlid: string;
  name: string;
  privilege?: string;
  sequence?: number;
  comment?: string;
  /** Groups this one implies (its users are members of those too). */
  implied?: string[];
  /** Users made members when the group is created (1 = __system__, 2 = admin). */
  users?: number[];
}

/** [external id, name, model, group external id or null (global), permissions among "rwcd"]. */
export type AccessData = [string, string, string, string | null, string];

/** Odoo's security files of one addon: privileges, groups (created after those they imply), ACLs. */
export interface SecurityData {
  privileges?: PrivilegeData[];
  groups?: GroupData[];
  access?: AccessData[];
}

export interface CronJobContext {
  cronId: number;
  cronName: string;
  uid: number;
  lastcall: string | null;
  logger: Logger;
  /** Date.now() after which a handler should stop and report what remains. */
  deadline: number;
  /** Aborted when the scheduler stops: finish the current batch, claim no more. */
  signal?: AbortSignal;
}

/**
 * A cron target that manages its own transactions (the SMS queue: claim, send, record, each in
 * its own short transaction). Return `remaining > 0` to be re-run as soon as possible.
 */
export type CronHandler = (registry: Registry, ctx: CronJobContext) => Promise<{ remaining?: number } | void>;
/** A cheap check telling the scheduler that a cron has work although it is not due. */
export type CronProbe = (registry: Registry) => Promise<boolean>;

/** A scheduled action of Odoo's data files (noupdate: created once, user edits kept). */
export interface CronData {
  xmlId: string;
  name: string;
  model: string;
  method: string;
  intervalNumber: number;
  intervalType: 'minutes' | 'hours' | 'days' | 'weeks' | 'months';
  priority?: number;
  active?: boolean;
  /** Runs the job instead of calling `model.method()` in one transaction. */
  handler?: CronHandler;
  /** Tells the scheduler the job has work before it is due. */
  probe?: CronProbe;
}

export interface AddonHooks {
  /** Run once per registry, after its models are assembled (Odoo's `_register_hook`). */
  registryBuilt?(registry: Registry): void;
}

export interface Addon {
  /** Odoo's technical name, also the folder: models/<name>/. */
  name: string;
  depends: string[];
  /** One model or model extension per file: models/<name>/<model name with underscores>.ts. */
  models: ModelSpec[];
  /** Run after the schema, in addon order. */
  data?: DataLoader[];
  security?: SecurityData;
  crons?: CronData[];
  /** Run by initSchema after the models' tables, in addon order. */
  schema?: SchemaExtra[];
  hooks?: AddonHooks;
}

/** Addons sorted so that each comes after those it depends on (stable otherwise). */
export function sortAddons(addons: Addon[]): Addon[] {
  const byName = new Map(addons.map((a) => [a.name, a]));
  const out: Addon[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (a: Addon, path: string[]): void => {
    const s = state.get(a.name);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`Addon dependency cycle: ${[...path, a.name].join(' → ')}`);
    state.set(a.name, 'visiting');
    for (const dep of a.depends) {
      const d = byName.get(dep);
      if (!d) throw new Error(`Addon ${a.name} depends on ${dep}, which is not loaded`);
      visit(d, [...path, a.name]);
    }
    state.set(a.name, 'done');
    out.push(a);
  };
  for (const a of addons) visit(a, []);
  return out;
}
