// mail.thread: the minimal chatter every business document of the product has.
//
//  * `message_ids` / `has_message`: the record's mail.message rows (model + res_id);
//  * `message_post(body=..., ...)`: post a note or comment, returns the message id;
//  * creation log ("<Model> created") on create, messages deleted with the record;
//  * tracking: fields declared `tracking: true` are snapshotted at the first write of a record in
//    a transaction and compared just before commit (Odoo's precommit `_track_finalize`): one
//    message per changed record, with one mail.tracking.value per changed field, all inserted
//    set-based. Records created in the transaction are not tracked (Odoo's `_track_discard`).
//  * contexts: `tracking_disable` (no log, no tracking), `mail_create_nolog`, `mail_notrack`.
//
// Messages are written with set-based SQL (one INSERT per batch) because creation logs follow
// imports of up to millions of records.

import type { ModelSpec, Model } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import type { Env } from '../orm/env.ts';
import type { Field } from '../orm/fields.ts';
import type { DomainItem } from '../orm/domain.ts';
import { SQL, sql, raw } from '../orm/sql.ts';
import { PyValueError } from '../orm/exceptions.ts';
import { subtypeId, SUBTYPE_DATA } from './data.ts';
import { MESSAGE_TYPES } from './mail_message.ts';

const BATCH = 5000;

// ---------------------------------------------------------------- html bodies

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/** markupsafe's escape(). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** What an Html field stores for a body: text without any tag is wrapped in a paragraph. */
export function htmlBody(body: string): string {
  if (!body) return '';
  return /<[a-zA-Z!/][^>]*>/.test(body) ? body : `<p>${body}</p>`;
}

// ---------------------------------------------------------------- message insertion

export interface TrackingValueVals {
  field: Field;
  old: { integer?: number | null; float?: number | null; char?: string | null; text?: string | null; datetime?: string | null };
  new: { integer?: number | null; float?: number | null; char?: string | null; text?: string | null; datetime?: string | null };
}

export interface NewMessage {
  model: string;
  resId: number;
  /** Stored as given: callers escape plain text (see htmlBody / escapeHtml). */
  body: string;
  subject?: string | null;
  messageType?: string;
  subtype?: keyof typeof SUBTYPE_DATA | number | null;
  isInternal?: boolean;
  authorId?: number | null;
  parentId?: number | null;
  tracking?: TrackingValueVals[];
}

/** The partner of the environment's user (message author), cached per transaction. */
export async function currentPartnerId(env: Env): Promise<number | null> {
  const key = `mail:partner:${env.uid}`;
  if (env.cache.has(key)) return env.cache.get(key) as number | null;
  const rows = await env.cr.query<{ partner_id: number | null }>(sql`SELECT partner_id FROM res_users WHERE id = ${env.uid}`);
  const id = rows[0]?.partner_id ?? null;
  env.cache.set(key, id);
  return id;
}

/** Insert messages (and their tracking values); returns the new ids in the same order. */
export async function insertMessages(env: Env, messages: NewMessage[]): Promise<number[]> {
  const out: number[] = [];
  const defaultAuthor = await currentPartnerId(env);
  const subtypes = new Map<string, number | null>();
  for (const m of messages) {
    if (typeof m.subtype === 'string' && !subtypes.has(m.subtype)) subtypes.set(m.subtype, await subtypeId(env, m.subtype));
  }
  for (let start = 0; start < messages.length; start += BATCH) {
    const chunk = messages.slice(start, start + BATCH);
    const idRows = await env.cr.query<{ id: number }>(sql`SELECT nextval('mail_message_id_seq') AS id FROM generate_series(1, ${chunk.length})`);
    const ids = idRows.map((r) => Number(r.id));
    await env.cr.execute(sql`
      INSERT INTO mail_message (id, model, res_id, body, subject, message_type, subtype_id, is_internal, author_id, parent_id, date, create_uid, write_uid, create_date, write_date)
      SELECT v.id, v.model, v.res_id, v.body, v.subject, v.message_type, v.subtype_id, v.is_internal, v.author_id, v.parent_id,
             now() AT TIME ZONE 'UTC', ${env.uid}::int4, ${env.uid}::int4, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM unnest(${ids}::int4[], ${chunk.map((m) => m.model)}::varchar[], ${chunk.map((m) => m.resId)}::int4[], ${chunk.map((m) => m.body)}::text[],
                  ${chunk.map((m) => m.subject ?? null)}::varchar[], ${chunk.map((m) => m.messageType ?? 'notification')}::varchar[],
                  ${chunk.map((m) => (typeof m.subtype === 'string' ? subtypes.get(m.subtype) ?? null : m.subtype ?? null))}::int4[],
                  ${chunk.map((m) => !!m.isInternal)}::bool[], ${chunk.map((m) => (m.authorId === undefined ? defaultAuthor : m.authorId))}::int4[],
                  ${chunk.map((m) => m.parentId ?? null)}::int4[])
        AS v(id, model, res_id, body, subject, message_type, subtype_id, is_internal, author_id, parent_id)`);
    const tv: { msg: number; t: TrackingValueVals }[] = [];
    chunk.forEach((m, i) => m.tracking?.forEach((t) => tv.push({ msg: ids[i], t })));
    if (tv.length) await insertTrackingValues(env, tv);
    out.push(...ids);
  }
  return out;
}

