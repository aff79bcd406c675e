// sms.credit.price (product model, not Odoo's): price of one SMS segment per destination country.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { ValidationError } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';
import { invalidatePrices } from './credit.ts';

export const SmsCreditPrice: ModelSpec = {
  _name: 'sms.credit.price',
  _description: 'SMS Price',
  _order: 'country_id, id',
  _sql_constraints: [['country_uniq', 'unique (country_id)', 'A country can only have one SMS price.']],
  _constraints: [
    {
      fields: ['country_id', 'price'],
      check: async (records) => {
        const rows = await records.env.cr.query<{ n: number; neg: number }>(
          sql`SELECT count(*) FILTER (WHERE country_id IS NULL)::int AS n, count(*) FILTER (WHERE price < 0)::int AS neg FROM sms_credit_price`,
        );
        if (rows[0].n > 1) throw new ValidationError('Only one price can apply to the other countries (no country).');
        if (rows[0].neg > 0) throw new ValidationError('An SMS price cannot be negative.');
      },
    },
  ],
  fields: {
    country_id: { type: 'many2one', comodel: 'res.country', string: 'Country', ondelete: 'cascade', help: 'Empty: the price of every country without its own line.' },
    country_code: { type: 'char', string: 'Country Code', related: 'country_id.code' },
    price: { type: 'float', string: 'Price per Segment', digits: [16, 4], sqlType: 'numeric(16,4)', required: true, default: 0 },
  },
  methods: {
    _compute_display_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['country_id']);
        const names = await self.env.model('res.country').sudo().browse(rows.map((r) => r.country_id as number).filter(Boolean)).displayNames();
        return new Map(rows.map((r) => [r.id as number, { display_name: r.country_id ? names.get(r.country_id as number) ?? '' : 'Other countries' }]));
      },
    },
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        self.env.cr.postcommit.push(invalidatePrices);
        return this.super(valsList);
      },
    },
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: Vals) {
        self.env.cr.postcommit.push(invalidatePrices);
        return this.super(vals);
      },
    },
    unlink: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        self.env.cr.postcommit.push(invalidatePrices);
        return this.super();
      },
    },
  },
};
