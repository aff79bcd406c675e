// Bulk import of mailing contacts into a mailing list (`npm run cli -- import contacts FILE.csv
// --list NAME`): the one place where contacts are written without the ORM, set-based.
//
// Per batch (default 10,000 rows), in Node while the previous batch is in the database: numbers
// sanitised, rows merged by key. Then ONE transaction: the keys COPYed into a staging table; one
// statement finds the existing contacts (index probes), their values and subscription; Node
// resolves the identity rule below; new contacts and their subscriptions are COPYed straight into
// their tables; changed existing contacts are COPYed into a staging table and updated by one
// UPDATE; missing subscriptions of existing contacts by one INSERT. A crash leaves whole batches,
// and re-running the file completes it (idempotent).
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
// Known limit: rows sharing no key that describe one person with only a flagged number, then
// (later in the file, through the email) with a valid one, correct that contact's number; on a
// re-run the flagged-only row no longer finds it and creates one more contact, once.
//
// An existing contact gets the values the row gives (name, first/last name, company, email when
// it normalises or the contact has none, country, number unless it would replace a valid number
// by a flagged one: merge(), the one place of that rule), its tags are added, and it is subscribed. Existing subscriptions are kept as
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
// Two imports of contacts never run at once (an advisory lock held by an open transaction, which
// keeps its server session through a transaction pooler: the second import waits), so
// concurrent imports cannot create the same contact twice.

import type { Registry } from '../orm/registry.ts';
import { withExclusiveLock } from '../orm/pooler.ts';
import type { Env } from '../orm/env.ts';
import { sql, ident, raw } from '../orm/sql.ts';
import { UserError } from '../orm/exceptions.ts';
import { phoneSanitizeMany } from '../tools/phone.ts';
import { emailNormalize } from '../tools/email.ts';
import { PHONE_REGEX_PATTERN } from '../phone_validation/mail_thread_phone.ts';
import { defaultPhoneCountry } from '../phone_validation/default_country.ts';
import {
  BatchPipeline, IMPORT_UID, SkipLog, cellOf, copyInto, copyLine, isBlank, mapHeader, resolveCountryOption, shapeProblem,
  type ImportRecord, type SkippedRow,
} from '../tools/csv_import.ts';
import { insertMissingTags, linkContactTags, subscribeContacts, updateStagedContacts } from './queries.ts';

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
 * What this import writes by itself. A stored computed field depending on mailing.contact /
 * mailing.subscription fields, or a new column of those tables, must be handled here too:
 * importGaps() lists those it does not know (a test keeps it empty; a gap that would leave
 * wrong data, a column with a default or required, stops the import).
 */
export const HANDLED_DEPENDENTS = new Set(['mailing.contact.phone_sanitized', 'mailing.contact.name', 'mailing.contact.email_normalized', 'mailing.subscription.opt_out_datetime']);
const HANDLED_COLUMNS: Record<string, Set<string>> = {
  'mailing.contact': new Set([
    'name', 'first_name', 'last_name', 'company_name', 'email', 'email_normalized', 'mobile', 'phone_sanitized', 'country_id', 'message_bounce',
    'create_uid', 'write_uid', 'create_date', 'write_date',
  ]),
  'mailing.subscription': new Set(['contact_id', 'list_id', 'opt_out', 'opt_out_reason_id', 'opt_out_datetime', 'create_uid', 'write_uid', 'create_date', 'write_date']),
};

export function importGaps(registry: Registry): { gap: string; blocking: boolean }[] {
  const out: { gap: string; blocking: boolean }[] = [];
  const seen = new Set<string>();
  for (const [key, triggers] of registry.triggers) {
    if (!key.startsWith('mailing.contact.') && !key.startsWith('mailing.subscription.')) continue;
    for (const t of triggers) {
      const name = `${t.target.modelName}.${t.target.name}`;
      if (HANDLED_DEPENDENTS.has(name) || seen.has(name)) continue;
      seen.add(name);
      out.push({ gap: `stored computed ${name} (depends on ${key})`, blocking: false });
    }
  }
  for (const [model, known] of Object.entries(HANDLED_COLUMNS)) {
    for (const f of registry.get(model).columns) {
      if (known.has(f.name) || f.type === 'many2many') continue;
      out.push({ gap: `column ${model}.${f.name}`, blocking: f.spec.default !== undefined || !!f.spec.required || (f.isComputed && f.store) });
    }
  }
  return out;
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
  /** Rows read up to the last committed batch, and the line it ended on (progress; re-running completes the rest). */
  committedRows: number;
  committedLine: number;
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
  /** A `name` column was given (else the name comes from first/last name). */
  nameGiven: boolean;
  first?: string;
  last?: string;
  company?: string;
  email?: string;
  emailNormalized?: string;
  mobile?: string;
  sanitized?: string;
  /** Country code `sanitized` was computed with. */
  phoneCountry: string | null;
  countryId?: number;
  countryGiven: boolean;
  tags?: string[];
  phase: 1 | 2 | 3;
}