async function insertTrackingValues(env: Env, rows: { msg: number; t: TrackingValueVals }[]): Promise<void> {
  const col = (side: 'old' | 'new', kind: keyof TrackingValueVals['old']) => rows.map((r) => r.t[side][kind] ?? null);
  await env.cr.execute(sql`
    INSERT INTO mail_tracking_value (mail_message_id, field_info, field_name, field_desc, field_type,
      old_value_integer, old_value_float, old_value_char, old_value_text, old_value_datetime,
      new_value_integer, new_value_float, new_value_char, new_value_text, new_value_datetime,
      create_uid, write_uid, create_date, write_date)
    SELECT v.*, ${env.uid}::int4, ${env.uid}::int4, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM unnest(${rows.map((r) => r.msg)}::int4[],
                ${rows.map((r) => JSON.stringify({ name: r.t.field.name, desc: r.t.field.string, type: r.t.field.type }))}::jsonb[],
                ${rows.map((r) => r.t.field.name)}::varchar[], ${rows.map((r) => r.t.field.string)}::varchar[], ${rows.map((r) => r.t.field.type)}::varchar[],
                ${col('old', 'integer')}::int4[], ${col('old', 'float')}::float8[], ${col('old', 'char')}::varchar[], ${col('old', 'text')}::text[], ${col('old', 'datetime')}::timestamp[],
                ${col('new', 'integer')}::int4[], ${col('new', 'float')}::float8[], ${col('new', 'char')}::varchar[], ${col('new', 'text')}::text[], ${col('new', 'datetime')}::timestamp[])
      AS v(mail_message_id, field_info, field_name, field_desc, field_type,
           old_value_integer, old_value_float, old_value_char, old_value_text, old_value_datetime,
           new_value_integer, new_value_float, new_value_char, new_value_text, new_value_datetime)`);
}

/** Odoo's `_message_log`: an internal note (no notification), e.g. with tracking values. */
export async function messageLog(records: RecordSet, body: string, tracking?: Map<number, TrackingValueVals[]>): Promise<number[]> {
  return insertMessages(records.env, records.ids.map((id) => ({
    model: records.model.name, resId: id, body, messageType: 'notification', subtype: 'mail.mt_note', isInternal: true, tracking: tracking?.get(id),
  })));
}

/** "<Model> created" on new records: one INSERT for the whole batch. */
async function logCreation(records: RecordSet): Promise<void> {
  const env = records.env;
  const note = await subtypeId(env, 'mail.mt_note');
  const author = await currentPartnerId(env);
  const body = htmlBody(escapeHtml(`${records.model.description} created`));
  for (let start = 0; start < records.ids.length; start += BATCH * 20) {
    const ids = records.ids.slice(start, start + BATCH * 20);
    await env.cr.execute(sql`
      INSERT INTO mail_message (model, res_id, body, message_type, subtype_id, is_internal, author_id, date, create_uid, write_uid, create_date, write_date)
      SELECT ${records.model.name}, r, ${body}, 'notification', ${note}::int4, TRUE, ${author}::int4,
             now() AT TIME ZONE 'UTC', ${env.uid}::int4, ${env.uid}::int4, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM unnest(${ids}::int4[]) AS r`);
  }
}

