// mail.thread.phone: phone sanitisation and blacklist state of a model's records.
//
//  * `phone_sanitized` (stored): first number field (`_phone_get_number_fields`: `mobile`, `phone`
//    that exist) valid in E.164 with the record's country, else the default country;
//  * `phone_sanitized_blacklisted` / `phone_blacklisted` (not stored): the sanitised number is an
//    active phone.blacklist entry (searchable with =/!= True/False);
//  * `phone_mobile_search`: search-only, on the raw number fields ignoring separators.
//
// A model using the mixin re-declares `phone_sanitized` with its own dependencies:
//   phone_sanitized: phoneSanitizedField(['mobile', 'country_id'])

import type { ModelSpec, Model } from '../orm/model.ts';
import type { FieldSpec } from '../orm/fields.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import type { DomainItem } from '../orm/domain.ts';
import { SQL, sql, raw, ident, join } from '../orm/sql.ts';
import { AccessError, UserError } from '../orm/exceptions.ts';
import { phoneSanitize, phoneSanitizeMany } from '../tools/phone.ts';
import { boolSearchValue } from '../mail/mail_thread.ts';
import { defaultPhoneCountry } from './default_country.ts';

/** Characters ignored when searching phone numbers (Odoo's PHONE_REGEX_PATTERN). */
export const PHONE_REGEX_PATTERN = '[\\s\\\\./\\(\\)\\-]';
const PHONE_SEARCH_MIN_LENGTH = 3;

/** SQL of a number column without separators, as the partial index of the mixin stores it. */
function strippedColumn(alias: string, fname: string): SQL {
  return sql`regexp_replace((${ident(alias, fname)})::text, ${raw(`'${PHONE_REGEX_PATTERN}'`)}::text, ''::text, 'g'::text)`;
}

/** The `_indexes` entry a model of the mixin declares for each stored number field. */
export function phoneSearchIndex(fname: string): [string, string] {
  return [`${fname}_partial_tgm`, `((regexp_replace((${fname})::text, '${PHONE_REGEX_PATTERN}'::text, ''::text, 'g'::text))) WHERE ${fname} IS NOT NULL`];
}

export function phoneSanitizedField(depends: string[]): FieldSpec {
  return {
    type: 'char', string: 'Sanitized Number', compute: '_compute_phone_sanitized', store: true, precompute: true, index: 'btree_not_null', depends,
    help: 'Field used to store sanitized phone number. Helps speeding up searches and comparisons.',
  };
}

/** Stored char number fields of the model (`_phone_get_number_fields`, synchronous). */
export function phoneNumberFields(model: Model): string[] {
  const m = model.methods.get('_phone_get_number_fields');
  // synchronous by contract; an override may look at `self.model` (no environment here)
  const names = (m ? (m.fn.call({ super: async () => undefined }, { model } as unknown as RecordSet) as string[]) : ['mobile', 'phone']);
  return names.filter((n) => model.fields.get(n)?.type === 'char' && model.fields.get(n)!.store);
}

/** `country_id` when the model has it (`_phone_get_country_field`). */
export function phoneCountryField(model: Model): string | undefined {
  const f = model.fields.get('country_id');
  return f && f.type === 'many2one' && f.comodel === 'res.country' && f.store ? 'country_id' : undefined;
}

function assertPhoneField(model: Model): string[] {
  const fields = phoneNumberFields(model);
  if (!fields.length) throw new UserError(`Invalid primary phone field on model ${model.name}`);
  return fields;
}

/** Raw number fields and country code of records, one query. */
async function fetchNumbers(self: RecordSet, fields: string[]): Promise<Vals[]> {
  const model = self.model;
  const t = model.table;
  const countryField = phoneCountryField(model);
  const cols = fields.map((f) => sql`${ident(t, f)} AS ${ident(f)}`);
  const country = countryField ? sql`c.code AS __country` : sql`NULL::varchar AS __country`;
  const joinCountry = countryField ? sql` LEFT JOIN res_country c ON c.id = ${ident(t, countryField)}` : raw('');
  return self.env.cr.query(sql`SELECT ${ident(t, 'id')} AS id, ${join([...cols, country])}, ${ident(t, 'phone_sanitized')} AS phone_sanitized
    FROM ${ident(t)}${joinCountry} WHERE ${ident(t, 'id')} = ANY(${self.ids}::int4[])`);
}

/** Number fields and country code of records read through the ORM (records being created included). */
async function numbersOf(self: RecordSet, fields: string[]): Promise<Vals[]> {
  const countryField = phoneCountryField(self.model);
  const values = await self.sudo().fetchValues(countryField ? [...fields, countryField] : fields);
  const countryIds = new Set<number>();
  if (countryField) for (const v of values.values()) if (v[countryField]) countryIds.add(v[countryField] as number);
  const codes = new Map<number, string>();
  if (countryIds.size) {
    const countries = await self.env.model('res.country').sudo().browse([...countryIds]).fetchValues(['code']);
    for (const [id, v] of countries) codes.set(id, v.code as string);
  }
  const rows: Vals[] = [];
  for (const [id, v] of values) {
    // fetchValues gives fresh rows: completed in place
    v.id = id;
    v.__country = countryField && v[countryField] ? codes.get(v[countryField] as number) ?? null : null;
    rows.push(v);
  }
  return rows;
}

