// base.automation: rules running server actions on records when they are created, updated or
// deleted (inside the same transaction, so a failing rule rolls the change back), when a date
// field plus a delay passes (checked by a cron, each occurrence handled once), or when a webhook
// is called. As in Odoo, every model's create/write/unlink is wrapped (`_register_hook`); the
// rules themselves are read once per transaction, and a rule never runs again on a record it is
// already handling (the `__action_done` guard), so a rule writing its own records cannot loop.

import { randomUUID } from 'node:crypto';
import type { ModelSpec, Model, MethodSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import type { Env } from '../orm/env.ts';
import type { Registry } from '../orm/registry.ts';
import { UserError, ValidationError } from '../orm/exceptions.ts';
import { getParam } from '../base/ir_config_parameter.ts';
import { activeRulesQuery, dateFieldQuery, dueRecordsQuery, fieldIdsQuery, lockTimeRule, nowUtcQuery, setLastRun, timeRuleDelaysQuery, updateCheckCron } from './queries.ts';
import { parsePyLiteral } from '../tools/py_literal.ts';
import { triggerCron } from '../base/ir_cron.ts';
import { AUTOMATION_CRON } from './data.ts';

export const TRIGGERS: [string, string][] = [
  ['on_stage_set', 'Stage is set to'],
  ['on_user_set', 'User is set'],
  ['on_tag_set', 'Tag is added'],
  ['on_state_set', 'State is set to'],
  ['on_priority_set', 'Priority is set to'],
  ['on_archive', 'On archived'],
  ['on_unarchive', 'On unarchived'],
  ['on_create', 'On create'],
  ['on_create_or_write', 'On create and edit'],
  ['on_write', 'On update'],
  ['on_unlink', 'On deletion'],
  ['on_change', 'On UI change'],
  ['on_time', 'Based on date field'],
  ['on_time_created', 'After creation'],
  ['on_time_updated', 'After last update'],
  ['on_message_received', 'On incoming message'],
  ['on_message_sent', 'On outgoing message'],
  ['on_webhook', 'On webhook'],
];

const CREATE_TRIGGERS = ['on_create', 'on_create_or_write'];
const WRITE_TRIGGERS = ['on_write', 'on_archive', 'on_unarchive', 'on_create_or_write'];
export const TIME_TRIGGERS = ['on_time', 'on_time_created', 'on_time_updated'];
/** Triggers this server runs; the others are refused when a rule is saved. */
const SUPPORTED = new Set([...CREATE_TRIGGERS, ...WRITE_TRIGGERS, 'on_unlink', ...TIME_TRIGGERS, 'on_webhook']);

export const DEFAULT_RECORD_GETTER = "model.env[payload.get('_model')].browse(int(payload.get('_id')))";

/** Minutes per delay unit (Odoo's DATE_RANGE_FACTOR, used for the cron's frequency). */
const DATE_RANGE_FACTOR: Record<string, number> = { minutes: 1, hour: 60, day: 24 * 60, month: 30 * 24 * 60 };
// make_interval's argument names.
const DATE_RANGE_SQL: Record<string, 'mins' | 'hours' | 'days' | 'months'> = { minutes: 'mins', hour: 'hours', day: 'days', month: 'months' };

// Models whose changes never run rules: the rules and actions themselves and the reflection.
const UNHOOKED = new Set(['base.automation', 'ir.actions.server', 'ir.model', 'ir.model.fields', 'ir.model.data', 'ir.cron', 'ir.cron.trigger']);

interface Rule {
  id: number;
  name: string;
  model: string;
  trigger: string;
  filterPre: unknown[] | null;
  filterPost: unknown[] | null;
  triggerFields: string[];
}

/** rule id → record ids being (or already) handled by it in the current call chain. */
type ActionDone = Map<number, Set<number>>;

const RULES_CACHE = 'base_automation:rules';

/** A domain stored as a Python literal; ValidationError when it is not one. */
function parseDomain(text: unknown, what: string): unknown[] | null {
  if (!text) return null;
  let parsed: unknown;
  try {
    parsed = parsePyLiteral(String(text));
  } catch (err) {
    throw new ValidationError(`Invalid ${what} domain ${JSON.stringify(text)}: ${(err as Error).message}. Only literal domains are supported.`);
  }
  if (!Array.isArray(parsed)) throw new ValidationError(`Invalid ${what} domain ${JSON.stringify(text)}: a domain is a list.`);
  return parsed.length ? parsed : null;
}

/** Active rules of every model, read once per transaction (dropped when rules change). */
async function activeRules(env: Env): Promise<Rule[]> {
  const cached = env.cache.get(RULES_CACHE) as Rule[] | undefined;
  if (cached) return cached;
  const rows = await env.cr.query<{ id: number; name: string; model: string; trigger: string; filter_pre_domain: string | null; filter_domain: string | null; fields: string[] | null }>(activeRulesQuery());
  const rules = rows.map((r) => ({
    id: r.id, name: r.name, model: r.model, trigger: r.trigger,
    filterPre: parseDomain(r.filter_pre_domain, 'before update'), filterPost: parseDomain(r.filter_domain, 'apply on'), triggerFields: r.fields ?? [],
  }));
  env.cache.set(RULES_CACHE, rules);
  return rules;
}

function forgetRules(env: Env): void {
  env.cache.delete(RULES_CACHE);
}

function actionDone(env: Env): ActionDone | null {
  const done = env.context.__action_done;
  return done instanceof Map ? (done as ActionDone) : null;
}

/** `records` (sudo, archived included) that satisfy `domain`. */
async function filteredDomain(records: RecordSet, domain: unknown[] | null): Promise<number[]> {
  if (!domain || !records.ids.length) return records.ids;
  const found = await records.sudo().withContext({ active_test: false }).search([['id', 'in', records.ids], ...domain]);
  const keep = new Set(found.ids);
  return records.ids.filter((id) => keep.has(id));
}

/**
 * Odoo's `_process`: run the rule's actions on each record it is not already handling, with the
 * guard extended for the duration of the actions. `old` (writes) limits to records whose trigger
 * fields changed.
 */
async function processRule(env: Env, rule: Rule, ids: number[], old: Map<number, Vals> | null): Promise<void> {
  const done = actionDone(env) ?? new Map();
  const already = done.get(rule.id) ?? new Set<number>();
  let todo = ids.filter((id) => !already.has(id));
  if (!todo.length) return;
  if (old && rule.triggerFields.length) {
    const watched = rule.triggerFields.filter((f) => [...old.values()].some((o) => f in o));
    const now = watched.length ? new Map((await env.model(rule.model).sudo().withContext({ active_test: false }).browse(todo).fetch(watched)).map((r) => [r.id as number, r])) : new Map();
    todo = todo.filter((id) => watched.some((f) => JSON.stringify(now.get(id)?.[f] ?? false) !== JSON.stringify(old.get(id)?.[f] ?? false)));
    if (!todo.length) return;
  }
  const guarded: ActionDone = new Map(done);
  guarded.set(rule.id, new Set([...already, ...todo]));
  const actions = await env.model('ir.actions.server').sudo().search([['base_automation_id', '=', rule.id]], { order: 'sequence, id' });
  const model = env.registry.get(rule.model);
  const stamp = model.fields.get('date_automation_last');
  if (stamp?.store) await env.model(rule.model).sudo().withContext({ __action_done: guarded }).browse(todo).write({ date_automation_last: new Date().toISOString().slice(0, 19).replace('T', ' ') });
  // Odoo runs each action once per record; here once for all of them: per-record runners are
  // still called record by record by run(), and batch runners (Send SMS) keep per-record results.
  for (const action of actions) {
    await action.withContext({ active_model: rule.model, active_ids: todo, active_id: todo[0], __action_done: guarded, automation_batch: true }).call('run');
  }
}

/** The hook's view of the rules of `model` for `triggers`, with the guard installed in the env. */
async function rulesFor(env: Env, model: string, triggers: string[]): Promise<Rule[]> {
  return (await activeRules(env)).filter((r) => r.model === model && triggers.includes(r.trigger));
}

function guardedEnv(env: Env): Env {
  return actionDone(env) ? env : env.withContext({ __action_done: new Map() });
}

type Fn = MethodSpec['fn'];

function wrapCreate(original: Fn): Fn {
  return async function (this: unknown, self: RecordSet, ...args: unknown[]) {
    const rules = await rulesFor(self.env, self.model.name, CREATE_TRIGGERS);
    if (!rules.length) return original.call(this as never, self, ...args);
    const env = guardedEnv(self.env);
    const records = (await original.call(this as never, self.withEnv(env), ...args)) as RecordSet;
    for (const rule of rules) await processRule(env, rule, await filteredDomain(records.withEnv(env), rule.filterPost), null);
    return records.withEnv(self.env);
  };
}

function wrapWrite(original: Fn): Fn {
  return async function (this: unknown, self: RecordSet, vals: Vals, ...rest: unknown[]) {
    const rules = self.ids.length ? await rulesFor(self.env, self.model.name, WRITE_TRIGGERS) : [];
    if (!rules.length) return original.call(this as never, self, vals, ...rest);
    const env = guardedEnv(self.env);
    const records = self.withEnv(env);
    const pre = new Map<number, number[]>();
    for (const rule of rules) pre.set(rule.id, await filteredDomain(records, rule.filterPre));
    // Values before the update of the written fields some rule watches (Odoo's old_values).
    const watched = [...new Set(rules.flatMap((r) => r.triggerFields))].filter((f) => f in (vals ?? {}));
    const old = new Map<number, Vals>();
    if (watched.length) for (const r of await records.sudo().withContext({ active_test: false }).fetch(watched)) old.set(r.id as number, r);
    else for (const id of records.ids) old.set(id, {});
    await original.call(this as never, records, vals, ...rest);
    for (const rule of rules) {
      const ids = await filteredDomain(records.browse(pre.get(rule.id)!), rule.filterPost);
      await processRule(env, rule, ids, old);
    }
    return true;
  };
}

function wrapUnlink(original: Fn): Fn {
  return async function (this: unknown, self: RecordSet, ...args: unknown[]) {
    const rules = self.ids.length ? await rulesFor(self.env, self.model.name, ['on_unlink']) : [];
    if (rules.length) {
      const env = guardedEnv(self.env);
      for (const rule of rules) await processRule(env, rule, await filteredDomain(self.withEnv(env), rule.filterPost), null);
    }
    return original.call(this as never, self, ...args);
  };
}

/** Odoo's `_register_hook`: every concrete model's create/write/unlink consult the rules. */
export function registerAutomationHook(registry: Registry): void {
  for (const model of registry.models.values()) {
    if (model.abstract || UNHOOKED.has(model.name)) continue;
    registry.wrapMethod(model, 'create', wrapCreate);
    registry.wrapMethod(model, 'write', wrapWrite);
    registry.wrapMethod(model, 'unlink', wrapUnlink);
  }
}

/** Fields of `model` by name → ir.model.fields id. */
async function fieldIds(env: Env, model: string, names: string[]): Promise<number[]> {
  if (!names.length) return [];
  const rows = await env.cr.query<{ id: number }>(fieldIdsQuery(model, names));
  return rows.map((r) => r.id);
}

/** Odoo's computes of trigger-dependent fields, applied when a rule is saved. */
async function completeRules(self: RecordSet): Promise<void> {
  const rows = await self.sudo().fetch(['trigger', 'model_name', 'trigger_field_ids', 'trg_date_id', 'trg_date_range', 'trg_date_range_type', 'trg_date_range_mode', 'filter_domain', 'filter_pre_domain']);
  for (const r of rows) {
    const trigger = String(r.trigger);
    const vals: Vals = {};
    if (!SUPPORTED.has(trigger)) {
      const label = TRIGGERS.find(([k]) => k === trigger)?.[1] ?? trigger;
      const why = trigger === 'on_change' ? ' (it runs Python code in the form view)' : '';
      throw new ValidationError(`The trigger "${label}" (${trigger}) is not supported by this server${why}.`);
    }
    const model = String(r.model_name);
    if (trigger === 'on_archive' || trigger === 'on_unarchive') {
      const ids = await fieldIds(self.env, model, ['active']);
      if (!ids.length) throw new ValidationError(`The trigger "${trigger}" needs an "active" field on ${model}.`);
      vals.trigger_field_ids = [[6, 0, ids]];
      vals.filter_domain = `[('active', '=', ${trigger === 'on_unarchive' ? 'True' : 'False'})]`;
    }
    if (trigger === 'on_time_created' || trigger === 'on_time_updated') {
      const ids = await fieldIds(self.env, model, [trigger === 'on_time_created' ? 'create_date' : 'write_date']);
      vals.trigger_field_ids = [[6, 0, ids]];
      vals.trg_date_id = ids[0] ?? false;
    }
    if (TIME_TRIGGERS.includes(trigger)) {
      if (!r.trg_date_range_type) vals.trg_date_range_type = 'hour';
      if (!r.trg_date_range_mode) vals.trg_date_range_mode = 'after';
      if (r.filter_pre_domain) vals.filter_pre_domain = false;
    } else {
      if (r.trg_date_id) vals.trg_date_id = false;
      if (r.trg_date_range_type) vals.trg_date_range_type = false;
      if (r.trg_date_range_mode) vals.trg_date_range_mode = false;
      if (r.trg_date_range) vals.trg_date_range = 0;
    }
    parseDomain(vals.filter_domain ?? r.filter_domain, 'apply on');
    parseDomain(r.filter_pre_domain, 'before update');
    if (Object.keys(vals).length) await self.browse([r.id as number]).sudo().withContext({ __base_automation_complete: true }).write(vals);
  }
}

/** Odoo's `_update_cron`: the check cron runs while time rules exist, at a tenth of the shortest delay. */
async function updateCron(env: Env): Promise<void> {
  const rows = await env.cr.query<{ trg_date_range: number | null; trg_date_range_type: string | null }>(timeRuleDelaysQuery(TIME_TRIGGERS));
  const delays = rows.map((r) => Math.abs(r.trg_date_range ?? 0) * (DATE_RANGE_FACTOR[r.trg_date_range_type ?? ''] ?? 0)).filter((d) => d > 0);
  const delay = delays.length ? Math.min(...delays) : 0;
  const interval = delay ? Math.min(Math.max(1, Math.floor(delay / 10)), 4 * 60) : 4 * 60;
  await env.cr.execute(updateCheckCron(AUTOMATION_CRON, rows.length > 0, interval));
  if (rows.length) await triggerCron(env, AUTOMATION_CRON);
}

/** The id of the ir.model.fields row of a rule's date field, with its model and type. */
async function dateField(env: Env, fieldId: number | false): Promise<{ name: string; model: string; ttype: string } | null> {
  if (!fieldId) return null;
  const rows = await env.cr.query<{ name: string; model: string; ttype: string }>(dateFieldQuery(fieldId));
  return rows[0] ?? null;
}

export const BaseAutomation: ModelSpec = {
  _name: 'base.automation',
  _description: 'Automation Rule',
  fields: {
    name: { type: 'char', string: 'Automation Rule Name', required: true, translate: true },
    description: { type: 'html', string: 'Description' },
    model_id: { type: 'many2one', comodel: 'ir.model', string: 'Model', required: true, ondelete: 'cascade', help: 'Model on which the automation rule runs.' },
    model_name: { type: 'char', string: 'Model Name', related: 'model_id.model', readonly: true },
    model_is_mail_thread: { type: 'boolean', string: 'Has Mail Thread', related: 'model_id.is_mail_thread', readonly: true },
    action_server_ids: { type: 'one2many', comodel: 'ir.actions.server', inverseName: 'base_automation_id', string: 'Actions', context: { default_usage: 'base_automation' } },
    url: { type: 'char', string: 'Url', compute: '_compute_url', depends: ['trigger', 'webhook_uuid'] },
    webhook_uuid: { type: 'char', string: 'Webhook UUID', readonly: true, copy: false, default: () => randomUUID() },
    record_getter: { type: 'char', string: 'Record Getter', default: DEFAULT_RECORD_GETTER, help: 'This code will be run to find on which record the automation rule should be run.' },
    log_webhook_calls: { type: 'boolean', string: 'Log Calls', default: false },
    active: { type: 'boolean', string: 'Active', default: true, help: 'When unchecked, the rule is hidden and will not be executed.' },
    trigger: { type: 'selection', string: 'Trigger', selection: TRIGGERS, required: true },
    trg_date_id: { type: 'many2one', comodel: 'ir.model.fields', string: 'Trigger Date', depends: ['trigger'], help: 'When should the condition be triggered.\n                If present, will be checked by the scheduler. If empty, will be checked at creation and update.' },
    trg_date_range: { type: 'integer', string: 'Delay', depends: ['trigger'], help: 'Delay after the trigger date. You can put a negative number if you need a delay before the trigger date, like sending a reminder 15 minutes before a meeting.' },
    trg_date_range_type: { type: 'selection', string: 'Delay unit', depends: ['trigger'], selection: [['minutes', 'Minutes'], ['hour', 'Hours'], ['day', 'Days'], ['month', 'Months']] },
    trg_date_range_mode: { type: 'selection', string: 'Delay mode', depends: ['trigger'], selection: [['after', 'After'], ['before', 'Before']] },
    filter_pre_domain: { type: 'char', string: 'Before Update Domain', help: 'If present, this condition must be satisfied before the update of the record. Not checked in case the record is created.' },
    filter_domain: { type: 'char', string: 'Apply on', help: 'If present, this condition must be satisfied before executing the automation rule.' },
    last_run: { type: 'datetime', string: 'Last Run', readonly: true, copy: false },
    on_change_field_ids: { type: 'many2many', comodel: 'ir.model.fields', relation: 'base_automation_onchange_fields_rel', column1: 'base_automation_id', column2: 'ir_model_fields_id', string: 'On Change Fields Trigger', help: 'Fields that trigger the onchange.' },
    trigger_field_ids: { type: 'many2many', comodel: 'ir.model.fields', relation: 'base_automation_ir_model_fields_rel', column1: 'base_automation_id', column2: 'ir_model_fields_id', string: 'Trigger Fields', depends: ['model_id', 'trigger', 'filter_domain'], help: 'The automation rule will be triggered if and only if one of these fields is updated. If empty, all fields are watched.' },
  },
  _constraints: [
    {
      fields: ['model_id', 'action_server_ids'],
      check: async (records) => {
        for (const r of await records.sudo().fetch(['model_id', 'action_server_ids'])) {
          const actions = (r.action_server_ids as number[]) ?? [];
          if (!actions.length) continue;
          const rows = await records.env.model('ir.actions.server').sudo().browse(actions).fetch(['name', 'model_id']);
          const failing = rows.filter((a) => a.model_id !== r.model_id);
          if (failing.length) throw new ValidationError(`Target model of actions ${failing.map((a) => a.name).join(', ')} are different from rule model.`);
        }
      },
    },
  ],
  methods: {
    _compute_url: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['trigger', 'webhook_uuid']);
        const base = ((await getParam(self.env, 'web.base.url')) || '').replace(/\/+$/, '');
        return new Map(rows.map((r) => [r.id as number, { url: r.trigger === 'on_webhook' ? `${base}/web/hook/${r.webhook_uuid}` : '' }]));
      },
    },
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => {
          const out = { ...v };
          // Inline actions belong to the rule (Odoo's context default_usage).
          if (Array.isArray(out.action_server_ids)) {
            out.action_server_ids = (out.action_server_ids as unknown[]).map((c) => (Array.isArray(c) && c[0] === 0 ? [0, 0, { usage: 'base_automation', ...(c[2] as Vals) }] : c));
          }
          return out;
        });
        const records = (await this.super(list)) as RecordSet;
        forgetRules(self.env);
        await completeRules(records);
        await updateCron(self.env);
        return records;
      },
    },
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: Vals) {
        const res = await this.super(vals);
        forgetRules(self.env);
        if (!self.env.context.__base_automation_complete && ['trigger', 'model_id', 'filter_domain', 'filter_pre_domain', 'trg_date_range_type'].some((k) => k in vals)) await completeRules(self);
        if (['active', 'trigger', 'trg_date_range', 'trg_date_range_type'].some((k) => k in vals)) await updateCron(self.env);
        return res;
      },
    },
    unlink: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        const res = await this.super();
        forgetRules(self.env);
        await updateCron(self.env);
        return res;
      },
    },
    action_rotate_webhook_uuid: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        for (const rule of self) await rule.write({ webhook_uuid: randomUUID() });
        return true;
      },
    },
    /**
     * Odoo's `_execute_webhook`: find the record named by the payload (the default record getter,
     * `_model` and `_id`, or `_id` alone for the rule's model) and run the rule on it.
     */
    _execute_webhook: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet, payload: Record<string, unknown>) => {
        self.ensureOne();
        const [rule] = await self.sudo().fetch(['model_name', 'record_getter']);
        const modelName = String(rule.model_name);
        const getter = String(rule.record_getter ?? '').trim();
        let target: string | null = null;
        if (getter === DEFAULT_RECORD_GETTER) target = payload && typeof payload._model === 'string' ? payload._model : null;
        else if (!getter || getter === "model.browse(int(payload.get('_id')))") target = modelName;
        else throw new UserError(`The record getter ${JSON.stringify(getter)} is not supported by this server: use the default one, or "model.browse(int(payload.get('_id')))".`);
        const id = Number(payload?._id);
        if (!target || !self.env.registry.has(target) || !Number.isInteger(id)) throw new ValidationError('No record to run the automation on was found.');
        const record = await self.env.model(target).sudo().withContext({ active_test: false }).browse([id]).call<RecordSet>('exists');
        if (!record.ids.length || target !== modelName) throw new ValidationError('No record to run the automation on was found.');
        const env = guardedEnv(self.env);
        const rules = (await activeRules(env)).filter((r) => r.id === self.ids[0]);
        for (const r of rules) await processRule(env, r, record.ids, null);
        return true;
      },
    },
    /**
     * The cron (Odoo's `_check`): for each time rule, the records whose date plus the delay falls
     * in [last_run, now) are handled, then last_run = now, all in the cron's transaction. Each
     * occurrence therefore falls in exactly one window; the rule row is locked so that two
     * schedulers never share a window. A record whose actions fail is skipped (savepoint), as Odoo
     * logs and goes on.
     */
    _check: {
      api: 'model',
      private: true,
      params: [['automatic', false], ['use_new_cursor', false]],
      fn: async (self: RecordSet) => {
        const env = guardedEnv(self.env.sudo());
        const [{ now }] = await env.cr.query<{ now: string }>(nowUtcQuery());
        const rules = (await activeRules(env)).filter((r) => TIME_TRIGGERS.includes(r.trigger));
        for (const rule of rules) {
          const [row] = await env.cr.query<{ last_run: string | null; trg_date_id: number | null; trg_date_range: number | null; trg_date_range_type: string | null; trg_date_range_mode: string | null }>(lockTimeRule(rule.id));
          if (!row || !env.registry.has(rule.model)) continue;
          const field = await dateField(env, row.trg_date_id ?? false);
          const model: Model = env.registry.get(rule.model);
          if (field && model.fields.get(field.name)?.columnType) {
            const amount = (row.trg_date_range ?? 0) * (row.trg_date_range_mode === 'before' ? -1 : 1);
            const unit = DATE_RANGE_SQL[row.trg_date_range_type ?? ''] ?? 'hours';
            const candidates = env.model(rule.model).withContext({ active_test: true }).searchQuery(rule.filterPost ?? []);
            const due = await env.cr.query<{ id: number }>(dueRecordsQuery(model.table, field.name, unit, amount, row.last_run, now, candidates));
            for (const { id } of due) {
              await env.cr.execute('SAVEPOINT base_automation_record');
              try {
                await processRule(env, rule, [id], null);
                await env.cr.execute('RELEASE SAVEPOINT base_automation_record');
              } catch (err) {
                await env.cr.execute('ROLLBACK TO SAVEPOINT base_automation_record');
                env.registry.logger.error({ err, rule: rule.id, model: rule.model, record: id }, 'time-based automation rule failed on a record; skipped');
              }
            }
          }
          await env.cr.execute(setLastRun(rule.id, now));
        }
        return true;
      },
    },
  },
};
