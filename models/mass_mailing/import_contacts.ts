// Bulk import of mailing contacts into a mailing list (`npm run cli -- import contacts FILE.csv
// --list NAME`): the one place where contacts are written without the ORM, set-based, a batch
// (default 10,000 rows) per transaction, the batch staged with one COPY.
//
// Columns (header names, case and punctuation ignored; unknown ones are reported and ignored):
//   name | first_name, last_name | company_name | email | mobile (else phone) | country (ISO code
//   or English name) | tags (comma-separated res.partner.category names, created when missing).
//
// Rows:
//  * imported when they have a number (valid or not) or an email that normalises; a number that
//    does not sanitise is kept AS TYPED in `mobile` with an empty `phone_sanitized` ("flagged
//    numbers": such contacts get no SMS until corrected);
//  * skipped, with their line number, when they have neither, when the CSV line is malformed, or
//    when they have more non-empty fields than the header (a separator inside an unquoted value
//    shifts the columns); fewer fields than the header is fine (missing = empty).
//
// Identity rule (what makes a re-run idempotent). Contacts are matched GLOBALLY (not per list),
// in this order, the lowest id winning when several match:
//   1. a row with a valid number: the contact with that sanitised number; else a contact with the
//      same normalised email that has no valid number (it gets this number); else a new contact.
//      (Two different valid numbers are two recipients, even when they share an email.)
//   2. a row without valid number but with an email: the contact with that normalised email; else,
//      when it has a (flagged) number, the contact with the same raw number (separators ignored,
//      the mixin's phone_mobile_search index); else a new contact.
//   3. a row with only a flagged number: the contact with the same raw number; else a new one.
// Rows of one batch sharing their key (number, else email, else raw number) are merged, later
// non-empty values winning; rows are handled in the order 1, 2, 3, so a row can match a contact
// created by another row of the same batch. Odoo's own import does not de-duplicate at all.
//
// An existing contact gets the values the row gives (name, first/last name, company, email when
// it normalises or the contact has none, country, number unless it would replace a valid number
// by a flagged one), its tags are added, and it is subscribed. Existing subscriptions are kept as
// they are: a contact who opted out of the list stays opted out. Rows that change nothing do not
// rewrite the contact (counted as updated, not as changed).
//
// Stored computed fields are filled as the ORM computes them: `phone_sanitized` from `mobile` with
// the contact's country, else the default country (phoneSanitizeMany, as _compute_phone_sanitized);
// `email_normalized` (emailNormalize); `name` from first/last name when no name is given (as create
// and _compute_name). `--country` is the country of rows without one: set on new contacts (and on
// existing contacts without a country) so that a later ORM recompute gives the same number.
//
// Deliberately skipped for bulk imports: the chatter ("Mailing Contact created" logs and tracking
// of `name`), as the ORM does with context `tracking_disable`.
//
// Two imports of contacts never run at once (a session advisory lock: the second waits), so
// concurrent imports cannot create the same contact twice.

import type { Registry } from '../orm/registry.ts';
import type { Env } from '../orm/env.ts';
import type { PoolClient } from 'pg';
import { sql, ident, raw } from '../orm/sql.ts';
import { UserError } from '../orm/exceptions.ts';
import { phoneSanitizeMany } from '../tools/phone.ts';
import { emailNormalize } from './mailing_contact.ts';
import { PHONE_REGEX_PATTERN } from '../phone_validation/mail_thread_phone.ts';
import { defaultPhoneCountry } from '../phone_validation/default_country.ts';
import {
  BatchPipeline, IMPORT_UID, SkipLog, cellOf, copyInto, copyLine, isBlank, mapHeader, resolveCountryOption, shapeProblem,
  type ImportRecord, type SkippedRow,
} from '../phone_validation/import_blacklist.ts';

export const CONTACT_COLUMNS: Record<string, string[]> = {
  name: ['name', 'full_name', 'contact_name', 'contact', 'display_name'],
  first_name: ['first_name', 'firstname', 'given_name'],
  last_name: ['last_name', 'lastname', 'surname', 'family_name'],
  company_name: ['company_name', 'company', 'organization', 'organisation'],
  email: ['email', 'e_mail', 'email_address', 'mail'],
  mobile: ['mobile', 'mobile_phone', 'mobile_number', 'cell', 'cell_phone', 'gsm', 'sms'],
  phone: ['phone', 'phone_number', 'telephone', 'tel', 'number'],
  country: ['country', 'country_code', 'country_id', 'country_name'],
  tags: ['tags', 'tag', 'tag_ids', 'categories', 'category'],
};