export const MailThreadPhone: ModelSpec = {
  _name: 'mail.thread.phone',
  _description: 'Phone Blacklist Mixin',
  _inherit: ['mail.thread'],
  _abstract: true,
  fields: {
    phone_sanitized: phoneSanitizedField([]),
    phone_sanitized_blacklisted: {
      type: 'boolean', string: 'Phone Blacklisted', compute: '_compute_blacklisted', search: '_search_phone_sanitized_blacklisted',
      groups: 'base.group_user', depends: ['phone_sanitized'],
      help: "If the sanitized phone number is on the blacklist, the contact won't receive mass mailing sms anymore, from any list",
    },
    phone_blacklisted: {
      type: 'boolean', string: 'Blacklisted Phone is Phone', compute: '_compute_blacklisted', groups: 'base.group_user', depends: ['phone_sanitized'],
      help: 'Indicates if a blacklisted sanitized phone number is a phone number. Helps distinguish which number is blacklisted             when there is both a mobile and phone field in a model.',
    },
    phone_mobile_search: { type: 'char', string: 'Phone Number', store: false, readonly: false, search: '_search_phone_mobile_search' },
  },
  methods: {
    // Odoo's default: those of `mobile`, `phone` that exist on the model
    _phone_get_number_fields: { api: 'model', private: true, fn: (self: RecordSet) => ['mobile', 'phone'].filter((f) => self.model.fields.has(f)) },

    _compute_phone_sanitized: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const fields = assertPhoneField(self.model);
        // Through the ORM (no SQL of its own): new records are computed before their INSERT.
        const rows = await numbersOf(self, fields);
        const fallback = await defaultPhoneCountry(self.env);
        // One parse per distinct (country, number): group records by their country.
        const byCountry = new Map<string, Vals[]>();
        for (const r of rows) {
          const code = (r.__country as string | null) ?? fallback ?? '';
          const list = byCountry.get(code);
          if (list) list.push(r);
          else byCountry.set(code, [r]);
        }
        const out = new Map<number, Vals>();
        for (const [code, list] of byCountry) {
          const result: (string | false)[] = list.map(() => false);
          for (const f of fields) {
            const pending = list.map((r, i) => (result[i] ? null : (r[f] as string | null)));
            const sanitized = phoneSanitizeMany(pending, code || null);
            sanitized.forEach((s, i) => {
              if (!result[i] && s) result[i] = s;
            });
          }
          list.forEach((r, i) => out.set(r.id as number, { phone_sanitized: result[i] }));
        }
        return out;
      },
    },

    _compute_blacklisted: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const t = self.model.table;
        const rows = await self.env.cr.query<{ id: number; bl: boolean }>(sql`
          SELECT ${ident(t, 'id')} AS id, (bl.id IS NOT NULL) AS bl FROM ${ident(t)}
          LEFT JOIN phone_blacklist bl ON bl.number = ${ident(t, 'phone_sanitized')} AND bl.active
          WHERE ${ident(t, 'id')} = ANY(${self.ids}::int4[])`);
        const out = new Map<number, Vals>();
        for (const r of rows) out.set(r.id, { phone_sanitized_blacklisted: r.bl, phone_blacklisted: false });
        // phone_blacklisted: the blacklisted number comes from a field not named like "mobile"
        const phoneFields = phoneNumberFields(self.model).filter((f) => !f.includes('mobile'));
        const blacklisted = rows.filter((r) => r.bl).map((r) => r.id);
        if (phoneFields.length && blacklisted.length) {
          const numbers = await fetchNumbers(self.browse(blacklisted), phoneFields);
          const fallback = await defaultPhoneCountry(self.env);
          for (const r of numbers) {
            const country = (r.__country as string | null) ?? fallback ?? null;
            const hit = phoneFields.some((f) => phoneSanitize(r[f] as string | null, country) === r.phone_sanitized);
            out.get(r.id as number)!.phone_blacklisted = hit;
          }
        }
        return out;
      },
    },

    // A sub-query on the active blacklist: no id list is ever loaded.
    _search_phone_sanitized_blacklisted: {
      api: 'model',
      private: true,
      fn: (self: RecordSet, operator: string, value: unknown): DomainItem[] => {
        assertPhoneField(self.model);
        const positive = boolSearchValue(operator, value);
        return [['phone_sanitized', positive ? 'in' : 'not in', sql`SELECT number FROM phone_blacklist WHERE active`]];
      },
    },

    _search_phone_mobile_search: {
      api: 'model',
      private: true,
      fn: (self: RecordSet, operator: string, value: unknown): DomainItem[] => phoneMobileSearch(self, operator, value),
    },

    _phone_set_blacklisted: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.sudo().fetch(['phone_sanitized']);
        return self.env.model('phone.blacklist').sudo().call('_add', rows.map((r) => r.phone_sanitized).filter(Boolean));
      },
    },
    _phone_reset_blacklisted: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.sudo().fetch(['phone_sanitized']);
        return self.env.model('phone.blacklist').sudo().call('_remove', rows.map((r) => r.phone_sanitized).filter(Boolean));
      },
    },

    phone_action_blacklist_remove: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        // the wizard's own rights are not enough: unblacklisting needs write on phone.blacklist
        const checker = self.env.registry.accessChecker;
        const allowed = !checker || self.env.isSuperuser || (await checker(self.env, 'phone.blacklist', 'write', false));
        if (!allowed) throw new AccessError('You do not have the access right to unblacklist phone numbers. Please contact your administrator.');
        return {
          name: 'Are you sure you want to unblacklist this Phone Number?',
          type: 'ir.actions.act_window',
          view_mode: 'form',
          res_model: 'phone.blacklist.remove',
          target: 'new',
        };
      },
    },
  },
};