interface PreparedBatch {
  rows: ContactRow[];
  /** Rows of the batch merged into an earlier row with the same key. */
  merged: number;
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

interface BatchContext {
  listId: number;
  /** Default country of phone sanitisation (contacts without country). */
  fallback: string | null;
  /** Highest contact id before the import: higher ids were created by it. */
  maxId: number;
  codeOf: Map<number, string>;
}

/** Planner statistics of the tables the batches probe: refreshed when they doubled since. */
interface StatsState {
  /** Contacts when last analysed. */
  size: number;
  /** Contacts created since (committed batches). */
  created: number;
}

/**
 * Refresh the statistics of mailing_contact / mailing_subscription: the matching probes one index
 * per row and, with stale statistics (a table that grew from nothing during this import), the
 * planner picks bitmap scans that make it 2-3 times slower. A few ANALYZEs for a whole import
 * (at the start, then whenever the contacts doubled).
 */
async function analyzeTables(env: Env): Promise<number> {
  await env.cr.execute(sql`ANALYZE mailing_contact`);
  await env.cr.execute(sql`ANALYZE mailing_subscription`);
  const [{ n }] = await env.cr.query<{ n: number }>(sql`SELECT GREATEST(reltuples, 0)::int8 AS n FROM pg_class WHERE oid = 'mailing_contact'::regclass`);
  return n;
}

const KEYS = 'import_contact_keys';
const STAGE = 'import_contact_stage';
const LOCK_KEY = 'sms_marketing.import_contacts';
/** New contacts before statistics are worth refreshing. */
const STATS_MIN_GROWTH = 20_000;

/** Import contacts from CSV records (header first) into the list `opts.list`. */
export async function importContacts(registry: Registry, records: AsyncIterable<ImportRecord>, opts: ContactImportOptions): Promise<ContactImportResult> {
  const started = performance.now();
  const listName = opts.list?.trim();
  if (!listName) throw new UserError('A mailing list name is required.');
  const batchSize = Math.max(1, opts.batchSize ?? 10_000);
  const blocking = importGaps(registry).filter((g) => g.blocking).map((g) => g.gap);
  if (blocking.length) throw new Error(`import_contacts does not fill ${blocking.join(', ')}: update models/mass_mailing/import_contacts.ts`);

  // One contact import at a time (an advisory lock held to the end: the second import waits).
  return withExclusiveLock(registry, LOCK_KEY, () => runImport(registry, records, opts, listName, batchSize, started), opts.onWait);
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
    const size = await analyzeTables(env);
    return { option, fallback, countries, listId: listId!, listCreated, maxId, size };
  });
  const { option, fallback, listId } = setup;
  const countryOf = new Map<string, Country>();
  for (const c of setup.countries) {
    countryOf.set(c.code.toLowerCase(), { id: c.id, code: c.code });
    countryOf.set(c.name.toLowerCase(), { id: c.id, code: c.code });
  }
  const skipped = new SkipLog(opts.keepSkipped ?? 1000);
  const result: ContactImportResult = {
    listId, listCreated: setup.listCreated, rows: 0, committedRows: 0, committedLine: 0, created: 0, updated: 0, changed: 0, repeated: 0, flagged: 0, skipped: 0, skippedRows: [],
    subscribed: 0, alreadySubscribed: 0, optedOutKept: 0, unknownCountries: 0, unknownCountryLines: [], ignoredColumns: [],
    country: option?.code ?? fallback, seconds: 0,
  };
  const stats: StatsState = { size: setup.size, created: 0 };
  const batches = new BatchPipeline<BatchResult>((r, mark) => {
    stats.created += r.created;
    result.committedRows = mark.rows;
    result.committedLine = mark.line;
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
  const ctx: BatchContext = {
    listId, fallback, maxId: setup.maxId, codeOf: new Map(setup.countries.map((c) => [c.id, c.code])),
  };

  let index: Map<string, number> | undefined;
  let width = 0;
  let pending: ContactRow[] = [];
  let lastLine = 0;
  const flush = async () => {
    if (!pending.length) return;
    const mark = { rows: result.rows, line: lastLine };
    const batch = prepareBatch(pending, result);
    pending = [];
    const analyze = stats.created > Math.max(STATS_MIN_GROWTH, stats.size);
    if (analyze) {
      stats.size += stats.created;
      stats.created = 0;
    }
    await batches.push(() => registry.transaction({ uid: IMPORT_UID, su: true }, async (env) => {
      if (analyze) await analyzeTables(env);
      return contactBatch(env, batch, ctx);
    }), mark);
  };

  for await (const rec of records) {
    lastLine = rec.line;
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
  result.committedRows = result.rows;
  result.committedLine = lastLine;
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
  const tags = tagsText ? [...new Set(tagsText.split(',').map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean))] : [];
  return {
    line,
    name: explicitName ?? ([first, last].filter(Boolean).join(' ') || undefined),
    nameGiven: explicitName !== undefined,
    first,
    last,
    company: get('company_name'),
    email,
    emailNormalized,
    mobile,
    phoneCountry: (country ?? option)?.code ?? fallback,
    countryId: (country ?? option)?.id,
    countryGiven: country !== undefined,
    tags: tags.length ? tags : undefined,
    phase: 3,
  };
}

/** Raw number without separators (the key of flagged numbers; the database compares with SQL's regexp). */
function stripNumber(mobile: string | undefined): string | undefined {
  return mobile ? mobile.replace(/[\s\\./()-]/g, '') : undefined;
}

/**
 * Outside any transaction (while the previous batch is in the database): sanitise the numbers
 * (one parse per distinct number and country), decide each row's phase, merge rows sharing a key.
 */
function prepareBatch(rows: ContactRow[], result: ContactImportResult): PreparedBatch {
  const byCountry = new Map<string, ContactRow[]>();
  for (const r of rows) {
    if (!r.mobile) continue;
    const k = r.phoneCountry ?? '';
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
  let merged = 0;
  for (const r of rows) {
    r.phase = r.sanitized ? 1 : r.emailNormalized ? 2 : 3;
    const key = r.sanitized ? `p:${r.sanitized}` : r.emailNormalized ? `e:${r.emailNormalized}` : `m:${stripNumber(r.mobile)}`;
    const seen = byKey.get(key);
    if (seen) {
      merge(seen, r);
      merged++;
    } else {
      byKey.set(key, r);
    }
  }
  return { rows: [...byKey.values()], merged };
}

/**
 * Apply row `r` to the contact values `into`, as the UPDATE of existing contacts does: given
 * values win, except an email that does not normalise over one that does, and a flagged number
 * over a valid one; the name follows first/last name unless a name is given.
 */
function merge(into: ContactRow, r: ContactRow): void {
  into.first = r.first ?? into.first;
  into.last = r.last ?? into.last;
  if (r.nameGiven) {
    into.name = r.name;
    into.nameGiven = true;
  } else if (r.first || r.last) {
    into.name = [into.first, into.last].filter(Boolean).join(' ');
  }
  into.company = r.company ?? into.company;
  if (r.emailNormalized || (!into.emailNormalized && r.email)) {
    into.email = r.email;
    into.emailNormalized = r.emailNormalized ?? into.emailNormalized;
  }
  if (r.mobile && (r.sanitized || !into.sanitized)) {
    into.mobile = r.mobile;
    into.sanitized = r.sanitized;
    into.phoneCountry = r.phoneCountry;
  }
  if (r.countryGiven) {
    into.countryId = r.countryId;
    into.countryGiven = true;
  } else {
    into.countryId ??= r.countryId;
  }
  if (r.tags) into.tags = into.tags ? [...new Set([...into.tags, ...r.tags])] : r.tags;
}

/**
 * Lock what the COPYs of new rows reference (the list, the user, the countries) FOR KEY SHARE in one
 * statement, the lock each row's foreign-key check then finds already held: a concurrent delete
 * waits for this batch's commit, and one that came first stops the import with a clear message
 * rather than a foreign-key error. PostgreSQL still checks every foreign key of every row.
 */
async function lockReferences(env: Env, ctx: BatchContext, countryIds: number[]): Promise<void> {
  const [locked] = await env.cr.query<{ lists: number; users: number; countries: number }>(sql`
    WITH l AS (SELECT id FROM mailing_list WHERE id = ${ctx.listId}::int4 FOR KEY SHARE),
         u AS (SELECT id FROM res_users WHERE id = ${env.uid}::int4 FOR KEY SHARE),
         c AS (SELECT id FROM res_country WHERE id = ANY(${countryIds}::int4[]) FOR KEY SHARE)
    SELECT (SELECT count(*) FROM l)::int AS lists, (SELECT count(*) FROM u)::int AS users, (SELECT count(*) FROM c)::int AS countries`);
  if (locked.lists !== 1) throw new UserError(`The mailing list #${ctx.listId} was deleted during the import.`);
  if (locked.users !== 1 || locked.countries !== countryIds.length) throw new UserError('A user or country used by the import was deleted during the import.');
}

interface Found {
  idx: number;
  by_phone: number | null;
  by_free_email: number | null;
  by_email: number | null;
  by_mobile: number | null;
  /** Current values of the first candidate (the only existing contact the row can end on). */
  id: number | null;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  email: string | null;
  email_normalized: string | null;
  mobile: string | null;
  phone_sanitized: string | null;
  country_id: number | null;
  /** Subscription to the list: null none, 1 subscribed, 2 opted out. */
  subscription: 1 | 2 | null;
}

const COMPARED: (keyof ContactRow)[] = ['name', 'first', 'last', 'company', 'email', 'emailNormalized', 'mobile', 'sanitized', 'countryId'];

/** An existing contact as a row (to merge the file's rows into), with the country its number was read in. */
function fromDb(f: Found, ctx: BatchContext): ContactRow {
  const u = <T>(v: T | null) => v ?? undefined;
  return {
    line: 0, name: u(f.name), nameGiven: false, first: u(f.first_name), last: u(f.last_name), company: u(f.company_name), email: u(f.email),
    emailNormalized: u(f.email_normalized), mobile: u(f.mobile), sanitized: u(f.phone_sanitized),
    phoneCountry: (f.country_id !== null ? ctx.codeOf.get(f.country_id) : undefined) ?? ctx.fallback,
    countryId: u(f.country_id), countryGiven: false, phase: 3,
  };
}

/** `phone_sanitized` as _compute_phone_sanitized gives it for the row's final number and country. */
function resanitize(r: ContactRow, ctx: BatchContext): void {
  const code = (r.countryId !== undefined ? ctx.codeOf.get(r.countryId) : undefined) ?? ctx.fallback;
  if (code === r.phoneCountry) return;
  r.sanitized = r.mobile ? phoneSanitizeMany([r.mobile], code)[0] || undefined : undefined;
  r.phoneCountry = code;
}

/** One batch (rows with distinct keys), in one transaction. Does not modify `batch` (retries). */
async function contactBatch(env: Env, batch: PreparedBatch, ctx: BatchContext): Promise<BatchResult> {
  const cr = env.cr;
  const uid = env.uid;
  const rows = batch.rows.map((r) => ({ ...r }));
  const [{ now }] = await cr.query<{ now: string }>(sql`SELECT (now() AT TIME ZONE 'UTC')::text AS now`);
  const strip = (col: string) => sql`regexp_replace((${raw(col)})::text, ${raw(`'${PHONE_REGEX_PATTERN}'`)}::text, ''::text, 'g'::text)`;

  // The batch's keys reach the server in one COPY into a staging table of this transaction.
  await cr.execute(sql`
    CREATE TEMP TABLE ${ident(KEYS)} (idx int4, phase int2, phone_sanitized varchar, email_normalized varchar, mobile varchar) ON COMMIT DROP`);
  await copyInto(cr, KEYS, ['idx', 'phase', 'phone_sanitized', 'email_normalized', 'mobile'],
    rows.map((r, i) => copyLine([i, r.phase, r.sanitized, r.emailNormalized, r.phase === 1 ? null : r.mobile])).join(''));

  // Existing contacts of every key, their values and subscription, in one statement: an index
  // lookup per row (phone_sanitized, email_normalized, the mixin's raw-number index) where the
  // ORM would search and read row by row. `min(c.id + 0)`, not `min(c.id)`: PostgreSQL would turn
  // the latter into a walk of the whole primary key in id order instead of using those indexes.
  const found = await cr.query<Found>(sql`
    SELECT m.*, c.id, c.name, c.first_name, c.last_name, c.company_name, c.email, c.email_normalized, c.mobile, c.phone_sanitized,
           c.country_id, CASE WHEN ms.id IS NULL THEN NULL WHEN ms.opt_out THEN 2 ELSE 1 END AS subscription
      FROM (
        SELECT k.idx, k.by_phone,
               CASE WHEN k.phase = 1 AND k.by_phone IS NULL AND k.email_normalized IS NOT NULL
                    THEN (SELECT min(c.id + 0) FROM mailing_contact c WHERE c.email_normalized = k.email_normalized AND c.phone_sanitized IS NULL) END AS by_free_email,
               k.by_email,
               CASE WHEN k.phase > 1 AND k.by_email IS NULL AND k.mobile IS NOT NULL
                    THEN (SELECT min(c.id + 0) FROM mailing_contact c WHERE c.mobile IS NOT NULL AND ${strip('c.mobile')} = ${strip('k.mobile')}) END AS by_mobile
          FROM (
            SELECT k.*,
                   CASE WHEN k.phase = 1 THEN (SELECT min(c.id + 0) FROM mailing_contact c WHERE c.phone_sanitized = k.phone_sanitized) END AS by_phone,
                   CASE WHEN k.phase = 2 THEN (SELECT min(c.id + 0) FROM mailing_contact c WHERE c.email_normalized = k.email_normalized) END AS by_email
              FROM ${ident(KEYS)} k OFFSET 0
          ) k
        OFFSET 0
      ) m
      -- LATERAL ... OFFSET 0 (not flattened): a primary-key / unique-index probe per matched row,
      -- where the planner, blind on the staging table, would hash a scan of the whole table
      JOIN LATERAL (SELECT * FROM mailing_contact c WHERE c.id = COALESCE(m.by_phone, m.by_free_email, m.by_email, m.by_mobile) OFFSET 0) c ON TRUE
      LEFT JOIN LATERAL (SELECT ms.id, ms.opt_out FROM mailing_subscription ms WHERE ms.contact_id = c.id AND ms.list_id = ${ctx.listId}::int4 OFFSET 0) ms ON TRUE`);

  // Resolve in the order of the identity rule (phase 1, 2, 3; file order within a phase), new
  // contacts of the batch being matchable by the later rows (they get the highest ids). Rows
  // ending on the same contact are merged into it (merge(): the rule for existing contacts).
  const match = new Map(found.map((f) => [f.idx, f]));
  const targets = new Map<number, { row: ContactRow; db: Found }>();
  const fresh: ContactRow[] = [];
  const newByEmail = new Map<string, ContactRow>();
  const newByMobile = new Map<string, ContactRow>();
  const claimed = new Set<number>();
  let repeated = batch.merged;
  const toExisting = (f: Found, r: ContactRow) => {
    const id = f.id!;
    let t = targets.get(id);
    if (!t) {
      t = { row: fromDb(f, ctx), db: f };
      targets.set(id, t);
    }
    merge(t.row, r);
    if (id > ctx.maxId) repeated++;
  };
  const toFresh = (n: ContactRow, r: ContactRow) => {
    merge(n, r);
    repeated++;
  };
  const addFresh = (r: ContactRow) => {
    fresh.push(r);
    if (r.emailNormalized && !newByEmail.has(r.emailNormalized)) newByEmail.set(r.emailNormalized, r);
    const m = stripNumber(r.mobile);
    if (m && !newByMobile.has(m)) newByMobile.set(m, r);
  };
  for (const phase of [1, 2, 3]) {
    rows.forEach((r, i) => {
      if (r.phase !== phase) return;
      const f = match.get(i);
      if (phase === 1) {
        if (f?.by_phone) toExisting(f, r);
        else if (f?.by_free_email && !claimed.has(f.by_free_email)) {
          claimed.add(f.by_free_email);
          toExisting(f, r);
        } else addFresh(r);
        return;
      }
      const byEmail = phase === 2 ? newByEmail.get(r.emailNormalized!) : undefined;
      const byMobile = newByMobile.get(stripNumber(r.mobile) ?? '');
      if (f?.by_email) toExisting(f, r);
      else if (byEmail) toFresh(byEmail, r);
      else if (f?.by_mobile) toExisting(f, r);
      else if (byMobile) toFresh(byMobile, r);
      else addFresh(r);
    });
  }

  // One lock statement for all the rows this batch writes reference (list, user, countries).
  const countryIds = [...new Set([...fresh, ...[...targets.values()].map((t) => t.row)].map((r) => r.countryId).filter((id): id is number => id !== undefined))];
  if (fresh.length || targets.size) await lockReferences(env, ctx, countryIds);

  let subscribed = 0;
  const tagPairs: [number, string][] = [];
  if (fresh.length) {
    const ids = (await cr.query<{ id: number }>(sql`SELECT nextval('mailing_contact_id_seq')::int4 AS id FROM generate_series(1, ${fresh.length}::int4)`))
      .map((r) => r.id).sort((a, b) => a - b);
    const lines: string[] = [];
    const subs: string[] = [];
    fresh.forEach((r, i) => {
      resanitize(r, ctx);
      lines.push(copyLine([ids[i], r.name, r.first, r.last, r.company, r.email, r.emailNormalized, r.mobile, r.sanitized, r.countryId, 0, uid, uid, now, now]));
      subs.push(copyLine([ids[i], ctx.listId, false, uid, uid, now, now]));
      for (const t of r.tags ?? []) tagPairs.push([ids[i], t]);
    });
    // New contacts: straight into the table with COPY (ids drawn above), stored computed fields
    // included (the ORM would build a dict per record and recompute them record by record).
    await copyInto(cr, 'mailing_contact', [
      'id', 'name', 'first_name', 'last_name', 'company_name', 'email', 'email_normalized', 'mobile', 'phone_sanitized', 'country_id',
      'message_bounce', 'create_uid', 'write_uid', 'create_date', 'write_date',
    ], lines.join(''));
    // Their subscriptions cannot exist yet: COPY too.
    await copyInto(cr, 'mailing_subscription', ['contact_id', 'list_id', 'opt_out', 'create_uid', 'write_uid', 'create_date', 'write_date'], subs.join(''));
    subscribed += fresh.length;
  }

  let changed = 0;
  let optedOutKept = 0;
  const unsubscribed: number[] = [];
  if (targets.size) {
    const updates: string[] = [];
    for (const [id, { row, db }] of targets) {
      resanitize(row, ctx);
      const before = fromDb(db, ctx);
      if (COMPARED.some((k) => row[k] !== before[k])) {
        updates.push(copyLine([id, row.name, row.first, row.last, row.company, row.email, row.emailNormalized, row.mobile, row.sanitized, row.countryId]));
      }
      if (db.subscription === null) unsubscribed.push(id);
      else if (db.subscription === 2) optedOutKept++;
      for (const t of row.tags ?? []) tagPairs.push([id, t]);
    }
    if (updates.length) {
      // Changed contacts only, staged with one COPY, then one UPDATE (an ORM write per record
      // would recompute and track each one; the stored computes come computed, see above).
      await cr.execute(sql`
        CREATE TEMP TABLE ${ident(STAGE)} (
          id int4, name varchar, first_name varchar, last_name varchar, company_name varchar, email varchar, email_normalized varchar,
          mobile varchar, phone_sanitized varchar, country_id int4
        ) ON COMMIT DROP`);
      await copyInto(cr, STAGE, ['id', 'name', 'first_name', 'last_name', 'company_name', 'email', 'email_normalized', 'mobile', 'phone_sanitized', 'country_id'], updates.join(''));
      await cr.execute(sql`ANALYZE ${ident(STAGE)}`);
      changed = await cr.execute(updateStagedContacts(STAGE, uid, now));
    }
    if (unsubscribed.length) {
      // Subscriptions of existing contacts not yet in the list: one INSERT (ON CONFLICT: one
      // added meanwhile by someone else); existing ones, opted out or not, are left untouched.
      subscribed += await cr.execute(subscribeContacts(unsubscribed, ctx.listId, uid, now));
    }
  }

  if (tagPairs.length) {
    const rel = env.registry.get('mailing.contact').fields.get('tag_ids')!.m2mRelation;
    const names = [...new Set(tagPairs.map(([, t]) => t))];
    // Missing tags created in one INSERT (res.partner.category by exact name, as Odoo's import).
    await cr.execute(insertMissingTags(names, uid, now));
    // Links added set-based (a many2many command would read every contact's tags first).
    await cr.execute(linkContactTags(rel, tagPairs));
  }

  const total = batch.rows.length + batch.merged;
  return {
    created: fresh.length,
    updated: total - fresh.length,
    changed,
    repeated,
    subscribed,
    alreadySubscribed: fresh.length + targets.size - subscribed,
    optedOutKept,
  };
}
