// sms.composer ("Send SMS Wizard", spec §5): `numbers` sends to typed numbers now, `comment`
// posts the SMS on each record's chatter (message of type sms) and sends it now, `mass` prepares
// SMS for many records with the mailings' classification (mass_mailing_sms/prepare.ts: numbers,
// partner fallback, exclusion list, duplicates), queued unless `mass_force_send`.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import type { Env } from '../orm/env.ts';
import { UserError } from '../orm/exceptions.ts';
import { pyRepr } from '../orm/domain.ts';
import { parseInlineTemplate } from '../tools/inline_template.ts';
import { phoneSanitize } from '../tools/phone.ts';
import { escapeHtml, insertMessages } from '../mail/mail_thread.ts';
import { defaultPhoneCountry, userPhoneCountry } from '../phone_validation/default_country.ts';
import { smsRecipientSpec } from '../mass_mailing_sms/recipients.ts';
import { parsePyLiteral } from '../tools/py_literal.ts';
import { classifySmsRecipients } from '../mass_mailing_sms/prepare.ts';
import { renderSmsBodies } from '../mass_mailing_sms/render.ts';

export const COMPOSITION_MODES: [string, string][] = [
  ['numbers', 'Send to numbers'],
  ['comment', 'Post on a document'],
  ['mass', 'Send SMS in batch'],
];

/** Odoo's plaintext2html for an SMS body logged on a chatter. */
export function smsBodyHtml(body: string): string {
  return `<p>${escapeHtml(body).replace(/\r?\n/g, '<br>')}</p>`;
}

/** Record ids of a composer: `res_ids` (repr of a list) or `res_id`. */
function composerResIds(row: Vals): number[] {
  if (row.res_ids) {
    let parsed: unknown;
    try {
      parsed = parsePyLiteral(String(row.res_ids));
    } catch {
      throw new UserError(`Invalid Document IDs: ${row.res_ids}`);
    }
    return (Array.isArray(parsed) ? parsed : [parsed]).map(Number).filter(Number.isInteger);
  }
  return row.res_id ? [Number(row.res_id)] : [];
}

export interface SmsRecipientInfo {
  partnerId: number | false;
  partnerName: string | false;
  sanitized: string | false;
  number: string | false;
  partnerStore: boolean;
  fieldStore: string | false;
}

/**
 * Odoo's `_sms_get_recipients_info`: per record, the first number field that sanitises (with the
 * record's country), else (partner fallback) its partner's number, else its first raw number.
 */
export async function smsRecipientsInfo(env: Env, modelName: string, ids: number[], opts: { forceField?: string | false; partnerFallback?: boolean } = {}): Promise<Map<number, SmsRecipientInfo>> {
  const out = new Map<number, SmsRecipientInfo>();
  const spec = await smsRecipientSpec(env, modelName);
  if (!spec || !ids.length) {
    for (const id of ids) out.set(id, { partnerId: false, partnerName: false, sanitized: false, number: false, partnerStore: false, fieldStore: false });
    return out;
  }
  const model = env.registry.get(modelName);
  const fields = opts.forceField ? [opts.forceField] : spec.numberFields;
  const present = fields.filter((f) => model.fields.has(f));
  const read = [...present, ...(spec.partnerField ? [spec.partnerField] : []), ...(spec.countryField ? [spec.countryField] : [])];
  const recs = env.model(modelName).sudo().withContext({ active_test: false }).browse(ids);
  const rows = new Map((await recs.fetch(read)).map((r) => [r.id as number, r]));
  const countries = new Map<number, string>();
  const countryIds = spec.countryField ? [...new Set([...rows.values()].map((r) => r[spec.countryField!] as number).filter(Boolean))] : [];
  if (countryIds.length) for (const c of await env.model('res.country').sudo().browse(countryIds).fetch(['code'])) countries.set(c.id as number, String(c.code));
  const fallback = await defaultPhoneCountry(env);
  const partnerIds = spec.isPartner ? ids : spec.partnerField ? [...new Set([...rows.values()].map((r) => r[spec.partnerField!] as number).filter(Boolean))] : [];
  const partners = new Map(partnerIds.length ? (await env.model('res.partner').sudo().withContext({ active_test: false }).browse(partnerIds).fetch(['name', 'phone', 'country_id'])).map((p) => [p.id as number, p]) : []);
  const partnerCountryIds = [...new Set([...partners.values()].map((p) => p.country_id as number).filter((c) => c && !countries.has(c)))];
  if (partnerCountryIds.length) for (const c of await env.model('res.country').sudo().browse(partnerCountryIds).fetch(['code'])) countries.set(c.id as number, String(c.code));
  for (const id of ids) {
    const row = rows.get(id) ?? {};
    const country = (spec.countryField && countries.get(row[spec.countryField] as number)) || fallback || null;
    const partnerId = spec.isPartner ? id : spec.partnerField ? (row[spec.partnerField] as number) || false : false;
    const partner = partnerId ? partners.get(partnerId) : undefined;
    let found: SmsRecipientInfo | null = null;
    for (const f of present) {
      const sanitized = phoneSanitize(row[f] as string, country);
      if (sanitized) {
        found = { partnerId, partnerName: (partner?.name as string) || false, sanitized, number: row[f] as string, partnerStore: false, fieldStore: f };
        break;
      }
    }
    if (!found && partner && opts.partnerFallback !== false && !spec.isPartner) {
      const pCountry = countries.get(partner.country_id as number) || fallback || null;
      const sanitized = phoneSanitize(partner.phone as string, pCountry);
      found = { partnerId, partnerName: (partner.name as string) || false, sanitized, number: (partner.phone as string) || false, partnerStore: true, fieldStore: 'phone' };
    }
    if (!found) {
      const first = present.find((f) => row[f]);
      found = { partnerId: false, partnerName: false, sanitized: false, number: first ? (row[first] as string) : false, partnerStore: false, fieldStore: first ?? present[0] ?? false };
    }
    out.set(id, found);
  }
  return out;
}