// ---------------------------------------------------------------- tracking

interface TrackingState {
  /** Values of the tracked fields at the first write of the transaction; null: not tracked. */
  initial: Map<number, Vals | null>;
  /** Id ranges created in this transaction (never tracked, like Odoo's _track_discard). */
  created: [number, number][];
  /** Bodies given by _track_set_log_message. */
  bodies: Map<number, string>;
  scheduled: boolean;
}

const trackedCache = new WeakMap<Model, Field[]>();

/** Fields declared `tracking: true`, in declaration order. */
export function trackedFields(model: Model): Field[] {
  let list = trackedCache.get(model);
  if (!list) {
    list = [...model.fields.values()].filter((f) => f.spec.tracking);
    trackedCache.set(model, list);
  }
  return list;
}

function trackingState(env: Env, model: string): TrackingState {
  const key = `mail:tracking:${model}`;
  let st = env.cache.get(key) as TrackingState | undefined;
  if (!st) {
    st = { initial: new Map(), created: [], bodies: new Map(), scheduled: false };
    env.cache.set(key, st);
  }
  return st;
}

function isCreated(st: TrackingState, id: number): boolean {
  return st.created.some(([a, b]) => id >= a && id <= b);
}

function schedule(st: TrackingState, env: Env, model: string): void {
  if (st.scheduled) return;
  st.scheduled = true;
  env.cr.precommit.push(() => trackFinalize(env, model));
}

/** Tracked fields a write of `vals` can change: written ones, and stored computes depending on them. */
function fieldsTouched(model: Model, vals: Vals): Field[] {
  const written = new Set(Object.keys(vals ?? {}));
  return trackedFields(model).filter((f) => written.has(f.name)
    || (f.isComputed && f.store && (f.spec.depends ?? []).some((d) => written.has(d.split('.')[0]))));
}

/** Snapshot the tracked fields about to change (first value of the transaction is kept). */
async function trackPrepare(records: RecordSet, vals: Vals): Promise<void> {
  if (!records.ids.length || !vals || typeof vals !== 'object') return;
  const fields = fieldsTouched(records.model, vals);
  if (!fields.length) return;
  const st = trackingState(records.env, records.model.name);
  schedule(st, records.env, records.model.name);
  const todo = [...new Set(records.ids)].filter((id) => {
    if (isCreated(st, id)) return false;
    const init = st.initial.get(id);
    return init === undefined || (init !== null && fields.some((f) => !(f.name in init)));
  });
  if (!todo.length) return;
  const values = await records.sudo().withContext({ active_test: false }).browse(todo).fetchValues(fields.map((f) => f.name));
  for (const id of todo) {
    const v = values.get(id);
    if (!v) continue;
    const init = st.initial.get(id) ?? {};
    for (const f of fields) if (!(f.name in init)) init[f.name] = v[f.name];
    st.initial.set(id, init);
  }
}

function trackDiscardCreated(records: RecordSet): void {
  if (!trackedFields(records.model).length || !records.ids.length) return;
  const st = trackingState(records.env, records.model.name);
  // ids come from one sequence call: keep them as runs of consecutive ids
  const ids = [...records.ids].sort((a, b) => a - b);
  let lo = ids[0];
  for (let i = 1; i <= ids.length; i++) {
    if (i < ids.length && ids[i] === ids[i - 1] + 1) continue;
    st.created.push([lo, ids[i - 1]]);
    lo = ids[i];
  }
}

function trackDiscard(records: RecordSet): void {
  if (!trackedFields(records.model).length) return;
  const st = trackingState(records.env, records.model.name);
  for (const id of records.ids) {
    st.initial.set(id, null);
    st.bodies.delete(id);
  }
}

function normalize(f: Field, v: unknown): unknown {
  if (v === null || v === undefined || v === false) {
    if (f.type === 'boolean') return false;
    if (f.type === 'integer' || f.type === 'float' || f.type === 'monetary') return 0;
    return f.isX2many ? '' : null;
  }
  if (f.isX2many) return [...(v as number[])].sort((a, b) => a - b).join(',');
  if (f.type === 'integer' || f.type === 'float' || f.type === 'monetary') return Number(v) || 0;
  if (f.type === 'many2one') return Number(v);
  if (f.type === 'char' || f.type === 'text' || f.type === 'html') return v === '' ? null : String(v);
  if (f.type === 'datetime') return String(v).slice(0, 19);
  if (f.type === 'date') return String(v).slice(0, 10);
  return v;
}

