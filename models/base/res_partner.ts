// res.partner: contacts and companies (base fields; the phone mixin extends it elsewhere).

import { readFileSync } from 'node:fs';
import type { ModelSpec } from '../orm/model.ts';
import type { Selection } from '../orm/fields.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import type { Env } from '../orm/env.ts';
import { ValidationError } from '../orm/exceptions.ts';
import { parseContactFromEmail } from '../tools/email.ts';

/** Odoo's time zone choices: every tz database name pytz knows, Etc/ zones last (data/timezones.json). */
export const TZ_SELECTION: Selection = (JSON.parse(readFileSync(new URL('../../data/timezones.json', import.meta.url), 'utf8')) as string[]).map((z) => [z, z]);
/** Installed languages (only English is shipped). */
export const LANG_SELECTION: Selection = [['en_US', 'English (US)']];

const PARTNER_TYPES: [string, string][] = [['contact', 'Contact'], ['invoice', 'Invoice'], ['delivery', 'Delivery'], ['other', 'Other']];

export const ResPartner: ModelSpec = {
  _name: 'res.partner',
  _description: 'Contact',
  _order: 'complete_name ASC, id DESC',
  // No _rec_name (Odoo's is `name`, what name_create fills); the display name is the complete name.
  _rec_names_search: ['complete_name', 'email', 'ref', 'vat'],
  fields: {
    display_name: { type: 'char', string: 'Display Name', compute: '_compute_display_name', automatic: true, search: '_search_display_name', depends: ['complete_name'] },
    name: { type: 'char', string: 'Name', index: true, defaultExportCompatible: true },
    complete_name: { type: 'char', string: 'Complete Name', compute: '_compute_complete_name', store: true, index: true, depends: ['is_company', 'name', 'parent_id.name', 'type', 'company_name'] },
    ref: { type: 'char', string: 'Reference', index: true },
    lang: { type: 'selection', string: 'Language', selection: LANG_SELECTION, default: (env: Env) => (env.context.lang as string) || 'en_US' },
    tz: { type: 'selection', string: 'Timezone', selection: TZ_SELECTION },
    user_id: { type: 'many2one', comodel: 'res.users', string: 'Salesperson' },
    vat: { type: 'char', string: 'Tax ID', index: true },
    website: { type: 'char', string: 'Website Link' },
    comment: { type: 'html', string: 'Notes' },
    category_id: { type: 'many2many', comodel: 'res.partner.category', relation: 'res_partner_res_partner_category_rel', column1: 'partner_id', column2: 'category_id', string: 'Tags' },
    active: { type: 'boolean', string: 'Active', default: true },
    employee: { type: 'boolean', string: 'Employee' },
    function: { type: 'char', string: 'Job Position' },
    type: { type: 'selection', string: 'Address Type', selection: PARTNER_TYPES, default: 'contact' },
    street: { type: 'char', string: 'Street' },
    street2: { type: 'char', string: 'Street2' },
    zip: { type: 'char', string: 'Zip' },
    city: { type: 'char', string: 'City' },
    country_id: { type: 'many2one', comodel: 'res.country', string: 'Country', ondelete: 'restrict' },
    country_code: { type: 'char', string: 'Country Code', related: 'country_id.code', readonly: true },
    email: { type: 'char', string: 'Email' },
    phone: { type: 'char', string: 'Phone' },
    is_company: { type: 'boolean', string: 'Is a Company', default: false },
    company_name: { type: 'char', string: 'Company Name' },
    color: { type: 'integer', string: 'Color Index' },
    parent_id: { type: 'many2one', comodel: 'res.partner', string: 'Related Company', index: true },
    // Odoo's field domain keeps archived contacts out of reads and searches, whatever active_test says.
    child_ids: { type: 'one2many', comodel: 'res.partner', inverseName: 'parent_id', string: 'Contact', domain: [['active', '=', true]], depends: ['child_ids.active'] },
    user_ids: { type: 'one2many', comodel: 'res.users', inverseName: 'partner_id', string: 'Users' },
  },
  methods: {
    // Odoo's res.partner.name_create: "Name <email>" gives the name and the email; an address alone
    // is also the name; context `force_email` requires an address.
    name_create: {
      api: 'model',
      params: ['name'],
      async fn(self: RecordSet, text: unknown) {
        let partners = self;
        const defaultType = self.env.context.default_type;
        if (defaultType && !PARTNER_TYPES.some(([key]) => key === defaultType)) {
          const { default_type: _dropped, ...context } = self.env.context;
          partners = self.withEnv(self.env.withNewContext(context));
        }
        const [name, emailNormalized] = parseContactFromEmail(text);
        if (self.env.context.force_email && !emailNormalized) throw new ValidationError("Couldn't create contact without email address!");
        const vals: Vals = { name: name || emailNormalized };
        if (emailNormalized) vals.email = emailNormalized;
        const partner = await partners.create(vals);
        const names = await partner.displayNames();
        return [partner.ids[0], names.get(partner.ids[0]) ?? ''];
      },
    },
    // A copy is "<name> (copy)" unless a name is given (Odoo's res.partner.copy_data).
    copy_data: {
      api: 'record',
      params: [['default', null]],
      async fn(self: RecordSet, defaults: Vals | null) {
        const list = (await this.super(defaults || {})) as Vals[];
        if (defaults?.name) return list;
        const rows = await self.withContext({ active_test: false }).fetch(['name']);
        return list.map((vals, i) => {
          const name = rows[i]?.name;
          // Python's "%s (copy)" of a partner without a name reads "False (copy)".
          return { ...vals, name: `${name === false || name === null || name === undefined ? 'False' : name} (copy)` };
        });
      },
    },
    // Odoo's partner display name without its context options (show_address, show_email...).
    _compute_display_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.withContext({ active_test: false }).fetch(['complete_name']);
        return new Map<number, Vals>(rows.map((r) => [r.id as number, { display_name: (r.complete_name as string) || '' }]));
      },
    },
    _compute_complete_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.withContext({ active_test: false }).fetch(['name', 'parent_id', 'is_company', 'type', 'company_name']);
        const parents = [...new Set(rows.map((r) => r.parent_id).filter(Boolean) as number[])];
        const pnames = await self.env.model('res.partner').sudo().browse(parents).fetchValues(['name']);
        const out = new Map<number, Vals>();
        for (const r of rows) {
          const name = (r.name as string) || '';
          let full = name;
          // "Company, Contact" for people of a company, like Odoo's _compute_complete_name.
          if (r.parent_id && !r.is_company) {
            const pname = (pnames.get(r.parent_id as number)?.name as string) || '';
            full = name ? `${pname}, ${name}` : pname;
          } else if (r.company_name && !r.is_company && !r.parent_id && name) {
            full = `${r.company_name}, ${name}`;
          }
          out.set(r.id as number, { complete_name: full || false });
        }
        return out;
      },
    },
  },
};