/**
 * Stored computed fields that depend on mailing.contact / mailing.subscription fields and that
 * this import fills itself. A new dependent (another model's stored compute on these fields)
 * must be handled here too: unknownDependents() lists those it does not know.
 */
export const HANDLED_DEPENDENTS = new Set(['mailing.contact.phone_sanitized', 'mailing.contact.name', 'mailing.contact.email_normalized', 'mailing.subscription.opt_out_datetime']);

export function unknownDependents(registry: Registry): string[] {
  const out = new Set<string>();
  for (const [key, triggers] of registry.triggers) {
    if (!key.startsWith('mailing.contact.') && !key.startsWith('mailing.subscription.')) continue;
    for (const t of triggers) {
      const name = `${t.target.modelName}.${t.target.name}`;
      if (!HANDLED_DEPENDENTS.has(name)) out.add(`${name} (on ${key})`);
    }
  }
  return [...out];
}

export interface ContactImportOptions {
  /** Name of the mailing list (created when missing). */
  list: string;
  /** Country (ISO code or name) of rows without a country; default: the default country. */
  country?: string;
  /** Rows per batch (one transaction each); default 10,000. */
  batchSize?: number;
  /** Called after each committed batch with the totals so far. */
  onProgress?: (stats: ContactImportResult) => void;
  /** Called when the import waits for another contact import to finish. */
  onWait?: () => void;
  /** Skipped rows remembered for the report (all are counted); default 1000. */
  keepSkipped?: number;
}

export interface ContactImportResult {
  listId: number;
  listCreated: boolean;
  /** Data rows read (header and blank lines excluded; malformed lines included). */
  rows: number;
  /** New contacts. */
  created: number;
  /** Rows that matched an existing contact (including one created by an earlier row of the file). */
  updated: number;
  /** Existing contacts actually rewritten (some value differed). */
  changed: number;
  /** Updated rows whose contact was created earlier in this same import (repeated rows). */
  repeated: number;
  /** Imported rows whose number does not sanitise (kept as typed, phone_sanitized empty). */
  flagged: number;
  skipped: number;
  /** The first skipped rows (line, reason), by line. */
  skippedRows: SkippedRow[];
  subscribed: number;
  alreadySubscribed: number;
  /** Already subscribed contacts who had opted out of the list (they stay opted out). */
  optedOutKept: number;
  unknownCountries: number;
  /** First lines with an unknown country (imported without it). */
  unknownCountryLines: number[];
  ignoredColumns: string[];
  /** Country used for numbers without international prefix (row's country first). */
  country: string | null;
  seconds: number;
}

interface ContactRow {
  line: number;
  name?: string;
  nameGiven: boolean;
  first?: string;
  last?: string;
  company?: string;
  email?: string;
  emailNormalized?: string;
  mobile?: string;
  sanitized?: string;
  countryId?: number;
  countryGiven: boolean;
  sanitizeCountry: string | null;
  tags?: string[];
  phase: 1 | 2 | 3;
  /** Later rows of the batch merged into this one. */
  duplicates?: number;
}

interface BatchResult {
  created: number;
  updated: number;
  changed: number;
  repeated: number;
  subscribed: number;
  alreadySubscribed: number;
  optedOutKept: number;
}

interface Country {
  id: number;
  code: string;
}

const STAGE = 'import_contact_stage';
const STAGE_COLUMNS = [
  'line', 'name', 'name_given', 'first_name', 'last_name', 'company_name', 'email', 'email_normalized', 'mobile', 'phone_sanitized',
  'country_id', 'country_given', 'sanitize_country', 'tags', 'phase',
];
const LOCK_KEY = 'sms_marketing.import_contacts';
const TAG_SEPARATOR = '\n';

