// res.company: declared minimally (the main company, id 1, on partner 1 "My Company") to carry
// per-company settings such as the SMS provider; company details are not re-implemented.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';

/** The company every record belongs to (this product serves one company). */
export const MAIN_COMPANY_ID = 1;

export const ResCompany: ModelSpec = {
  _name: 'res.company',
  _description: 'Companies',
  _order: 'sequence, name',
  fields: {
    partner_id: { type: 'many2one', comodel: 'res.partner', string: 'Partner', required: true },
    name: { type: 'char', string: 'Company Name', related: 'partner_id.name', store: true, required: true, readonly: false },
    active: { type: 'boolean', string: 'Active', default: true },
    sequence: { type: 'integer', string: 'Sequence', default: 10, help: 'Used to order Companies in the company switcher' },
  },
};

/** The main company, created once on partner 1. */
export async function loadCompanyData(env: Env): Promise<void> {
  const rows = await env.cr.query(sql`SELECT id FROM res_company WHERE id = ${MAIN_COMPANY_ID}`);
  if (rows.length) return;
  await env.cr.execute(sql`INSERT INTO res_company (id, partner_id, name, active, sequence, create_uid, write_uid, create_date, write_date)
    SELECT ${MAIN_COMPANY_ID}, 1, name, TRUE, 10, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' FROM res_partner WHERE id = 1`);
  await env.cr.execute(`SELECT setval('res_company_id_seq', GREATEST((SELECT max(id) FROM res_company), 1))`);
}
