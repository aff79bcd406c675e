// res.country: every ISO country with its phone code (data/res_country.json).

import type { ModelSpec } from '../orm/model.ts';

export const ResCountry: ModelSpec = {
  _name: 'res.country',
  _description: 'Country',
  _order: 'name',
  _sql_constraints: [
    ['name_uniq', 'unique (name)', 'The name of the country must be unique!'],
    ['code_uniq', 'unique (code)', 'The code of the country must be unique!'],
  ],
  fields: {
    name: { type: 'char', string: 'Country Name', required: true, translate: true },
    code: { type: 'char', string: 'Country Code', size: 2, required: true, help: 'The ISO country code in two chars. \nYou can use this field for quick search.' },
    phone_code: { type: 'integer', string: 'Country Calling Code' },
  },
  methods: {
    // Country names resolve case-insensitively by code too, as Odoo's name_search does.
    _search_display_name: {
      api: 'model',
      private: true,
      fn: (_self, operator: string, value: unknown) =>
        typeof value === 'string' && value.length === 2 && (operator === 'ilike' || operator === '=')
          ? ['|', ['code', '=ilike', value], ['name', operator, value]]
          : [['name', operator, value]],
    },
  },
};
