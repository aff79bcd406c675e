// The country used for phone numbers typed without international prefix, where Odoo would take
// the company's country (this product has no res.company):
//   1. ir.config_parameter `phone_validation.default_country` (ISO alpha-2, e.g. BE), if valid;
//   2. else the configured default country (DEFAULT_COUNTRY, validated by server/config.ts);
//   3. else none (only international numbers are valid).

import { isSupportedCountry } from 'libphonenumber-js/max';
import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';
import { getParam } from '../base/ir_config_parameter.ts';

export const DEFAULT_COUNTRY_PARAM = 'phone_validation.default_country';

function validCode(text: string | undefined | null): string | undefined {
  const code = text?.trim().toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) && isSupportedCountry(code) ? code : undefined;
}

/** The "company country" of phone sanitisation, or undefined. */
export async function defaultPhoneCountry(env: Env): Promise<string | undefined> {
  return validCode(await getParam(env, DEFAULT_COUNTRY_PARAM)) ?? validCode(env.registry.config.defaultCountry);
}

/**
 * Country of `phone_sanitize_numbers_w_record(numbers, env.user)`: the user's own country (its
 * partner's), else the default country.
 */
export async function userPhoneCountry(env: Env): Promise<string | undefined> {
  const rows = await env.cr.query<{ code: string | null }>(sql`
    SELECT c.code FROM res_users u JOIN res_partner p ON p.id = u.partner_id JOIN res_country c ON c.id = p.country_id
    WHERE u.id = ${env.uid}`);
  return validCode(rows[0]?.code) ?? (await defaultPhoneCountry(env));
}