/** Odoo's `_create_tracking_values`: old/new values in the column of the field's type. */
function trackingValue(f: Field, oldV: unknown, newV: unknown, names: Map<string, Map<number, string>>): TrackingValueVals | null {
  const side = (v: unknown): TrackingValueVals['old'] => {
    const empty = v === null || v === undefined || v === false;
    switch (f.type) {
      case 'integer': return { integer: empty ? 0 : Number(v) };
      case 'float': case 'monetary': return { float: empty ? 0 : Number(v) };
      case 'char': return { char: empty ? null : String(v) };
      case 'text': case 'html': return { text: empty ? null : String(v) };
      case 'datetime': return { datetime: empty ? null : String(v).slice(0, 19) };
      case 'date': return { datetime: empty ? null : `${String(v).slice(0, 10)} 00:00:00` };
      case 'boolean': return { integer: v ? 1 : 0 };
      case 'selection': {
        const label = empty ? '' : (f.spec.selection ?? []).find(([k]) => k === v)?.[1] ?? String(v);
        return { char: label };
      }
      case 'many2one': return empty ? { integer: 0, char: '' } : { integer: Number(v), char: names.get(f.comodel!)?.get(Number(v)) ?? '' };
      case 'one2many': case 'many2many':
        return { char: empty ? '' : (v as number[]).map((id) => names.get(f.comodel!)?.get(id) ?? `Unnamed ${f.comodel} (${id})`).join(', ') };
      default: return {};
    }
  };
  if (!['integer', 'float', 'monetary', 'char', 'text', 'html', 'datetime', 'date', 'boolean', 'selection', 'many2one', 'one2many', 'many2many'].includes(f.type)) return null;
  return { field: f, old: side(oldV), new: side(newV) };
}

/** Compare snapshots with current values and log one message per changed record. */
async function trackFinalize(env: Env, modelName: string): Promise<void> {
  const st = trackingState(env, modelName);
  st.scheduled = false;
  const initial = st.initial;
  const bodies = st.bodies;
  st.initial = new Map();
  st.bodies = new Map();
  const ids = [...initial].filter(([, v]) => v).map(([id]) => id);
  if (!ids.length || !env.registry.has(modelName)) return;
  const model = env.registry.get(modelName);
  const fields = trackedFields(model);
  const recs = env.model(modelName).sudo().withContext({ active_test: false });
  for (let start = 0; start < ids.length; start += BATCH) {
    const chunk = ids.slice(start, start + BATCH);
    const current = await recs.browse(chunk).fetchValues(fields.map((f) => f.name));
    const changes: { id: number; fields: Field[]; cur: Vals; init: Vals }[] = [];
    const wanted = new Map<string, Set<number>>();
    for (const id of chunk) {
      const cur = current.get(id);
      const init = initial.get(id);
      if (!cur || !init) continue;
      const changed = fields.filter((f) => f.name in init && normalize(f, init[f.name]) !== normalize(f, cur[f.name]));
      if (!changed.length) continue;
      changes.push({ id, fields: changed, cur, init });
      for (const f of changed) {
        if (!f.isRelational) continue;
        const set = wanted.get(f.comodel!) ?? new Set<number>();
        for (const v of [init[f.name], cur[f.name]]) {
          if (Array.isArray(v)) v.forEach((x) => set.add(x));
          else if (v) set.add(Number(v));
        }
        wanted.set(f.comodel!, set);
      }
    }
    if (!changes.length) continue;
    const names = new Map<string, Map<number, string>>();
    for (const [comodel, set] of wanted) {
      names.set(comodel, set.size ? await env.model(comodel).sudo().withContext({ active_test: false }).browse([...set]).displayNames() : new Map());
    }
    await insertMessages(env, changes.map((c) => ({
      model: modelName,
      resId: c.id,
      body: bodies.get(c.id) ?? '',
      messageType: 'notification',
      subtype: 'mail.mt_note',
      isInternal: true,
      tracking: c.fields.map((f) => trackingValue(f, c.init[f.name], c.cur[f.name], names)).filter((t): t is TrackingValueVals => t !== null),
    })));
  }
}

