// sms.credit.account (product model, not Odoo's): the prepaid SMS credit balance.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import { PyValueError } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';
import { UNIT, toDecimal } from './credit.ts';

export const SmsCreditAccount: ModelSpec = {
  _name: 'sms.credit.account',
  _description: 'SMS Credits',
  fields: {
    name: { type: 'char', string: 'Name', required: true, default: 'SMS Credits' },
    balance: { type: 'float', string: 'Balance', digits: [16, 4], sqlType: 'numeric(16,4)', default: 0, help: 'Prepaid credits; each SMS costs its price per segment.' },
  },
  methods: {
    /** Add (or with a negative amount, remove) credits; returns the new balance. */
    add_credits: {
      api: 'record',
      params: ['amount'],
      fn: async (self: RecordSet, amount: unknown) => {
        const n = Number(amount);
        if (!Number.isFinite(n)) throw new PyValueError(`Invalid amount: ${String(amount)}`);
        self.ensureOne();
        await self.checkAccess('write');
        const rows = await self.env.cr.query<{ balance: number }>(
          sql`UPDATE sms_credit_account SET balance = balance + ${toDecimal(Math.round(n * UNIT))}::numeric, write_uid = ${self.env.uid}, write_date = now() AT TIME ZONE 'UTC'
              WHERE id = ${self.ids[0]} RETURNING balance`,
        );
        return rows[0]?.balance ?? 0;
      },
    },
  },
};