/** Import contacts from CSV records (header first) into the list `opts.list`. */
export async function importContacts(registry: Registry, records: AsyncIterable<ImportRecord>, opts: ContactImportOptions): Promise<ContactImportResult> {
  const started = performance.now();
  const listName = opts.list?.trim();
  if (!listName) throw new UserError('A mailing list name is required.');
  const batchSize = Math.max(1, opts.batchSize ?? 10_000);
  const unknown = unknownDependents(registry);
  if (unknown.length) throw new Error(`import_contacts does not fill ${unknown.join(', ')}: update models/mass_mailing/import_contacts.ts`);

  // One contact import at a time (session lock on a connection of its own, held to the end).
  const lockClient: PoolClient = await registry.pool.connect();
  try {
    const got = await lockClient.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [LOCK_KEY]);
    if (!got.rows[0].ok) {
      opts.onWait?.();
      await lockClient.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK_KEY]);
    }
    try {
      return await runImport(registry, records, opts, listName, batchSize, started);
    } finally {
      await lockClient.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_KEY]);
    }
  } finally {
    lockClient.release();
  }
}

async function runImport(
  registry: Registry, records: AsyncIterable<ImportRecord>, opts: ContactImportOptions, listName: string, batchSize: number, started: number,
): Promise<ContactImportResult> {
  const setup = await registry.transaction({ uid: IMPORT_UID, su: true }, async (env) => {
    const option = await resolveCountryOption(env, opts.country);
    const fallback = (await defaultPhoneCountry(env)) ?? null;
    const countries = await env.cr.query<{ id: number; code: string; name: string }>(sql`SELECT id, code, name FROM res_country`);
    const lists = await env.model('mailing.list').withContext({ active_test: false }).search([['name', '=', listName]], { order: 'active DESC, id', limit: 1 });
    let listId = lists.ids[0];
    const listCreated = listId === undefined;
    if (listCreated) listId = (await env.model('mailing.list').create({ name: listName })).ids[0];
    const maxId = (await env.cr.query<{ m: number | null }>(sql`SELECT max(id) AS m FROM mailing_contact`))[0].m ?? 0;
    return { option, fallback, countries, listId: listId!, listCreated, maxId };
  });
  const { option, fallback, listId } = setup;
  const countryOf = new Map<string, Country>();
  for (const c of setup.countries) {
    countryOf.set(c.code.toLowerCase(), { id: c.id, code: c.code });
    countryOf.set(c.name.toLowerCase(), { id: c.id, code: c.code });
  }
  const skipped = new SkipLog(opts.keepSkipped ?? 1000);
  const result: ContactImportResult = {
    listId, listCreated: setup.listCreated, rows: 0, created: 0, updated: 0, changed: 0, repeated: 0, flagged: 0, skipped: 0, skippedRows: [],
    subscribed: 0, alreadySubscribed: 0, optedOutKept: 0, unknownCountries: 0, unknownCountryLines: [], ignoredColumns: [],
    country: option?.code ?? fallback, seconds: 0,
  };
  const batches = new BatchPipeline<BatchResult>((r) => {
    result.created += r.created;
    result.updated += r.updated;
    result.changed += r.changed;
    result.repeated += r.repeated;
    result.subscribed += r.subscribed;
    result.alreadySubscribed += r.alreadySubscribed;
    result.optedOutKept += r.optedOutKept;
    result.skipped = skipped.count;
    opts.onProgress?.({ ...result, seconds: (performance.now() - started) / 1000 });
  });
  const ctx: BatchContext = { listId, fallback, maxId: setup.maxId };

  let index: Map<string, number> | undefined;
  let width = 0;
  let pending: ContactRow[] = [];
  const flush = async () => {
    if (!pending.length) return;
    const rows = prepareBatch(pending, result);
    pending = [];
    await batches.push(() => registry.transaction({ uid: IMPORT_UID, su: true }, (env) => contactBatch(env, rows, ctx)));
  };

  for await (const rec of records) {
    if (rec.error !== undefined) {
      if (!index) throw new UserError(`Line ${rec.line}: the header cannot be read (${rec.error}).`);
      result.rows++;
      skipped.add(rec.line, rec.error);
      continue;
    }
    if (!index) {
      const mapped = mapHeader(rec.cells, CONTACT_COLUMNS);
      if (!['mobile', 'phone', 'email'].some((f) => mapped.index.has(f))) {
        throw new UserError(`No mobile, phone or email column in the header (line ${rec.line}): contacts could not be told apart.`);
      }
      index = mapped.index;
      width = rec.cells.length;
      result.ignoredColumns = mapped.ignored;
      continue;
    }
    if (isBlank(rec.cells)) continue;
    result.rows++;
    const shape = shapeProblem(rec.cells, width);
    if (shape) {
      skipped.add(rec.line, shape);
      continue;
    }
    const row = readRow(rec.line, rec.cells, index, countryOf, option, fallback, result);
    if (typeof row === 'string') {
      skipped.add(rec.line, row);
      continue;
    }
    pending.push(row);
    if (pending.length >= batchSize) await flush();
  }
  if (!index) throw new UserError('The file is empty (no header).');
  await flush();
  await batches.drain();
  result.skipped = skipped.count;
  result.skippedRows = skipped.sorted();
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** A row's values (phase still to decide), or why it cannot be imported. */
function readRow(
  line: number, cells: string[], index: Map<string, number>, countryOf: Map<string, Country>, option: Country | undefined,
  fallback: string | null, result: ContactImportResult,
): ContactRow | string {
  const get = (f: string) => cellOf(cells, index.get(f));
  const mobile = get('mobile') ?? get('phone');
  const email = get('email');
  const emailNormalized = emailNormalize(email) || undefined;
  if (!mobile && !emailNormalized) return email ? `no mobile and an invalid email ${JSON.stringify(email)}` : 'no mobile and no email';
  const first = get('first_name');
  const last = get('last_name');
  const explicitName = get('name');
  const name = explicitName ?? ([first, last].filter(Boolean).join(' ') || undefined);
  let country: Country | undefined;
  const countryText = get('country');
  if (countryText) {
    country = countryOf.get(countryText.toLowerCase());
    if (!country) {
      result.unknownCountries++;
      if (result.unknownCountryLines.length < 20) result.unknownCountryLines.push(line);
    }
  }
  const tagsText = get('tags');
  const tags = tagsText
    ? [...new Set(tagsText.split(',').map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean))]
    : undefined;
  return {
    line,
    name,
    nameGiven: explicitName !== undefined,
    first,
    last,
    company: get('company_name'),
    email,
    emailNormalized,
    mobile,
    countryId: (country ?? option)?.id,
    countryGiven: country !== undefined,
    sanitizeCountry: (country ?? option)?.code ?? fallback,
    tags: tags?.length ? tags : undefined,
    phase: 3,
  };
}

