// SMS credits, following Odoo's IAP rules (spec §15.3): a prepaid balance, a price per SMS
// segment and per destination country (data/sms_prices.csv, loaded into `sms.credit.price`,
// editable over RPC), nothing charged for numbers that are missing or malformed, and a batch
// that cannot be paid in full is not sent at all (its SMS fail with `sms_credit`).
//
// Amounts are numeric(16,4) in the database and integer ten-thousandths in JS, so sums are exact.

import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js/max';
import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Registry } from '../orm/registry.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { PyValueError, ValidationError } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';
import { smsEncodingInfo } from '../tools/sms_encoding.ts';

const PRICES_FILE = new URL('../../data/sms_prices.csv', import.meta.url);
/** Balance of a new database: the simulator's prepaid credits, enough to try the product. */
export const INITIAL_CREDITS = 1000;
export const UNIT = 10_000;

let priceVersion = 0;
export function invalidatePrices(): void {
  priceVersion++;
}

// ---------------------------------------------------------------- data

export async function loadSmsCreditData(env: Env): Promise<void> {
  const has = await env.cr.query(sql`SELECT 1 FROM sms_credit_price LIMIT 1`);
  if (!has.length) {
    const rows = parseCsv(await readFile(PRICES_FILE, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as { country_code: string; price: string }[];
    const countries = rows.filter((r) => r.country_code !== '*');
    await env.cr.execute(sql`
      INSERT INTO sms_credit_price (country_id, price, create_uid, write_uid, create_date, write_date)
      SELECT c.id, v.p, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM unnest(${countries.map((r) => r.country_code)}::varchar[], ${countries.map((r) => r.price)}::numeric[]) AS v(code, p)
      JOIN res_country c ON c.code = v.code`);
    const fallback = rows.find((r) => r.country_code === '*');
    if (fallback) {
      await env.cr.execute(sql`INSERT INTO sms_credit_price (country_id, price, create_uid, write_uid, create_date, write_date)
        VALUES (NULL, ${fallback.price}::numeric, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')`);
    }
  }
  await env.cr.execute(sql`INSERT INTO sms_credit_account (name, balance, create_uid, write_uid, create_date, write_date)
    SELECT 'SMS Credits', ${INITIAL_CREDITS}, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    WHERE NOT EXISTS (SELECT 1 FROM sms_credit_account)`);
}

// ---------------------------------------------------------------- pricing

export interface PriceTable {
  /** ISO country code → price per segment, in ten-thousandths. */
  byCountry: Map<string, number>;
  fallback: number;
}

const priceCache = new WeakMap<Registry, { at: number; version: number; table: PriceTable }>();

/** The price table (cached 2 s per registry; edits in this process are seen at once). */
export async function loadPriceTable(registry: Registry): Promise<PriceTable> {
  const hit = priceCache.get(registry);
  if (hit && hit.version === priceVersion && Date.now() - hit.at < 2000) return hit.table;
  const { rows } = await registry.pool.query<{ code: string | null; price: number }>(
    `SELECT c.code, p.price FROM sms_credit_price p LEFT JOIN res_country c ON c.id = p.country_id`,
  );
  const table: PriceTable = { byCountry: new Map(), fallback: 0 };
  for (const r of rows) {
    const units = Math.round(Number(r.price) * UNIT);
    if (r.code) table.byCountry.set(r.code, units);
    else table.fallback = units;
  }
  priceCache.set(registry, { at: Date.now(), version: priceVersion, table });
  return table;
}

export type NumberCheck = { ok: true; e164: string; country: string | undefined } | { ok: false; failureType: 'sms_number_missing' | 'sms_number_format' };

// Keyed by default country and number: the same text may be valid for one country only.
const numberCache = new Map<string, NumberCheck>();

/** Whether an SMS number can be sent to: E.164 form and its country, or Odoo's failure type. */
export function checkNumber(number: string | null | undefined, defaultCountry?: string): NumberCheck {
  const raw = (number ?? '').trim();
  if (!raw) return { ok: false, failureType: 'sms_number_missing' };
  const key = `${defaultCountry ?? ''}|${raw}`;
  const hit = numberCache.get(key);
  if (hit) return hit;
  let res: NumberCheck;
  try {
    const region = defaultCountry?.toUpperCase() as CountryCode | undefined;
    const phone = parsePhoneNumberWithError(raw, { defaultCountry: region });
    res = phone.isValid() ? { ok: true, e164: phone.number, country: phone.country } : { ok: false, failureType: 'sms_number_format' };
  } catch {
    res = { ok: false, failureType: 'sms_number_format' };
  }
  if (numberCache.size > 200_000) numberCache.clear();
  numberCache.set(key, res);
  return res;
}

/** Segments billed for a body (an empty body still costs one message). */
export function billedSegments(body: string | null | undefined): number {
  return Math.max(1, smsEncodingInfo(body ?? '').segments);
}

export function priceOf(table: PriceTable, country: string | undefined, segments: number): number {
  const unit = country !== undefined ? table.byCountry.get(country) ?? table.fallback : table.fallback;
  return unit * segments;
}

/** numeric literal of an amount in ten-thousandths. */
export function toDecimal(units: number): string {
  const sign = units < 0 ? '-' : '';
  const a = Math.abs(Math.round(units));
  return `${sign}${Math.floor(a / UNIT)}.${String(a % UNIT).padStart(4, '0')}`;
}

export async function creditBalance(env: Env): Promise<number> {
  const rows = await env.cr.query<{ balance: number }>(sql`SELECT balance FROM sms_credit_account ORDER BY id LIMIT 1`);
  return rows.length ? Number(rows[0].balance) : 0;
}

/**
 * Debit `units` if the balance covers it (all or nothing); true when paid. Runs in the caller's
 * (READ COMMITTED) transaction: concurrent debits queue on the account row and each re-checks.
 */
export async function debitCredits(env: Env, units: number): Promise<boolean> {
  if (units <= 0) return true;
  const rows = await env.cr.query(
    sql`UPDATE sms_credit_account SET balance = balance - ${toDecimal(units)}::numeric
        WHERE id = (SELECT id FROM sms_credit_account ORDER BY id LIMIT 1) AND balance >= ${toDecimal(units)}::numeric RETURNING id`,
  );
  return rows.length > 0;
}

export async function refundCredits(env: Env, units: number): Promise<void> {
  if (units <= 0) return;
  await env.cr.execute(sql`UPDATE sms_credit_account SET balance = balance + ${toDecimal(units)}::numeric WHERE id = (SELECT id FROM sms_credit_account ORDER BY id LIMIT 1)`);
}

// ---------------------------------------------------------------- estimates

export interface CostEstimate {
  /** SMS considered. */
  count: number;
  /** SMS that would be charged (valid numbers). */
  billable: number;
  /** SMS that cost nothing because their number is missing or malformed. */
  invalid: number;
  segments: number;
  /** Total price, in credits. */
  cost: number;
  balance: number;
  /** Whether the balance covers the cost. */
  sufficient: boolean;
  currency: 'credits';
  countries: { country_code: string | false; count: number; segments: number; cost: number }[];
}

/** Price of sending these (number, body) pairs now, without sending anything. */
export async function estimateCost(env: Env, items: Iterable<{ number: string | null | undefined; body: string | null | undefined }>): Promise<CostEstimate> {
  const table = await loadPriceTable(env.registry);
  const perCountry = new Map<string, { count: number; segments: number; cost: number }>();
  let count = 0;
  let invalid = 0;
  let segments = 0;
  let cost = 0;
  for (const it of items) {
    count++;
    const check = checkNumber(it.number, env.registry.config.defaultCountry);
    if (!check.ok) {
      invalid++;
      continue;
    }
    const seg = billedSegments(it.body);
    const c = priceOf(table, check.country, seg);
    segments += seg;
    cost += c;
    const key = check.country ?? '';
    const agg = perCountry.get(key) ?? { count: 0, segments: 0, cost: 0 };
    agg.count++;
    agg.segments += seg;
    agg.cost += c;
    perCountry.set(key, agg);
  }
  const balance = await creditBalance(env);
  return {
    count,
    billable: count - invalid,
    invalid,
    segments,
    cost: cost / UNIT,
    balance,
    sufficient: Math.round(balance * UNIT) >= cost,
    currency: 'credits',
    countries: [...perCountry.entries()]
      .sort((a, b) => b[1].cost - a[1].cost)
      .map(([code, v]) => ({ country_code: code || false, count: v.count, segments: v.segments, cost: v.cost / UNIT })),
  };
}