const NEGATIVE = new Set(['!=', 'not like', 'not ilike', 'not =like', 'not =ilike', 'not in']);
const SQL_OPERATORS: Record<string, string> = {
  '=': '=', '!=': '!=', like: 'LIKE', ilike: 'ILIKE', 'not like': 'NOT LIKE', 'not ilike': 'NOT ILIKE',
  '=like': 'LIKE', '=ilike': 'ILIKE', 'not =like': 'NOT LIKE', 'not =ilike': 'NOT ILIKE',
};

function andOr(op: '&' | '|', parts: DomainItem[][]): DomainItem[] {
  if (!parts.length) return [];
  const out: DomainItem[] = [];
  for (let i = 1; i < parts.length; i++) out.push(op);
  for (const p of parts) out.push(...p);
  return out;
}

/** Odoo's `_search_phone_mobile_search`: raw numbers without separators, `+` and `00` alike. */
function phoneMobileSearch(self: RecordSet, operator: string, rawValue: unknown): DomainItem[] {
  if (operator === 'in' || operator === 'not in') {
    const values = Array.isArray(rawValue) ? rawValue : [rawValue];
    const parts = values.map((v) => phoneMobileSearch(self, operator === 'in' ? '=' : '!=', v));
    if (!parts.length) return operator === 'in' ? [[0, '=', 1]] : [];
    return andOr(operator === 'in' ? '|' : '&', parts);
  }
  const value = typeof rawValue === 'string' ? rawValue.trim() : rawValue;
  const model = self.model;
  const fields = phoneNumberFields(model);
  if (!fields.length) throw new UserError('Missing definition of phone fields.');
  // set / not set
  if ((value === true || !value) && (operator === '=' || operator === '!=')) {
    let op = operator;
    if (value) op = op === '!=' ? '=' : '!=';
    return andOr(op === '=' ? '&' : '|', fields.map((f) => [[f, op, false]] as DomainItem[]));
  }
  if (!value) return [];
  const text = String(value);
  if (text.length < PHONE_SEARCH_MIN_LENGTH) throw new UserError('Please enter at least 3 characters when searching a Phone number.');
  const sqlOp = SQL_OPERATORS[operator];
  if (!sqlOp) throw new UserError(`Unsupported operator ${operator} for phone numbers.`);
  const negative = NEGATIVE.has(operator);
  const op = raw(sqlOp);
  const alias = 'model';
  const strip = (s: string) => s.replace(/[\s\\./()-]/g, '');
  const conds: SQL[] = [];
  if (text.startsWith('+') || text.startsWith('00')) {
    // +32485112233 also finds 0032485112233 and the other way round
    let term = strip(text.slice(text.startsWith('+') ? 1 : 2));
    if (operator !== '=' && operator !== '!=') term = `${term}%`;
    for (const f of fields) {
      const col = strippedColumn(alias, f);
      conds.push(negative
        ? sql`(${ident(alias, f)} IS NULL OR (${col} ${op} ${'00' + term} AND ${col} ${op} ${'+' + term}))`
        : sql`(${ident(alias, f)} IS NOT NULL AND (${col} ${op} ${'00' + term} OR ${col} ${op} ${'+' + term}))`);
    }
  } else {
    let term = strip(text);
    if (operator !== '=' && operator !== '!=') term = `%${term}%`;
    for (const f of fields) {
      const col = strippedColumn(alias, f);
      conds.push(negative ? sql`(${ident(alias, f)} IS NULL OR ${col} ${op} ${term})` : sql`(${ident(alias, f)} IS NOT NULL AND ${col} ${op} ${term})`);
    }
  }
  const where = join(conds, negative ? ' AND ' : ' OR ');
  return [['id', 'in', sql`SELECT ${ident(alias, 'id')} FROM ${ident(model.table)} ${ident(alias)} WHERE ${where}`]];
}