/** Odoo's phone_sanitize_numbers_w_record: numbers → sanitised, with the record's (or user's) country. */
async function sanitizeTyped(env: Env, numbers: string[], modelName: string | false, resId: number | false): Promise<Map<string, string | false>> {
  let country: string | undefined;
  if (modelName && resId && env.registry.has(modelName)) {
    const spec = await smsRecipientSpec(env, modelName);
    if (spec?.countryField) {
      const [row] = await env.model(modelName).sudo().browse([resId]).fetch([spec.countryField]);
      if (row?.[spec.countryField]) country = String((await env.model('res.country').sudo().browse([row[spec.countryField] as number]).fetch(['code']))[0]?.code ?? '') || undefined;
    }
    country ??= await defaultPhoneCountry(env);
  } else {
    country = await userPhoneCountry(env);
  }
  return new Map(numbers.map((n) => [n, phoneSanitize(n, country ?? null)]));
}

async function isMailThread(env: Env, modelName: string | false): Promise<boolean> {
  return !!modelName && env.registry.has(modelName) && env.registry.get(modelName).mixins.has('mail.thread');
}

/** Create sms.sms rows (sudo), as `sms.sms.create` does (it wakes the queue). */
async function createSms(env: Env, vals: Vals[]): Promise<RecordSet> {
  if (!vals.length) return env.model('sms.sms');
  return env.model('sms.sms').sudo().create(vals);
}

/** `_message_sms` on each record: a chatter message of type sms (note) and its SMS, sent now. */
async function postSmsMessages(env: Env, modelName: string, items: { resId: number; body: string; numbers: { number: string | false; partnerId: number | false; sanitized: string | false }[] }[]): Promise<number[]> {
  if (!items.length) return [];
  const messageIds = await insertMessages(env, items.map((it) => ({ model: modelName, resId: it.resId, body: smsBodyHtml(it.body), messageType: 'sms', subtype: 'mail.mt_note', isInternal: false })));
  const vals: Vals[] = [];
  items.forEach((it, i) => {
    for (const n of it.numbers) {
      vals.push({
        body: it.body, number: n.sanitized || n.number || false, partner_id: n.partnerId || false, mail_message_id: messageIds[i],
        state: n.sanitized ? 'outgoing' : 'error', failure_type: n.sanitized ? false : n.number ? 'sms_number_format' : 'sms_number_missing',
      });
    }
  });
  const sms = await createSms(env, vals);
  await sms.call('send');
  return messageIds;
}

