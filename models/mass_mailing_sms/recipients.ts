// Which models can receive SMS mailings, and where their numbers live. A model plugs in either
// by using the `mail.thread.phone` mixin (stored `phone_sanitized` + its number fields) or by
// declaring its fields here from its addon's `hooks.registryBuilt` (e.g. a crm.lead addon:
// registerSmsRecipientModel('crm.lead', { numberFields: ['phone'], partnerField: 'partner_id' })). Mirrors Odoo's
// `_phone_get_number_fields` / `_mail_get_partners` / `_sms_get_recipients_info` heuristics.

import type { Env } from '../orm/env.ts';
import type { Model } from '../orm/model.ts';
import { UserError } from '../orm/exceptions.ts';

export interface SmsRecipientSpec {
  /** Raw phone fields in priority order (Odoo's `_phone_get_number_fields`). */
  numberFields: string[];
  /** Stored column with the E.164 form of the first valid number field (`phone_sanitized`), if any. */
  sanitizedField: string | null;
  /** many2one to res.partner: the SMS customer, and whose number is used when the record has none. */
  partnerField: string | null;
  /** The recipient model is res.partner itself (each record is its own customer). */
  isPartner: boolean;
  /** many2one to res.country giving the region of raw national numbers. */
  countryField: string | null;
}

const DECLARED = new Map<string, Partial<SmsRecipientSpec>>();

/** Declare (or refine) how records of `model` are reached by SMS. */
export function registerSmsRecipientModel(model: string, spec: Partial<SmsRecipientSpec>): void {
  DECLARED.set(model, { ...DECLARED.get(model), ...spec });
}

// The phone fields Odoo looks at by default, in its order (19: mobile, then phone).
const DEFAULT_NUMBER_FIELDS = ['mobile', 'phone'];

function m2oTo(model: Model, name: string, comodel: string): boolean {
  const f = model.fields.get(name);
  return !!f && f.type === 'many2one' && f.comodel === comodel && f.store;
}

/** How to read numbers of `modelName`; null when the model has neither number nor partner field. */
export async function smsRecipientSpec(env: Env, modelName: string): Promise<SmsRecipientSpec | null> {
  if (!env.registry.has(modelName)) return null;
  const model = env.registry.get(modelName);
  const declared = DECLARED.get(modelName) ?? {};
  let numberFields = declared.numberFields;
  if (!numberFields && model.methods.has('_phone_get_number_fields')) {
    const got = await env.model(modelName).call<unknown>('_phone_get_number_fields');
    if (Array.isArray(got)) numberFields = got as string[];
  }
  numberFields = (numberFields ?? DEFAULT_NUMBER_FIELDS).filter((n) => {
    const f = model.fields.get(n);
    return !!f && f.store && (f.type === 'char' || f.type === 'text');
  });
  const sanitizedField = declared.sanitizedField !== undefined
    ? declared.sanitizedField
    : model.fields.get('phone_sanitized')?.store && model.fields.get('phone_sanitized')?.columnType ? 'phone_sanitized' : null;
  const isPartner = declared.isPartner ?? modelName === 'res.partner';
  let partnerField = declared.partnerField !== undefined ? declared.partnerField : null;
  if (declared.partnerField === undefined && !isPartner) partnerField = m2oTo(model, 'partner_id', 'res.partner') ? 'partner_id' : null;
  const countryField = declared.countryField !== undefined ? declared.countryField : m2oTo(model, 'country_id', 'res.country') ? 'country_id' : null;
  if (!numberFields.length && !partnerField && !sanitizedField) return null;
  return { numberFields, sanitizedField, partnerField, isPartner, countryField };
}

/** smsRecipientSpec or Odoo's UserError "Unsupported <model> for mass SMS". */
export async function requireSmsRecipientSpec(env: Env, modelName: string): Promise<SmsRecipientSpec> {
  const spec = await smsRecipientSpec(env, modelName);
  if (!spec) {
    const description = env.registry.has(modelName) ? env.registry.get(modelName).description : modelName;
    throw new UserError(`Unsupported ${description} for mass SMS`);
  }
  return spec;
}