/** Sanitise the numbers of a batch (one parse per distinct number and country) and merge rows by identity key. */
function prepareBatch(rows: ContactRow[], result: ContactImportResult): ContactRow[] {
  const byCountry = new Map<string, ContactRow[]>();
  for (const r of rows) {
    if (!r.mobile) continue;
    const k = r.sanitizeCountry ?? '';
    const list = byCountry.get(k);
    if (list) list.push(r);
    else byCountry.set(k, [r]);
  }
  for (const [code, list] of byCountry) {
    const sanitized = phoneSanitizeMany(list.map((r) => r.mobile), code || null);
    list.forEach((r, i) => {
      if (sanitized[i]) r.sanitized = sanitized[i] as string;
      else result.flagged++;
    });
  }
  const byKey = new Map<string, ContactRow>();
  for (const r of rows) {
    r.phase = r.sanitized ? 1 : r.emailNormalized ? 2 : 3;
    const key = r.sanitized ? `p:${r.sanitized}` : r.emailNormalized ? `e:${r.emailNormalized}` : `m:${r.mobile!.replace(/[\s\\./()-]/g, '')}`;
    const seen = byKey.get(key);
    if (seen) merge(seen, r);
    else byKey.set(key, r);
  }
  return [...byKey.values()];
}

/** Later non-empty values win (as if the later row updated the contact of the earlier one). */
function merge(into: ContactRow, r: ContactRow): void {
  if (r.nameGiven || (!into.nameGiven && r.name)) {
    into.name = r.name;
    into.nameGiven = r.nameGiven;
  }
  into.first = r.first ?? into.first;
  into.last = r.last ?? into.last;
  if (!into.nameGiven && (r.first || r.last)) into.name = [into.first, into.last].filter(Boolean).join(' ');
  into.company = r.company ?? into.company;
  if (r.emailNormalized || (!into.emailNormalized && r.email)) {
    into.email = r.email;
    into.emailNormalized = r.emailNormalized;
  }
  if (r.mobile && (r.sanitized || !into.sanitized)) {
    into.mobile = r.mobile;
    into.sanitized = r.sanitized;
  }
  if (r.countryGiven) {
    into.countryId = r.countryId;
    into.countryGiven = true;
    into.sanitizeCountry = r.sanitizeCountry;
  }
  if (r.tags) into.tags = [...new Set([...(into.tags ?? []), ...r.tags])];
  into.duplicates = (into.duplicates ?? 0) + 1;
}