// ---------------------------------------------------------------- the mixin

/** The one2many-like condition on the messages of `model` for the search of message_ids. */
function messageIdsDomain(self: RecordSet, operator: string, value: unknown): DomainItem[] {
  const model = self.model.name;
  const ofModel = (cond: SQL) => sql`SELECT m.res_id FROM mail_message m WHERE m.model = ${model} AND m.res_id IS NOT NULL AND ${cond}`;
  if (operator === 'any' || operator === 'not any') {
    const sub = self.env.model('mail.message').searchQuery(value ?? []);
    return [['id', operator === 'any' ? 'in' : 'not in', ofModel(sql`m.id IN (${sub})`)]];
  }
  if (!['=', '!=', 'in', 'not in'].includes(operator)) throw new PyValueError(`Invalid operator ${operator} for message_ids`);
  const negative = operator === '!=' || operator === 'not in';
  const vals = Array.isArray(value) ? value : [value];
  const ids = vals.filter((v) => v !== false && v !== null).map(Number);
  const parts: DomainItem[][] = [];
  if (ids.length) parts.push([['id', 'in', ofModel(sql`m.id = ANY(${ids}::int4[])`)]]);
  if (vals.some((v) => v === false || v === null) || (Array.isArray(value) && !value.length && operator === '=')) {
    parts.push([['id', 'not in', ofModel(raw('TRUE'))]]);
  }
  let positive: DomainItem[];
  if (!parts.length) positive = [[0, '=', 1]];
  else if (parts.length === 1) positive = parts[0];
  else positive = ['|', ...parts[0], ...parts[1]];
  return negative ? ['!', ...positive] : positive;
}

