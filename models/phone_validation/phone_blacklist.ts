// phone.blacklist: numbers (E.164) that must not receive SMS. Every change of `number` / `active`
// is tracked in the chatter (mail.message + mail.tracking.value), with the reason when given.
//
// Numbers are sanitised with the current user's country, else the default country (see
// default_country.ts; Odoo uses the company's). Deviation: `add` / `remove` of an invalid number
// fail with the parser's message ("<parser message> Please correct the number and try again.")
// where Odoo loses it (" Please correct the number and try again.").

import { pyRequireStr } from '../orm/pyargs.ts';
import type { ModelSpec, MethodSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import type { Env } from '../orm/env.ts';
import { UserError } from '../orm/exceptions.ts';
import { phoneSanitizeNumbers } from '../tools/phone.ts';
import { escapeHtml, htmlBody, insertMessages } from '../mail/mail_thread.ts';
import { userPhoneCountry } from './default_country.ts';

const CORRECT_IT = ' Please correct the number and try again.';

/** The error PostgreSQL raises when a concurrent transaction added the same number first. */
export function isNumberTaken(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === 'phone_blacklist_unique_number';
}

/** Odoo's phone_sanitize_numbers_w_record(numbers, env.user): {sanitized, code, msg} per number. */
export async function sanitizeForUser(env: Env, numbers: unknown[]): Promise<{ sanitized: string | false; msg: string | false }[]> {
  const country = await userPhoneCountry(env);
  // A list or dict is never a number: Python's TypeError, as phonenumbers' regular expressions give.
  const texts = numbers.map((n) => (n === false || n === null || n === undefined ? '' : typeof n === 'object' ? pyRequireStr(n) : String(n)));
  const res = phoneSanitizeNumbers(texts, country ?? null);
  return texts.map((t) => res.get(t) ?? { sanitized: false, msg: false });
}

async function sanitizeOrRaise(env: Env, number: unknown): Promise<string> {
  const [res] = await sanitizeForUser(env, [number]);
  if (!res.sanitized) throw new UserError((res.msg || '') + CORRECT_IT);
  return res.sanitized;
}

/** Searching on `number` sanitises the searched value(s) (strings, or lists of strings). */
async function sanitizeDomain(env: Env, domain: unknown): Promise<unknown> {
  if (!Array.isArray(domain)) return domain;
  const leaves = domain.filter((d) => Array.isArray(d) && d[0] === 'number' && (typeof d[2] === 'string' || (Array.isArray(d[2]) && d[2].every((x: unknown) => typeof x === 'string'))));
  if (!leaves.length) return domain;
  return Promise.all(domain.map(async (d) => {
    if (!leaves.includes(d)) return d;
    const [f, op, v] = d as [string, string, string | string[]];
    if (typeof v === 'string') return [f, op, (await sanitizeForUser(env, [v]))[0].sanitized || v];
    const res = await sanitizeForUser(env, v);
    return [f, op, v.map((n, i) => res[i].sanitized || n)];
  }));
}

/** Plain-text message given over RPC, as chatter HTML. */
function textMessage(message: unknown): string | null {
  return message === null || message === undefined || message === false || message === '' ? null : htmlBody(escapeHtml(String(message)));
}

/** message_post(body=html, subtype_xmlid='mail.mt_note') on each record, one INSERT. */
async function postNotes(records: RecordSet, html: string): Promise<void> {
  await insertMessages(records.env, records.ids.map((id) => ({
    model: records.model.name, resId: id, body: html, messageType: 'notification', subtype: 'mail.mt_note' as const,
  })));
}

/** Wrap a domain-taking ORM method so that `number` leaves are sanitised first. */
function withSanitizedDomain(params: MethodSpec['params']): MethodSpec {
  return {
    api: 'model',
    params,
    readonly: true,
    async fn(self: RecordSet, domain: unknown, ...rest: unknown[]) {
      return this.super(await sanitizeDomain(self.env, domain), ...rest);
    },
  };
}

export const PhoneBlacklist: ModelSpec = {
  _name: 'phone.blacklist',
  _inherit: ['mail.thread'],
  _description: 'Phone Blacklist',
  _rec_name: 'number',
  _sql_constraints: [['unique_number', 'unique (number)', 'Number already exists']],
  fields: {
    number: { type: 'char', string: 'Phone Number', required: true, tracking: true, help: 'Number should be E164 formatted' },
    active: { type: 'boolean', string: 'Active', default: true, tracking: true },
  },
  methods: {
    /**
     * Create new (or re-activate archived) entries; existing active numbers are not re-created.
     * Returns existing + created records in the order of the (de-duplicated) request.
     */
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: unknown) {
        const list = (Array.isArray(valsList) ? valsList : [valsList]) as Vals[];
        const sanitized = await sanitizeForUser(self.env, list.map((v) => (v && typeof v === 'object' ? v.number : undefined)));
        const toCreate: Vals[] = [];
        const done = new Set<string>();
        list.forEach((vals, i) => {
          const res = sanitized[i];
          if (!res.sanitized) throw new UserError((res.msg || '') + CORRECT_IT);
          if (done.has(res.sanitized)) return;
          done.add(res.sanitized);
          toCreate.push({ ...vals, number: res.sanitized });
        });
        const requested = toCreate.map((v) => v.number as string);
        const existing = await self.withContext({ active_test: false }).search([['number', 'in', requested]]);
        const existingRows = existing.length ? await existing.fetch(['number', 'active']) : [];
        const existingNumbers = new Set(existingRows.map((r) => r.number as string));
        const keepInactive = new Set(toCreate.filter((v) => 'active' in v && !v.active).map((v) => v.number as string));
        const reactivate = existingRows.filter((r) => !r.active && !keepInactive.has(r.number as string)).map((r) => r.id as number);
        if (reactivate.length) await self.browse(reactivate).write({ active: true });
        const fresh = toCreate.filter((v) => !existingNumbers.has(v.number as string));
        const created = (await this.super(fresh)) as RecordSet;
        const idOf = new Map<string, number>(existingRows.map((r) => [r.number as string, r.id as number]));
        fresh.forEach((v, i) => idOf.set(v.number as string, created.ids[i]));
        return self.browse(requested.map((n) => idOf.get(n)!));
      },
    },
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: Vals) {
        if (vals && typeof vals === 'object' && 'number' in vals) vals = { ...vals, number: await sanitizeOrRaise(self.env, vals.number) };
        return this.super(vals);
      },
    },
    search: withSanitizedDomain(['domain', ['offset', 0], ['limit', null], ['order', null]]),
    search_count: withSanitizedDomain(['domain', ['limit', null]]),
    read_group: withSanitizedDomain(['domain', 'fields', 'groupby', ['offset', 0], ['limit', null], ['orderby', false], ['lazy', true]]),
    formatted_read_group: withSanitizedDomain([['domain', []], ['groupby', []], ['aggregates', []], ['having', []], ['offset', 0], ['limit', null], ['order', null]]),
    web_read_group: withSanitizedDomain(['domain', 'groupby', ['aggregates', []], ['limit', null], ['offset', 0], ['order', null]]),

    /**
     * Blacklist a number (typed in any format); `message` (plain text) is logged with the change.
     * A record method in Odoo 19: over RPC the ids come first (usually `[]`) and are not used.
     */
    add: {
      api: 'record',
      params: ['number', ['message', null]],
      fn: async (self: RecordSet, number: unknown, message: unknown) => self.call('_add', [await sanitizeOrRaise(self.env, number)], textMessage(message)),
    },
    /** Odoo's `_add(numbers, message)`: numbers already sanitised, message as HTML. */
    _add: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet, numbers: string[], message: string | null = null) => {
        const model = self.env.model('phone.blacklist');
        const existing = await model.withContext({ active_test: false }).search([['number', 'in', numbers]]);
        if (existing.length && message) await existing.call('_track_set_log_message', message);
        const records = await self.create(numbers.map((n) => ({ number: n })));
        const known = new Set(existing.ids);
        const fresh = records.browse(records.ids.filter((id) => !known.has(id)));
        if (fresh.length && message) await postNotes(fresh, message);
        return records;
      },
    },
    /** Unblacklist a number (archive it; unknown numbers are recorded archived); a record method like `add`. */
    remove: {
      api: 'record',
      params: ['number', ['message', null]],
      fn: async (self: RecordSet, number: unknown, message: unknown) => self.call('_remove', [await sanitizeOrRaise(self.env, number)], textMessage(message)),
    },
    _remove: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet, numbers: string[], message: string | null = null) => {
        const model = self.env.model('phone.blacklist');
        let records = await model.withContext({ active_test: false }).search([['number', 'in', numbers]]);
        const found = new Set((records.length ? await records.fetch(['number']) : []).map((r) => r.number as string));
        const todo = numbers.filter((n) => !found.has(n));
        if (records.length) {
          if (message) await records.call('_track_set_log_message', message);
          await records.call('action_archive');
        }
        if (todo.length) {
          const created = await self.create(todo.map((n) => ({ number: n, active: false })));
          if (message) await postNotes(created, message);
          records = records.union(created);
        }
        return records;
      },
    },
    phone_action_blacklist_remove: {
      api: 'record',
      params: [],
      // Odoo passes the record's number to the wizard: reading it needs read access
      fn: async (self: RecordSet) => (await self.checkAccess('read'), {
        name: 'Are you sure you want to unblacklist this Phone Number?',
        type: 'ir.actions.act_window',
        view_mode: 'form',
        res_model: 'phone.blacklist.remove',
        target: 'new',
      }),
    },
    action_add: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        const [rec] = await self.ensureOne().fetch(['number']);
        await self.call('add', rec.number);
        return null;
      },
    },
  },
};