interface BatchContext {
  listId: number;
  /** Default country of phone sanitisation (for contacts without country). */
  fallback: string | null;
  /** Highest contact id before the import: higher ids were created by it. */
  maxId: number;
}

/** One batch (distinct identity keys), in one transaction. */
async function contactBatch(env: Env, rows: ContactRow[], ctx: BatchContext): Promise<BatchResult> {
  const cr = env.cr;
  const uid = env.uid;
  const now = raw(`now() AT TIME ZONE 'UTC'`);
  const strip = (col: string) => sql`regexp_replace((${raw(col)})::text, ${raw(`'${PHONE_REGEX_PATTERN}'`)}::text, ''::text, 'g'::text)`;

  // Staging table of this transaction: the batch reaches the server in one COPY.
  await cr.execute(sql`
    CREATE TEMP TABLE ${ident(STAGE)} (
      line int4 PRIMARY KEY, name varchar, name_given bool, first_name varchar, last_name varchar, company_name varchar,
      email varchar, email_normalized varchar, mobile varchar, phone_sanitized varchar, country_id int4, country_given bool,
      sanitize_country varchar, tags text, phase int2, contact_id int4, is_new bool NOT NULL DEFAULT FALSE
    ) ON COMMIT DROP`);
  await copyInto(cr, STAGE, STAGE_COLUMNS, rows.map((r) => copyLine([
    r.line, r.name, r.nameGiven, r.first, r.last, r.company, r.email, r.emailNormalized, r.mobile, r.sanitized,
    r.countryId, r.countryGiven, r.sanitizeCountry, r.tags?.join(TAG_SEPARATOR), r.phase,
  ])).join(''));
  await cr.execute(sql`ANALYZE ${ident(STAGE)}`);

  // New contacts of one phase: ids drawn from the sequence, then one INSERT ... SELECT
  // (the ORM would build one dict per record and recompute the stored fields row by row).
  const insertNew = async (phase: number) => {
    await cr.execute(sql`UPDATE ${ident(STAGE)} SET contact_id = nextval('mailing_contact_id_seq'), is_new = TRUE WHERE phase = ${phase} AND contact_id IS NULL`);
    await cr.execute(sql`
      INSERT INTO mailing_contact (id, name, first_name, last_name, company_name, email, email_normalized, mobile, phone_sanitized,
                                   country_id, message_bounce, create_uid, write_uid, create_date, write_date)
      SELECT contact_id, name, first_name, last_name, company_name, email, email_normalized, mobile, phone_sanitized,
             country_id, 0, ${uid}::int4, ${uid}::int4, ${now}, ${now}
        FROM ${ident(STAGE)} WHERE phase = ${phase} AND is_new ORDER BY line`);
  };

  // Matching: one index lookup per staged row (phone_sanitized / email_normalized / raw-number
  // indexes), which the ORM's search would do one domain at a time. `min(c.id + 0)`, not
  // `min(c.id)`: PostgreSQL would turn the latter into a walk of the primary key in id order,
  // filtering every contact (seconds per batch on a big table) instead of using those indexes.
  // 1. valid number: same sanitised number...
  await cr.execute(sql`
    UPDATE ${ident(STAGE)} s SET contact_id = (SELECT min(c.id + 0) FROM mailing_contact c WHERE c.phone_sanitized = s.phone_sanitized)
     WHERE s.phase = 1`);
  // ... else the same email on a contact without valid number, each such contact claimed once.
  await cr.execute(sql`
    WITH cand AS (
      SELECT s.line, (SELECT min(c.id + 0) FROM mailing_contact c WHERE c.email_normalized = s.email_normalized AND c.phone_sanitized IS NULL) AS cid
        FROM ${ident(STAGE)} s WHERE s.phase = 1 AND s.contact_id IS NULL AND s.email_normalized IS NOT NULL
    ), firsts AS (SELECT DISTINCT ON (cid) line, cid FROM cand WHERE cid IS NOT NULL ORDER BY cid, line)
    UPDATE ${ident(STAGE)} s SET contact_id = f.cid FROM firsts f WHERE s.line = f.line`);
  await insertNew(1);
  // 2. email without valid number: same email, else same raw number.
  await cr.execute(sql`
    UPDATE ${ident(STAGE)} s SET contact_id = (SELECT min(c.id + 0) FROM mailing_contact c WHERE c.email_normalized = s.email_normalized)
     WHERE s.phase = 2`);
  await cr.execute(sql`
    UPDATE ${ident(STAGE)} s SET contact_id = (SELECT min(c.id + 0) FROM mailing_contact c WHERE c.mobile IS NOT NULL AND ${strip('c.mobile')} = ${strip('s.mobile')})
     WHERE s.phase = 2 AND s.contact_id IS NULL AND s.mobile IS NOT NULL`);
  await insertNew(2);
  // 3. flagged number only: same raw number.
  await cr.execute(sql`
    UPDATE ${ident(STAGE)} s SET contact_id = (SELECT min(c.id + 0) FROM mailing_contact c WHERE c.mobile IS NOT NULL AND ${strip('c.mobile')} = ${strip('s.mobile')})
     WHERE s.phase = 3`);
  await insertNew(3);

  // Existing contacts: the given values, set-based, only where something differs (no ORM write:
  // no per-record recompute/tracking; the stored computes are written alongside, see above).
  const changed = await cr.execute(sql`
    UPDATE mailing_contact c
       SET name = n.name, first_name = n.first_name, last_name = n.last_name, company_name = n.company_name, email = n.email,
           email_normalized = n.email_normalized, mobile = n.mobile, phone_sanitized = n.phone_sanitized, country_id = n.country_id,
           write_uid = ${uid}::int4, write_date = ${now}
      FROM (
        SELECT c.id,
               CASE WHEN s.name_given THEN s.name
                    WHEN s.first_name IS NOT NULL OR s.last_name IS NOT NULL
                      THEN concat_ws(' ', COALESCE(s.first_name, c.first_name), COALESCE(s.last_name, c.last_name))
                    ELSE c.name END AS name,
               COALESCE(s.first_name, c.first_name) AS first_name,
               COALESCE(s.last_name, c.last_name) AS last_name,
               COALESCE(s.company_name, c.company_name) AS company_name,
               CASE WHEN s.email_normalized IS NOT NULL OR (c.email_normalized IS NULL AND s.email IS NOT NULL) THEN s.email ELSE c.email END AS email,
               COALESCE(s.email_normalized, c.email_normalized) AS email_normalized,
               CASE WHEN s.phone_sanitized IS NOT NULL OR (c.phone_sanitized IS NULL AND s.mobile IS NOT NULL) THEN s.mobile ELSE c.mobile END AS mobile,
               CASE WHEN s.phone_sanitized IS NOT NULL OR (c.phone_sanitized IS NULL AND s.mobile IS NOT NULL) THEN s.phone_sanitized ELSE c.phone_sanitized END AS phone_sanitized,
               CASE WHEN s.country_given THEN s.country_id ELSE COALESCE(c.country_id, s.country_id) END AS country_id
          FROM ${ident(STAGE)} s JOIN mailing_contact c ON c.id = s.contact_id
         WHERE NOT s.is_new
      ) n
     WHERE c.id = n.id
       AND (c.name, c.first_name, c.last_name, c.company_name, c.email, c.email_normalized, c.mobile, c.phone_sanitized, c.country_id)
           IS DISTINCT FROM (n.name, n.first_name, n.last_name, n.company_name, n.email, n.email_normalized, n.mobile, n.phone_sanitized, n.country_id)`);

  // An existing contact whose final (number, country) is not the one sanitised above (it kept its
  // own country or number): sanitise again as _compute_phone_sanitized would (rare; few rows).
  const recheck = await cr.query<{ id: number; mobile: string | null; code: string | null; phone_sanitized: string | null }>(sql`
    SELECT c.id, c.mobile, COALESCE(co.code, ${ctx.fallback}::varchar) AS code, c.phone_sanitized
      FROM ${ident(STAGE)} s JOIN mailing_contact c ON c.id = s.contact_id LEFT JOIN res_country co ON co.id = c.country_id
     WHERE NOT s.is_new
       AND (c.mobile IS DISTINCT FROM s.mobile OR COALESCE(co.code, ${ctx.fallback}::varchar) IS DISTINCT FROM s.sanitize_country)`);
  const fixes: { id: number; phone: string | null }[] = [];
  for (const r of recheck) {
    const phone = r.mobile ? phoneSanitizeMany([r.mobile], r.code)[0] || null : null;
    if (phone !== r.phone_sanitized) fixes.push({ id: r.id, phone });
  }
  if (fixes.length) {
    // Stored compute written for the few contacts above, one statement.
    await cr.execute(sql`
      UPDATE mailing_contact c SET phone_sanitized = f.phone
        FROM unnest(${fixes.map((f) => f.id)}::int4[], ${fixes.map((f) => f.phone)}::varchar[]) AS f(id, phone) WHERE c.id = f.id`);
  }

  // Tags: missing categories created, links added set-based (the many2many command path would
  // read every contact's tags first).
  if (rows.some((r) => r.tags)) {
    const rel = env.registry.get('mailing.contact').fields.get('tag_ids')!.m2mRelation;
    await cr.execute(sql`
      INSERT INTO res_partner_category (name, active, create_uid, write_uid, create_date, write_date)
      SELECT DISTINCT t.name, TRUE, ${uid}::int4, ${uid}::int4, ${now}, ${now}
        FROM ${ident(STAGE)} s, unnest(string_to_array(s.tags, ${TAG_SEPARATOR})) AS t(name)
       WHERE s.tags IS NOT NULL AND NOT EXISTS (SELECT 1 FROM res_partner_category p WHERE p.name = t.name)`);
    await cr.execute(sql`
      INSERT INTO ${ident(rel.table)} (${ident(rel.col1)}, ${ident(rel.col2)})
      SELECT DISTINCT s.contact_id, (SELECT min(p.id) FROM res_partner_category p WHERE p.name = t.name)
        FROM ${ident(STAGE)} s, unnest(string_to_array(s.tags, ${TAG_SEPARATOR})) AS t(name)
       WHERE s.tags IS NOT NULL
      ON CONFLICT DO NOTHING`);
  }

  // Subscriptions: one INSERT for the batch; existing ones (opted out or not) are left untouched.
  const subscribed = await cr.execute(sql`
    INSERT INTO mailing_subscription (contact_id, list_id, opt_out, create_uid, write_uid, create_date, write_date)
    SELECT DISTINCT s.contact_id, ${ctx.listId}::int4, FALSE, ${uid}::int4, ${uid}::int4, ${now}, ${now}
      FROM ${ident(STAGE)} s
    ON CONFLICT (contact_id, list_id) DO NOTHING`);

  const [stats] = await cr.query<{ created: number; matched: number; repeated: number; contacts: number; opted_out: number }>(sql`
    SELECT count(*) FILTER (WHERE s.is_new)::int AS created,
           count(*) FILTER (WHERE NOT s.is_new)::int AS matched,
           count(*) FILTER (WHERE NOT s.is_new AND s.contact_id > ${ctx.maxId}::int4)::int AS repeated,
           count(DISTINCT s.contact_id)::int AS contacts,
           (SELECT count(*) FROM mailing_subscription m
             WHERE m.list_id = ${ctx.listId}::int4 AND m.opt_out AND m.contact_id IN (SELECT contact_id FROM ${ident(STAGE)}))::int AS opted_out
      FROM ${ident(STAGE)} s`);
  const merged = rows.reduce((n, r) => n + (r.duplicates ?? 0), 0);
  return {
    created: stats.created,
    updated: stats.matched + merged,
    changed,
    repeated: stats.repeated + merged,
    subscribed,
    alreadySubscribed: stats.contacts - subscribed,
    optedOutKept: stats.opted_out,
  };
}