export const MailThread: ModelSpec = {
  _name: 'mail.thread',
  _description: 'Email Thread',
  _abstract: true,
  fields: {
    message_ids: {
      type: 'one2many', comodel: 'mail.message', inverseName: 'res_id', string: 'Messages', readonly: false,
      compute: '_compute_message_ids', search: '_search_message_ids',
    },
    has_message: { type: 'boolean', string: 'Has Message', compute: '_compute_has_message', search: '_search_has_message' },
  },
  methods: {
    // Odoo stores message_ids as a one2many on (model, res_id); here it is computed with the
    // model filter, so report it as Odoo does.
    fields_get: {
      api: 'model',
      params: [['allfields', null], ['attributes', null]],
      readonly: true,
      async fn(_self: RecordSet, allfields: unknown, attributes: unknown) {
        const res = (await this.super(allfields, attributes)) as Record<string, Record<string, unknown>>;
        if (res.message_ids && 'store' in res.message_ids) res.message_ids.store = true;
        return res;
      },
    },
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: unknown) {
        const records = (await this.super(valsList)) as RecordSet;
        if (!records.ids.length) return records;
        trackDiscardCreated(records);
        const ctx = self.env.context;
        if (!ctx.tracking_disable && !ctx.mail_create_nolog) await logCreation(records);
        return records;
      },
    },
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: Vals) {
        const ctx = self.env.context;
        if (!ctx.tracking_disable && !ctx.mail_notrack) await trackPrepare(self, vals);
        return this.super(vals);
      },
    },
    unlink: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        if (!self.ids.length) return true;
        trackDiscard(self);
        const res = await this.super();
        // (model, res_id) cannot cascade: delete the chatter with the records
        await self.env.cr.execute(sql`DELETE FROM mail_message WHERE model = ${self.model.name} AND res_id = ANY(${self.ids}::int4[])`);
        return res;
      },
    },
    message_post: {
      api: 'record',
      params: [
        ['body', ''], ['subject', null], ['message_type', 'notification'], ['email_from', null], ['author_id', null],
        ['parent_id', false], ['subtype_xmlid', null], ['subtype_id', false], ['partner_ids', null],
        ['attachments', null], ['attachment_ids', null], ['body_is_html', false],
      ],
      async fn(self: RecordSet, body: unknown, subject: unknown, messageType: unknown, _emailFrom: unknown, authorId: unknown,
        parentId: unknown, subtypeXmlid: unknown, subtypeIdArg: unknown, _partnerIds: unknown, _attachments: unknown, _attachmentIds: unknown, bodyIsHtml: unknown) {
        self.ensureOne();
        await self.checkAccess('write');
        const type = messageType === null || messageType === undefined || messageType === false ? 'notification' : String(messageType);
        if (!MESSAGE_TYPES.some(([k]) => k === type)) throw new PyValueError(`Wrong value for mail.message.message_type: '${type}'`);
        if (type === 'user_notification') throw new PyValueError('Use message_notify to send a notification to an user.');
        const text = body === null || body === undefined || body === false ? '' : String(body);
        let subtype: NewMessage['subtype'] = null;
        if (subtypeIdArg) subtype = Number(subtypeIdArg);
        else if (subtypeXmlid === 'mail.mt_comment' || subtypeXmlid === 'mail.mt_note') subtype = subtypeXmlid;
        else if (subtypeXmlid) throw new PyValueError(`External ID not found in the system: ${String(subtypeXmlid)}`);
        else subtype = 'mail.mt_note';
        const [id] = await insertMessages(self.env, [{
          model: self.model.name,
          resId: self.ids[0],
          body: htmlBody(bodyIsHtml ? text : escapeHtml(text)),
          subject: subject ? String(subject) : null,
          messageType: type,
          subtype,
          authorId: authorId ? Number(authorId) : undefined,
          parentId: parentId ? Number(parentId) : null,
        }]);
        return id;
      },
    },
    _message_log: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet, body: unknown) => messageLog(self, htmlBody(String(body ?? ''))),
    },
    /** Body of the next tracking message of these records (Odoo's _track_set_log_message). */
    _track_set_log_message: {
      api: 'record',
      private: true,
      fn: (self: RecordSet, message: unknown) => {
        if (!trackedFields(self.model).length) return;
        const st = trackingState(self.env, self.model.name);
        for (const id of self.ids) st.bodies.set(id, String(message ?? ''));
      },
    },
    _compute_message_ids: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        // Only the messages the user may read (portal users do not see internal notes).
        const allowed = (await self.env.model('mail.message').accessCondition('read', 'mail_message')) ?? sql`TRUE`;
        const rows = await self.env.cr.query<{ id: number; res_id: number }>(
          sql`SELECT id, res_id FROM mail_message WHERE model = ${self.model.name} AND res_id = ANY(${self.ids}::int4[]) AND ${allowed} ORDER BY id DESC`,
        );
        const out = new Map<number, Vals>(self.ids.map((id) => [id, { message_ids: [] as number[] }]));
        for (const r of rows) (out.get(r.res_id)?.message_ids as number[] | undefined)?.push(r.id);
        return out;
      },
    },
    _search_message_ids: { api: 'model', private: true, fn: (self: RecordSet, op: string, value: unknown) => messageIdsDomain(self, op, value) },
    _compute_has_message: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ res_id: number }>(
          sql`SELECT DISTINCT res_id FROM mail_message WHERE model = ${self.model.name} AND res_id = ANY(${self.ids}::int4[])`,
        );
        const has = new Set(rows.map((r) => r.res_id));
        return new Map<number, Vals>(self.ids.map((id) => [id, { has_message: has.has(id) }]));
      },
    },
    _search_has_message: {
      api: 'model',
      private: true,
      fn: (self: RecordSet, op: string, value: unknown) => {
        const positive = boolSearchValue(op, value);
        const q = sql`SELECT res_id FROM mail_message WHERE model = ${self.model.name} AND res_id IS NOT NULL`;
        return [['id', positive ? 'in' : 'not in', q]];
      },
    },
  },
};

/**
 * Normalise a boolean search leaf (`=`/`!=` with a bool, `in`/`not in` with one bool) to "is the
 * condition the positive one". Anything else is refused, as Odoo's search methods do.
 */
export function boolSearchValue(operator: string, value: unknown): boolean {
  const single = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
  if (single === undefined || (typeof single !== 'boolean' && single !== 0 && single !== 1)) {
    throw new PyValueError(`Unsupported search: (${operator}, ${JSON.stringify(value)}) needs a boolean value`);
  }
  const v = !!single;
  switch (operator) {
    case '=': case 'in': return v;
    case '!=': case 'not in': return !v;
    default: throw new PyValueError(`Unsupported operator ${operator} for a boolean search`);
  }
}