export const SmsComposer: ModelSpec = {
  _name: 'sms.composer',
  _description: 'Send SMS Wizard',
  _transient: true,
  fields: {
    composition_mode: {
      type: 'selection', string: 'Composition Mode', selection: COMPOSITION_MODES, required: true,
      compute: '_compute_composition_mode', store: true, readonly: false, precompute: true, depends: ['res_ids_count'],
    },
    res_model: { type: 'char', string: 'Document Model Name' },
    res_model_description: { type: 'char', string: 'Document Model Description', compute: '_compute_res_model_description', depends: ['res_model'] },
    res_id: { type: 'integer', string: 'Document ID' },
    res_ids: { type: 'char', string: 'Document IDs' },
    res_ids_count: { type: 'integer', string: 'Visible records count', compute: '_compute_res_ids_count', depends: ['res_model', 'res_id', 'res_ids'], help: 'Number of recipients that will receive the SMS if sent in mass mode, without applying the Active Domain value' },
    comment_single_recipient: { type: 'boolean', string: 'Single Mode', compute: '_compute_comment_single_recipient', depends: ['res_id', 'composition_mode'], help: 'Indicates if the SMS composer targets a single specific recipient' },
    mass_keep_log: { type: 'boolean', string: 'Keep a note on document', default: true },
    mass_force_send: { type: 'boolean', string: 'Send directly', default: false },
    use_exclusion_list: { type: 'boolean', string: 'Use Exclusion List', default: true, copy: false, help: 'Prevent sending messages to blacklisted contacts. Disable only when absolutely necessary.' },
    recipient_valid_count: { type: 'integer', string: '# Valid recipients', compute: '_compute_recipients', depends: ['res_model', 'res_id', 'res_ids', 'composition_mode', 'number_field_name', 'sanitized_numbers'] },
    recipient_invalid_count: { type: 'integer', string: '# Invalid recipients', compute: '_compute_recipients', depends: ['res_model', 'res_id', 'res_ids', 'composition_mode', 'number_field_name', 'sanitized_numbers'] },
    recipient_single_description: { type: 'text', string: 'Recipients (Partners)', compute: '_compute_recipient_single_non_stored', depends: ['res_model', 'number_field_name'] },
    recipient_single_number: { type: 'char', string: 'Stored Recipient Number', compute: '_compute_recipient_single_non_stored', depends: ['res_model', 'number_field_name'] },
    recipient_single_number_itf: {
      type: 'char', string: 'Recipient Number', compute: '_compute_recipient_single_stored', store: true, readonly: false, precompute: true,
      depends: ['res_model', 'number_field_name'], help: 'Phone number of the recipient. If changed, it will be recorded on recipient\'s profile.',
    },
    recipient_single_valid: { type: 'boolean', string: 'Is valid', compute: '_compute_recipient_single_valid', depends: ['recipient_single_number', 'recipient_single_number_itf'] },
    number_field_name: { type: 'char', string: 'Number Field' },
    numbers: { type: 'char', string: 'Recipients (Numbers)' },
    sanitized_numbers: { type: 'char', string: 'Sanitized Number', compute: '_compute_sanitized_numbers', depends: ['numbers', 'res_model', 'res_id'] },
    template_id: { type: 'many2one', comodel: 'sms.template', string: 'Use Template', ondelete: 'set null' },
    body: {
      type: 'text', string: 'Message', required: true, translate: false,
      compute: '_compute_body', store: true, readonly: false, precompute: true, depends: ['composition_mode', 'res_model', 'res_id', 'template_id'],
    },
  },
  methods: {
    // Odoo's default_get: the calling screen's model and records (active_model, active_id(s)).
    default_get: {
      api: 'model',
      params: ['fields'],
      async fn(self: RecordSet, fields: unknown) {
        const res = (await this.super(fields)) as Vals;
        const ctx = self.env.context;
        const wanted = new Set(Array.isArray(fields) ? (fields as string[]) : []);
        if (wanted.has('res_model') && !res.res_model && ctx.active_model) res.res_model = ctx.active_model;
        const active = Array.isArray(ctx.active_ids) ? (ctx.active_ids as unknown[]).map(Number) : [];
        if (wanted.has('res_ids') && !res.res_ids && !res.res_id && active.length > 1) res.res_ids = pyRepr(active);
        else if (Array.isArray(res.res_ids)) res.res_ids = pyRepr((res.res_ids as unknown[]).map(Number));
        if (wanted.has('res_id') && !res.res_id && !res.res_ids && ctx.active_id) res.res_id = ctx.active_id;
        return res;
      },
    },
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        const ctx = self.env.context;
        const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => {
          const out: Vals = { ...v };
          // Odoo's default_get: the calling screen's active model and records.
          if (!('res_model' in out) && !('default_res_model' in ctx) && ctx.active_model) out.res_model = ctx.active_model;
          const ids = 'res_ids' in out ? out.res_ids : ctx.default_res_ids;
          if (Array.isArray(ids)) out.res_ids = pyRepr(ids.map(Number));
          if (!('res_ids' in out) && !('res_id' in out) && !('default_res_ids' in ctx) && !('default_res_id' in ctx)) {
            const active = Array.isArray(ctx.active_ids) ? (ctx.active_ids as number[]) : [];
            if (active.length > 1) out.res_ids = pyRepr(active.map(Number));
            else if (ctx.active_id) out.res_id = ctx.active_id;
          }
          return out;
        });
        return this.super(list);
      },
    },
    _compute_res_model_description: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['res_model']);
        return new Map(rows.map((r) => [r.id as number, { res_model_description: r.res_model && self.env.registry.has(String(r.res_model)) ? self.env.registry.get(String(r.res_model)).description : false }]));
      },
    },
    _compute_res_ids_count: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['res_ids']);
        return new Map(rows.map((r) => [r.id as number, { res_ids_count: r.res_ids ? composerResIds(r).length : 0 }]));
      },
    },
    _compute_composition_mode: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['composition_mode', 'res_ids']);
        const guess = self.env.context.sms_composition_mode === 'guess';
        return new Map(rows.map((r) => {
          const count = r.res_ids ? composerResIds(r).length : 0;
          const mode = guess || !r.composition_mode ? (count > 1 ? 'mass' : 'comment') : r.composition_mode;
          return [r.id as number, { composition_mode: mode }];
        }));
      },
    },
    _compute_comment_single_recipient: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['res_id', 'composition_mode']);
        return new Map(rows.map((r) => [r.id as number, { comment_single_recipient: !!(r.res_id && r.composition_mode === 'comment') }]));
      },
    },
    _compute_recipients: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const out = new Map<number, Vals>();
        for (const r of await self.fetch(['res_model', 'res_id', 'res_ids', 'composition_mode', 'number_field_name', 'numbers'])) {
          const res = { recipient_valid_count: 0, recipient_invalid_count: 0 };
          out.set(r.id as number, res);
          if (!['comment', 'mass'].includes(String(r.composition_mode)) || !r.res_model) continue;
          const modelName = String(r.res_model);
          const ids = composerResIds(r);
          if (ids.length && (await isMailThread(self.env, modelName))) {
            const single = !!(r.res_id && r.composition_mode === 'comment');
            const info = await smsRecipientsInfo(self.env, modelName, ids, { forceField: (r.number_field_name as string) || false, partnerFallback: !single });
            for (const v of info.values()) {
              if (v.sanitized) res.recipient_valid_count += 1;
              else res.recipient_invalid_count += 1;
            }
          } else {
            res.recipient_invalid_count = r.numbers ? 0 : 1;
          }
        }
        return out;
      },
    },
    _compute_recipient_single_non_stored: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const out = new Map<number, Vals>();
        for (const r of await self.fetch(['res_model', 'res_id', 'composition_mode', 'number_field_name'])) {
          const vals: Vals = { recipient_single_description: false, recipient_single_number: '' };
          out.set(r.id as number, vals);
          if (!(r.res_id && r.composition_mode === 'comment') || !(await isMailThread(self.env, r.res_model as string))) continue;
          const info = (await smsRecipientsInfo(self.env, String(r.res_model), [Number(r.res_id)], { forceField: (r.number_field_name as string) || false, partnerFallback: false })).get(Number(r.res_id))!;
          let description = info.partnerName;
          if (!description) description = (await self.env.model(String(r.res_model)).sudo().browse([Number(r.res_id)]).displayNames()).get(Number(r.res_id)) ?? false;
          vals.recipient_single_description = description;
          vals.recipient_single_number = info.number || '';
        }
        return out;
      },
    },
    _compute_recipient_single_stored: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const out = new Map<number, Vals>();
        for (const r of await self.fetch(['res_model', 'res_id', 'res_ids', 'composition_mode', 'number_field_name', 'recipient_single_number_itf'])) {
          const single = !!(r.res_id && !r.res_ids && r.composition_mode !== 'mass' && r.composition_mode !== 'numbers');
          if (!single || !(await isMailThread(self.env, r.res_model as string))) {
            out.set(r.id as number, { recipient_single_number_itf: r.recipient_single_number_itf || '' });
            continue;
          }
          const info = (await smsRecipientsInfo(self.env, String(r.res_model), [Number(r.res_id)], { forceField: (r.number_field_name as string) || false, partnerFallback: false })).get(Number(r.res_id))!;
          out.set(r.id as number, { recipient_single_number_itf: r.recipient_single_number_itf || info.number || '' });
        }
        return out;
      },
    },
    _compute_recipient_single_valid: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const out = new Map<number, Vals>();
        const single = await self.read(['recipient_single_number'], null);
        const numbers = new Map(single.map((r) => [r.id as number, r.recipient_single_number as string]));
        for (const r of await self.fetch(['res_model', 'res_id', 'recipient_single_number_itf'])) {
          const value = (r.recipient_single_number_itf as string) || numbers.get(r.id as number) || '';
          const sanitized = value ? (await sanitizeTyped(self.env, [value], (r.res_model as string) || false, (r.res_id as number) || false)).get(value) : false;
          out.set(r.id as number, { recipient_single_valid: !!sanitized });
        }
        return out;
      },
    },
    _compute_sanitized_numbers: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const out = new Map<number, Vals>();
        for (const r of await self.fetch(['numbers', 'res_model', 'res_id'])) {
          if (!r.numbers) {
            out.set(r.id as number, { sanitized_numbers: false });
            continue;
          }
          const numbers = String(r.numbers).split(',').map((n) => n.trim());
          const res = await sanitizeTyped(self.env, numbers, (r.res_model as string) || false, (r.res_id as number) || false);
          const invalid = [...res.entries()].filter(([, s]) => !s).map(([n]) => n);
          if (invalid.length) throw new UserError(`Following numbers are not correctly encoded: ${pyRepr(invalid)}`);
          out.set(r.id as number, { sanitized_numbers: [...res.values()].filter(Boolean).join(',') });
        }
        return out;
      },
    },
    _compute_body: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const out = new Map<number, Vals>();
        const rows = await self.fetch(['template_id', 'composition_mode', 'res_id', 'res_model', 'body']);
        const tplIds = [...new Set(rows.map((r) => r.template_id as number).filter(Boolean))];
        const templates = new Map((await self.env.model('sms.template').sudo().browse(tplIds).fetch(['body', 'model'])).map((t) => [t.id as number, t]));
        for (const r of rows) {
          const tpl = templates.get(r.template_id as number);
          let body = r.body || false;
          if (tpl && r.composition_mode === 'comment' && r.res_id) {
            body = (await renderSmsBodies(self.env, String(tpl.model), parseInlineTemplate(String(tpl.body)), [Number(r.res_id)]))[0];
          } else if (tpl) {
            body = tpl.body as string;
          }
          out.set(r.id as number, { body });
        }
        return out;
      },
    },
    action_send_sms: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        for (const composer of self) {
          const [c] = await composer.read(['composition_mode', 'comment_single_recipient', 'recipient_single_valid', 'recipient_invalid_count'], null);
          if (c.composition_mode === 'numbers' || c.composition_mode === 'comment') {
            if (c.comment_single_recipient && !c.recipient_single_valid) throw new UserError('Invalid recipient number. Please update it.');
            if (!c.comment_single_recipient && c.recipient_invalid_count) throw new UserError(`${c.recipient_invalid_count} invalid recipients`);
          }
          await composer.call('_action_send_sms');
        }
        return false;
      },
    },
    action_send_sms_mass_now: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['mass_force_send']);
        if (rows.some((r) => !r.mass_force_send)) await self.write({ mass_force_send: true });
        return self.call('action_send_sms');
      },
    },
    _action_send_sms: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        self.ensureOne();
        const [c] = await self.read(['composition_mode', 'res_model', 'comment_single_recipient'], null);
        if (c.composition_mode === 'numbers') return self.call('_action_send_sms_numbers');
        if (c.composition_mode === 'comment') {
          if (!(await isMailThread(self.env, c.res_model as string))) return self.call('_action_send_sms_numbers');
          if (c.comment_single_recipient) return self.call('_action_send_sms_comment_single');
          return self.call('_action_send_sms_comment');
        }
        return self.call('_action_send_sms_mass');
      },
    },
    _action_send_sms_numbers: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const [c] = await self.read(['body', 'sanitized_numbers'], null);
        const numbers = c.sanitized_numbers ? String(c.sanitized_numbers).split(',') : [];
        const sms = await createSms(self.env, numbers.map((number) => ({ body: c.body, number })));
        await sms.call('send');
        return sms;
      },
    },
    _action_send_sms_comment_single: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const [c] = await self.read(['res_model', 'res_id', 'number_field_name', 'recipient_single_number', 'recipient_single_number_itf'], null);
        const itf = (c.recipient_single_number_itf as string) || '';
        let field = (c.number_field_name as string) || '';
        if (!field) {
          const info = (await smsRecipientsInfo(self.env, String(c.res_model), [Number(c.res_id)], { partnerFallback: false })).get(Number(c.res_id))!;
          field = info.fieldStore || '';
        }
        // The number corrected in the wizard is written back on the record (Odoo's itf field).
        if (field && itf && itf !== c.recipient_single_number) {
          await self.env.model(String(c.res_model)).browse([Number(c.res_id)]).write({ [field]: itf });
        } else if (!field) {
          await self.write({ numbers: itf || c.recipient_single_number || false });
        }
        return self.call('_action_send_sms_comment');
      },
    },
    _action_send_sms_comment: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const [c] = await self.read(['res_model', 'res_id', 'res_ids', 'number_field_name', 'sanitized_numbers'], null);
        const modelName = String(c.res_model);
        const ids = composerResIds(c);
        const bodies = await self.call<Map<number, string>>('_prepare_body_values', ids);
        const typed = c.sanitized_numbers ? String(c.sanitized_numbers).split(',') : null;
        const info = typed ? null : await smsRecipientsInfo(self.env, modelName, ids, { forceField: (c.number_field_name as string) || false });
        const items = ids.map((id) => {
          const i = info?.get(id);
          const numbers = typed ? typed.map((n) => ({ number: n, sanitized: n, partnerId: false as const })) : [{ number: i!.number, sanitized: i!.sanitized, partnerId: i!.partnerId }];
          return { resId: id, body: bodies.get(id) ?? '', numbers };
        });
        const messageIds = await postSmsMessages(self.env, modelName, items);
        return self.env.model('mail.message').browse(messageIds);
      },
    },
    /** Bodies per record: the template rendered when the body is the template's, else the body as an inline template. */
    _prepare_body_values: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet, ids: number[]) => {
        const [c] = await self.fetch(['res_model', 'body', 'template_id']);
        let text = String(c.body ?? '');
        if (c.template_id) {
          const [tpl] = await self.env.model('sms.template').sudo().browse([c.template_id as number]).fetch(['body']);
          if (tpl && tpl.body === c.body) text = String(tpl.body);
        }
        const bodies = await renderSmsBodies(self.env, String(c.res_model), parseInlineTemplate(text), ids);
        return new Map(ids.map((id, i) => [id, bodies[i]]));
      },
    },
    /** Mass mode without a mailing: one sms.sms per record, cancelled ones included (Odoo's plain mass SMS). */
    _action_send_sms_mass: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const [c] = await self.fetch(['res_model', 'res_id', 'res_ids', 'use_exclusion_list', 'mass_keep_log', 'mass_force_send']);
        const modelName = String(c.res_model || '');
        if (!modelName || !self.env.registry.has(modelName)) throw new UserError('Unsupported model for mass SMS');
        const ids = composerResIds(c);
        if (!ids.length) return self.env.model('sms.sms');
        const classified = await classifySmsRecipients(self.env, modelName, ids, { useExclusionList: !!c.use_exclusion_list, duplicates: !self.env.context.sms_composer_no_batch_duplicates });
        const bodies = await self.call<Map<number, string>>('_prepare_body_values', classified.map((r) => r.resId));
        const vals: Vals[] = classified.map((r) => ({
          body: bodies.get(r.resId) ?? '', number: r.number, partner_id: r.partnerId,
          state: r.failure ? 'canceled' : 'outgoing', failure_type: r.failure ?? false,
        }));
        if (c.mass_keep_log && (await isMailThread(self.env, modelName))) {
          // Odoo's _message_log_batch: one sms-type note per record with its SMS body.
          const messageIds = await insertMessages(self.env, classified.map((r) => ({ model: modelName, resId: r.resId, body: smsBodyHtml(bodies.get(r.resId) ?? ''), messageType: 'sms', subtype: 'mail.mt_note', isInternal: true })));
          vals.forEach((v, i) => (v.mail_message_id = messageIds[i]));
        }
        const sms = await createSms(self.env, vals);
        if (c.mass_force_send) {
          const outgoing = vals.map((v, i) => (v.state === 'outgoing' ? sms.ids[i] : 0)).filter(Boolean);
          await sms.browse(outgoing).call('send', false, false);
        }
        return sms;
      },
    },
  },
};
