// Preparing an SMS mailing: recipients → classification → sms.sms + mailing.trace,
// Odoo's sms.composer mass mode (spec §5.2) done set-based so a million recipients take seconds
// and flat memory. Every statement runs inside the caller's transaction (all or nothing) and
// bypasses the ORM on purpose: per-record ORM creates would cost minutes and gigabytes at this
// size. The recipient set lives in a temporary table; batches are keyset ranges over it.
//
// Classification (first match wins), as sms.composer `_prepare_mass_sms_values`:
//   sanitised + active phone.blacklist entry (use_exclusion_list)   → cancel / sms_blacklist
//   sanitised + opted out (mailing lists: opted out on a targeted list and opted in on none)
//                                                                   → cancel / sms_optout
//   sanitised + same number earlier in recipient order, or already traced (explicit res_ids)
//                                                                   → cancel / sms_duplicate
//   raw number that does not sanitise                               → cancel / sms_number_format
//   no number                                                       → cancel / sms_number_missing
//   otherwise → sms.sms `outgoing` + trace `outgoing`. Cancelled ones get a trace and no sms.sms.

import { randomBytes } from 'node:crypto';
import type { Env } from '../orm/env.ts';
import type { RecordSet } from '../orm/records.ts';
import { SQL, sql, ident, raw, join } from '../orm/sql.ts';
import { toColumn } from '../orm/fields_convert.ts';
import { parseInlineTemplate, templatePaths } from '../tools/inline_template.ts';
import { phoneSanitizeMany } from '../tools/phone.ts';
import { requireSmsRecipientSpec, type SmsRecipientSpec } from './recipients.ts';
import { parseMailingDomain } from '../tools/py_literal.ts';
import {
  classifiedRecipients, clearDuplicateNumbers, clearGonePartners, createRecipientTable, indexRecipientTable, lockBatchRecords, lockMailing, markBlacklisted,
  markDuplicateNumbers, markGoneRecords, markOptedOut, markSeenRecipients,
} from './queries.ts';
import { DomainCompiler } from '../orm/domain.ts';
import { subtypeId } from '../mail/data.ts';
import { currentPartnerId } from '../mail/mail_thread.ts';
import { defaultPhoneCountry } from '../phone_validation/default_country.ts';
import { SMS_BODY_FILTERS, applyBodyFilters, renderSmsBodies } from './render.ts';
import { stopSmsPrefix, webBaseUrl } from './unsubscribe.ts';
import { shortenLinksText, shortenLinksTexts, shortLinkPieces } from '../link_tracker/shorten.ts';
import { baseUrl } from '../link_tracker/link_tracker.ts';
import { abTestingRecipientCondition } from '../mass_mailing/ab_testing.ts';

// Recipients per INSERT statement: large enough that per-statement costs vanish, small enough that
// a batch (and, for placeholders, its rendered bodies) stays a few MB.
export const PREPARE_BATCH_SIZE = 50_000;
const CODE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface PrepareResult {
  /** Recipients handled in this run (one trace each). */
  recipients: number;
  /** sms.sms created (outgoing). */
  sent: number;
  /** Traces created cancelled, by failure type. */
  canceled: Record<string, number>;
  /** Ids of the created sms.sms (only collected when `collectSmsIds`). */
  smsIds: number[];
}

export interface PrepareOptions {
  /** Odoo's `res_ids`: exactly these records (no domain, already-traced ones become duplicates). */
  resIds?: number[] | null;
  batchSize?: number;
  collectSmsIds?: boolean;
  /** The sms.composer's values in place of the mailing's (body, exclusion list, archives, opt-out line). */
  overrides?: Partial<Pick<MailingRow, 'body_plaintext' | 'use_exclusion_list' | 'keep_archives' | 'sms_allow_unsubscribe'>>;
}

interface MailingRow {
  id: number;
  mailing_model_real: string;
  mailing_model_name: string | false;
  mailing_domain: string | false;
  body_plaintext: string | false;
  use_exclusion_list: boolean;
  campaign_id: number | false;
  source_id: number | false;
  medium_id: number | false;
  sms_allow_unsubscribe: boolean;
  contact_list_ids: number[];
  keep_archives: boolean;
  ab_testing_enabled: boolean;
  ab_testing_pc: number;
  mailing_type: string;
}

/** Random trace code (Odoo's `mailing.trace._get_random_code`): 3 chars of [A-Za-z0-9]. */
export function randomTraceCode(): string {
  let s = '';
  for (let i = 0; i < 3; i++) s += CODE_CHARS[Math.floor(Math.random() * CODE_CHARS.length)];
  return s;
}
// The same in SQL, evaluated per row (random() is volatile).
const SQL_CODE = raw(`substr('${CODE_CHARS}', floor(random() * 62)::int + 1, 1) || substr('${CODE_CHARS}', floor(random() * 62)::int + 1, 1) || substr('${CODE_CHARS}', floor(random() * 62)::int + 1, 1)`);
const NOW = raw(`(now() AT TIME ZONE 'UTC')`);

let tempCounter = 0;

/** Prepare one mailing (caller checked it is an SMS mailing). */
export async function prepareSmsMailing(mailing: RecordSet, opts: PrepareOptions = {}): Promise<PrepareResult> {
  mailing.ensureOne();
  const env = mailing.env;
  const cr = env.cr;
  const batchSize = opts.batchSize ?? PREPARE_BATCH_SIZE;
  const result: PrepareResult = { recipients: 0, sent: 0, canceled: {}, smsIds: [] };

  await cr.execute(lockMailing(mailing.ids[0]));

  const [m] = (await mailing.sudo().fetch([
    'mailing_model_real', 'mailing_model_name', 'mailing_domain', 'body_plaintext', 'use_exclusion_list',
    'campaign_id', 'source_id', 'medium_id', 'sms_allow_unsubscribe', 'contact_list_ids', 'keep_archives',
    'ab_testing_enabled', 'ab_testing_pc', 'mailing_type',
  ])) as unknown as MailingRow[];
  Object.assign(m, opts.overrides ?? {});
  const modelName = m.mailing_model_real;
  const spec = await requireSmsRecipientSpec(env, modelName);
  const parts = parseInlineTemplate(m.body_plaintext || '');
  const dynamic = templatePaths(parts).length > 0 || SMS_BODY_FILTERS.length > 0;

  const tmp = `mm_sms_recipients_${process.pid}_${++tempCounter}`;
  await cr.execute(createRecipientTable(tmp));
  try {
    const total = await fillRecipients(env, tmp, m, spec, opts.resIds ?? null);
    result.recipients = total;
    if (!total) return result;
    await cr.execute(indexRecipientTable(tmp));
    if (opts.resIds) {
      await cr.execute(markSeenRecipients(tmp, m.id, modelName));
    }
    if (!spec.sanitizedField) {
      await sanitizeInJs(env, tmp, spec, total, batchSize);
      await cr.execute(markDuplicateNumbers(tmp));
    }
    const failure = await classify(env, tmp, m);
    await cr.execute(raw(`ANALYZE ${tmp}`));

    const smsInsert = await smsInsertShape(env);
    const uuidKey = newUuidKey();
    const log = await chatterLog(env, m);
    // Opt-out mailings: every sent SMS ends with "\nSTOP SMS: <base>/sms/<mailing>/<its trace code>".
    const stopPrefix = m.sms_allow_unsubscribe ? stopSmsPrefix(await webBaseUrl(env), m.id) : null;
    const links = await linkContext(env, m, dynamic);
    const recordTable = env.registry.get(modelName).table;
    for (let lo = 0; lo < total; lo += batchSize) {
      const hi = Math.min(total, lo + batchSize);
      result.recipients -= await lockBatch(env, tmp, recordTable, !!spec.partnerField && !spec.isPartner, lo, hi);
      const rows = await insertBatch(env, tmp, m, parts, dynamic, links, failure, smsInsert, uuidKey, log, stopPrefix, lo, hi, !!opts.collectSmsIds);
      result.sent += rows.sent;
      for (const [k, n] of Object.entries(rows.canceled)) result.canceled[k] = (result.canceled[k] ?? 0) + n;
      if (opts.collectSmsIds) result.smsIds.push(...rows.smsIds);
    }
    return result;
  } finally {
    // Dropped at commit anyway; dropped now so that several mailings can be prepared in one
    // transaction (after an error the transaction is aborted and rolls the table back itself).
    await cr.execute(raw(`DROP TABLE IF EXISTS ${tmp}`)).catch(() => undefined);
  }
}

/** Fill the temp table; returns the number of recipients. */
async function fillRecipients(env: Env, tmp: string, m: MailingRow, spec: SmsRecipientSpec, resIds: number[] | null): Promise<number> {
  const target = env.registry.get(m.mailing_model_real);
  const alias = target.table;
  const r = ident(alias);
  let from: SQL;
  let seqExpr: SQL;
  let where: SQL;
  if (resIds) {
    const ids = [...new Set(resIds.map(Number).filter(Number.isInteger))];
    from = sql`unnest(${ids}::int4[]) WITH ORDINALITY AS v(id, k) JOIN ${ident(target.table)} ${r} ON ${r}.id = v.id`;
    seqExpr = sql`row_number() OVER (ORDER BY v.k)`;
    where = sql`TRUE`;
  } else {
    // The recipients query of the model (domain, archived records excluded) numbered in the
    // model's order, minus the records this mailing already traced (Odoo's remaining recipients).
    const compiler = new DomainCompiler(env);
    const domainWhere = compiler.where(target, parseMailingDomain(m.mailing_domain), alias);
    const { joins, orderBy } = env.model(target.name).orderToSql(target.order, alias, compiler);
    from = sql`${ident(target.table)} ${r}${joins}`;
    seqExpr = sql`row_number() OVER (ORDER BY ${orderBy ?? sql`${r}.id`})`;
    where = sql`${domainWhere} AND NOT EXISTS (SELECT 1 FROM mailing_trace tr WHERE tr.mass_mailing_id = ${m.id} AND tr.res_id = ${r}.id AND tr.model = ${target.name})`;
    // A/B mailings: their random sample, or (final mailing) nobody an A/B sibling reached.
    const ab = await abTestingRecipientCondition(env, m, target.name, parseMailingDomain(m.mailing_domain), alias);
    if (ab) where = sql`${where} AND ${ab}`;
  }
  const cols = (names: string[]) => names.map((n) => sql`NULLIF(${r}.${ident(n)}, '')`);
  const rawNumber = spec.numberFields.length ? sql`COALESCE(${join(cols(spec.numberFields))})` : sql`NULL::varchar`;
  const ownSanitized = spec.sanitizedField ? sql`${r}.${ident(spec.sanitizedField)}` : sql`NULL::varchar`;
  const partnerHasSanitized = !!env.registry.get('res.partner').fields.get('phone_sanitized')?.columnType;
  let joins = sql``;
  let sanitized = ownSanitized;
  let rawExpr = rawNumber;
  let partner: SQL = spec.isPartner ? sql`${r}.id` : sql`NULL::int4`;
  if (spec.partnerField) {
    // Odoo's partner fallback: a record without a valid number of its own uses its customer's.
    joins = sql` LEFT JOIN res_partner mm_p ON mm_p.id = ${r}.${ident(spec.partnerField)}`;
    partner = sql`mm_p.id`;
    if (partnerHasSanitized && spec.sanitizedField) {
      sanitized = sql`COALESCE(${ownSanitized}, mm_p.phone_sanitized)`;
      rawExpr = sql`CASE WHEN ${ownSanitized} IS NOT NULL OR mm_p.id IS NULL THEN ${rawNumber} ELSE NULLIF(mm_p.phone, '') END`;
    }
  }
  const jsPath = !spec.sanitizedField;
  const rawList = jsPath && spec.numberFields.length ? sql`ARRAY[${join(spec.numberFields.map((n) => sql`${r}.${ident(n)}::varchar`))}]` : sql`NULL::varchar[]`;
  const country = jsPath && spec.countryField ? sql`(SELECT c.code FROM res_country c WHERE c.id = ${r}.${ident(spec.countryField)})` : sql`NULL::varchar`;
  // One INSERT … SELECT for the whole recipient set: the database searches, drops what is already
  // traced, numbers in recipient order and flags repeated numbers (a second window, by number).
  return env.cr.execute(sql`INSERT INTO ${raw(tmp)} (seq, res_id, raw_number, sanitized, partner_id, raw_numbers, country_code, dup)
    SELECT x.seq, x.res_id, x.raw_number, x.sanitized, x.partner_id, x.raw_numbers, x.country_code,
           x.sanitized IS NOT NULL AND row_number() OVER (PARTITION BY x.sanitized ORDER BY x.seq) > 1
    FROM (SELECT ${seqExpr} AS seq, ${r}.id AS res_id, ${rawExpr} AS raw_number, ${sanitized} AS sanitized, ${partner} AS partner_id,
                 ${rawList} AS raw_numbers, ${country} AS country_code
          FROM ${from}${joins} WHERE ${where}) x`);
}

/** Models without a stored sanitised number: E.164 in Node, one batch at a time. */
async function sanitizeInJs(env: Env, tmp: string, spec: SmsRecipientSpec, total: number, batchSize: number): Promise<void> {
  // Records without a country use the default ("company") country, as Odoo's _phone_format.
  const fallbackCountry = await defaultPhoneCountry(env);
  for (let lo = 0; lo < total; lo += batchSize) {
    const rows = await env.cr.query<{ seq: number; raw_numbers: (string | null)[]; country_code: string | null }>(
      sql`SELECT seq, raw_numbers, country_code FROM ${raw(tmp)} WHERE seq > ${lo} AND seq <= ${lo + batchSize}`,
    );
    const seqs: number[] = [];
    const values: string[] = [];
    const byCountry = new Map<string, { i: number; n: string | null }[]>();
    rows.forEach((r, i) => {
      const list = byCountry.get(r.country_code ?? '') ?? [];
      for (const n of r.raw_numbers ?? []) list.push({ i, n });
      byCountry.set(r.country_code ?? '', list);
    });
    const found = new Map<number, string>();
    for (const [code, list] of byCountry) {
      const out = phoneSanitizeMany(list.map((x) => x.n), code || fallbackCountry || null);
      // First valid field wins (number fields are listed in priority order per row).
      list.forEach((x, k) => {
        if (out[k] && !found.has(x.i)) found.set(x.i, out[k] as string);
      });
    }
    for (const [i, s] of found) {
      seqs.push(rows[i].seq);
      values.push(s);
    }
    if (seqs.length) {
      // Write back the batch's sanitised numbers in one statement.
      await env.cr.execute(sql`UPDATE ${raw(tmp)} t SET sanitized = v.s FROM unnest(${seqs}::int4[], ${values}::varchar[]) AS v(seq, s) WHERE t.seq = v.seq`);
    }
  }
  if (spec.partnerField && env.registry.get('res.partner').fields.get('phone_sanitized')?.columnType) {
    // Partner fallback for records without a valid number of their own (set-based).
    await env.cr.execute(sql`UPDATE ${raw(tmp)} t SET sanitized = p.phone_sanitized, raw_number = NULLIF(p.phone, '')
      FROM res_partner p WHERE t.sanitized IS NULL AND p.id = t.partner_id`);
  }
}

/**
 * Flag blacklisted and opted-out recipients in the temp table (one statement each, writing only
 * the flagged rows) and return the CASE giving each row its failure type (NULL = sendable).
 */
async function classify(env: Env, tmp: string, m: MailingRow): Promise<SQL> {
  const r = raw(tmp);
  if (m.use_exclusion_list && env.registry.has('phone.blacklist')) {
    await env.cr.execute(markBlacklisted(tmp));
  }
  const listModel = m.mailing_model_name || '';
  if (listModel && env.registry.has(listModel)) {
    const methods = env.registry.get(listModel).methods;
    const mailingRec = env.model('mailing.mailing').browse([m.id]);
    let optout: SQL | null = null;
    if (methods.has('_mailing_get_opt_out_query_sms')) {
      const q = await env.model(listModel).call<SQL | null>('_mailing_get_opt_out_query_sms', mailingRec);
      if (q) optout = sql`${r}.res_id IN (${q})`;
    } else if (methods.has('_mailing_get_opt_out_list_sms')) {
      const ids = await env.model(listModel).call<number[]>('_mailing_get_opt_out_list_sms', mailingRec);
      if (ids?.length) optout = sql`${r}.res_id = ANY(${ids}::int4[])`;
    }
    if (optout) await env.cr.execute(markOptedOut(tmp, optout));
  }
  return sql`CASE
      WHEN ${r}.sanitized IS NOT NULL AND ${r}.blacklisted THEN 'sms_blacklist'
      WHEN ${r}.sanitized IS NOT NULL AND ${r}.optout THEN 'sms_optout'
      WHEN ${r}.sanitized IS NOT NULL AND (${r}.dup OR ${r}.seen) THEN 'sms_duplicate'
      WHEN ${r}.sanitized IS NULL AND ${r}.raw_number IS NOT NULL THEN 'sms_number_format'
      WHEN ${r}.sanitized IS NULL THEN 'sms_number_missing'
    END`;
}

interface ChatterLog {
  subtype: number | null;
  author: number | null;
}

/**
 * "Keep Archives" (composer's mass_keep_log): one internal note of type `sms` per SMS on its
 * recipient, when the recipients' model has a chatter. Null when nothing is to be logged.
 */
async function chatterLog(env: Env, m: MailingRow): Promise<ChatterLog | null> {
  if (!m.keep_archives || !env.registry.has('mail.message') || !env.registry.get(m.mailing_model_real).mixins.has('mail.thread')) return null;
  return { subtype: await subtypeId(env, 'mail.mt_note'), author: await currentPartnerId(env) };
}

/** The HTML-escaped text of an SQL text expression (markupsafe's escape). */
function escapeSql(text: SQL): SQL {
  return sql`replace(replace(replace(replace(replace(${text}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&#34;'), '''', '&#39;')`;
}

interface SmsInsertShape {
  columns: SQL[];
  values: SQL[];
}

/** Extra sms_sms columns with their (constant) defaults, so fields added by other addons are filled. */
async function smsInsertShape(env: Env): Promise<SmsInsertShape> {
  const model = env.registry.get('sms.sms');
  const own = new Set(['id', 'uuid', 'number', 'body', 'partner_id', 'state', 'failure_type', 'mailing_id', 'create_uid', 'write_uid', 'create_date', 'write_date']);
  const columns: SQL[] = [];
  const values: SQL[] = [];
  for (const f of model.columns) {
    if (own.has(f.name) || f.spec.default === undefined || f.isComputed) continue;
    const def = typeof f.spec.default === 'function' ? await (f.spec.default as (e: Env) => unknown)(env) : f.spec.default;
    columns.push(ident(f.name));
    values.push(sql`${toColumn(f, def)}${raw(`::${f.columnType}`)}`);
  }
  return { columns, values };
}

/**
 * Link tracking of the mailing's SMS: the tracker values (one tracker per distinct URL, with the
 * mailing's UTMs) and, for a body without placeholders, the body shortened ONCE, cut where each
 * SMS's `/s/<sms id>` goes.
 */
interface LinkContext {
  base: string;
  vals: Record<string, number | boolean>;
  /** Placeholder-free body: the shortened text in pieces around the short links. */
  staticPieces: string[] | null;
}

async function linkContext(env: Env, m: MailingRow, dynamic: boolean): Promise<LinkContext> {
  const vals = { mass_mailing_id: m.id, campaign_id: m.campaign_id || false, source_id: m.source_id || false, medium_id: m.medium_id || false };
  const base = await baseUrl(env);
  if (dynamic) return { base, vals, staticPieces: null };
  const shortened = (await shortenLinksText(env, m.body_plaintext || '', vals)) || '';
  return { base, vals, staticPieces: shortLinkPieces(shortened, base) };
}

// Marks, in a rendered body, where the SMS id of its short links goes (dropped from rendered text).
const SMS_ID_MARK = '\x1f';

/** The SQL text of each SMS: `body` (SQL text) with `/s/<sms id>` at the marks when `marked`. */
function smsBodySql(body: SQL, marked: boolean): SQL {
  return marked ? sql`replace(${body}, chr(31), '/s/' || n.sms_id::text)` : body;
}

async function insertBatch(
  env: Env, tmp: string, m: MailingRow, parts: ReturnType<typeof parseInlineTemplate>, dynamic: boolean, links: LinkContext,
  failure: SQL, shape: SmsInsertShape, uuidKey: UuidKey, log: ChatterLog | null, stopPrefix: string | null, lo: number, hi: number, collect: boolean,
): Promise<{ sent: number; canceled: Record<string, number>; smsIds: number[] }> {
  const r = raw(tmp);
  const uid = env.uid;
  const modelName = m.mailing_model_real;
  let perRow: SQL = sql``;
  let bodySource: SQL;
  let codeExpr: SQL = SQL_CODE;
  if (!dynamic) {
    // Same text for everyone: constant parameters, nothing rendered per recipient; each short link
    // gets the SMS's own id (drawn in the statement below) concatenated after it.
    const pieces = links.staticPieces ?? [m.body_plaintext || ''];
    bodySource = pieces.slice(1).reduce((acc, p) => sql`${acc} || '/s/' || n.sms_id::text || ${p}::text`, sql`${pieces[0]}::text`);
  } else {
    // Per-recipient bodies: one read of the batch's records, rendered in Node, joined back by seq.
    const rows = await env.cr.query<{ seq: number; res_id: number; failure: string | null }>(
      sql`SELECT ${r}.seq, ${r}.res_id, ${failure} AS failure FROM ${r} WHERE ${r}.seq > ${lo} AND ${r}.seq <= ${hi} AND NOT ${r}.gone ORDER BY ${r}.seq`,
    );
    const ids = rows.map((x) => x.res_id);
    const codes = rows.map(() => randomTraceCode());
    let bodies = await renderSmsBodies(env, modelName, parts, ids);
    // Links of the sendable bodies shortened together (one search_or_create for the batch), then
    // marked where the SMS id goes.
    const sendable = rows.map((x) => x.failure === null);
    const texts = bodies.map((b, i) => (sendable[i] ? (b.includes(SMS_ID_MARK) ? b.split(SMS_ID_MARK).join('') : b) : false));
    // Only a text with "://" can hold a link (TEXT_URL_SOURCE needs http(s)://): the others skip both regex passes.
    const linked = texts.map((x) => x !== false && x.includes('://'));
    const shortened = linked.some(Boolean) ? await shortenLinksTexts(env, texts.map((x, i) => (linked[i] ? x : false)), links.vals) : [];
    let marked = false;
    bodies = bodies.map((b, i) => {
      if (!sendable[i]) return b;
      if (!linked[i]) return texts[i] as string;
      const pieces = shortLinkPieces(shortened[i] || '', links.base);
      if (pieces.length > 1) marked = true;
      return pieces.join(SMS_ID_MARK);
    });
    bodies = await applyBodyFilters(bodies, {
      env,
      mailing: { id: m.id, campaign_id: m.campaign_id, source_id: m.source_id, medium_id: m.medium_id, sms_allow_unsubscribe: m.sms_allow_unsubscribe },
      resIds: ids,
      codes,
      sendable,
    });
    perRow = sql` JOIN unnest(${rows.map((x) => x.seq)}::int4[], ${bodies}::text[], ${codes}::varchar[]) AS rb(seq, body, code) ON rb.seq = ${r}.seq`;
    bodySource = smsBodySql(sql`n.body`, marked);
    codeExpr = sql`rb.code`;
  }
  // The STOP line goes after rendering and link shortening, on sent SMS only (cancelled ones have
  // no sms.sms), with the trace's own code; the archived chatter copy carries it too, as Odoo's.
  if (stopPrefix !== null) bodySource = sql`${bodySource} || ${stopPrefix}::text || n.code`;
  const dynBody = dynamic ? sql`, rb.body` : sql``;
  const smsCols = shape.columns.length ? sql`, ${join(shape.columns)}` : sql``;
  const smsVals = shape.values.length ? sql`, ${join(shape.values)}` : sql``;
  // One statement per batch: classify, number the new rows, insert sms.sms and traces (ids drawn
  // from the sequences up front, in recipient order, so the inserts reference each other).
  // Cancelled recipients get a trace only. The sms.tracker of each SMS is written by the SMS
  // state hook when the engine first reports on it (see sms_tracker.ts), not here.
  // PostgreSQL checks each non-null foreign key per row (one SPI query each, ~6 per recipient up
  // to PostgreSQL 18); lockBatch made every referenced row's lock already held.
  const rows = await env.cr.query<{ failure: string | null; n: number; ids: number[] | null }>(sql`
    WITH batch AS MATERIALIZED (
      SELECT ${r}.seq, ${r}.res_id, ${r}.raw_number, ${r}.sanitized, ${r}.partner_id, ${failure} AS failure, ${codeExpr} AS code,
             ${uuidExpr(uuidKey, r)} AS uuid${dynBody}
      FROM ${r}${perRow} WHERE ${r}.seq > ${lo} AND ${r}.seq <= ${hi} AND NOT ${r}.gone ORDER BY ${r}.seq
    ), n AS MATERIALIZED (
      SELECT b.*, nextval('mailing_trace_id_seq')::int4 AS trace_id,
             CASE WHEN b.failure IS NULL THEN nextval('sms_sms_id_seq')::int4 END AS sms_id
      FROM batch b
    ), ins_sms AS (
      INSERT INTO sms_sms (id, uuid, number, body, partner_id, state, mailing_id${smsCols}, create_uid, write_uid, create_date, write_date)
      SELECT n.sms_id, n.uuid, n.sanitized, ${bodySource}, n.partner_id, 'outgoing', ${m.id}${smsVals}, ${uid}, ${uid}, ${NOW}, ${NOW}
      FROM n WHERE n.sms_id IS NOT NULL
    ), ins_trace AS (
      INSERT INTO mailing_trace (id, trace_type, model, res_id, mass_mailing_id, campaign_id, sms_code, sms_number, sms_id_int,
                                 trace_status, failure_type, is_test_trace, create_uid, write_uid, create_date, write_date)
      SELECT n.trace_id, 'sms', ${modelName}, n.res_id, ${m.id}, ${m.campaign_id || null}::int4, n.code, COALESCE(n.sanitized, n.raw_number), n.sms_id,
             CASE WHEN n.failure IS NULL THEN 'outgoing' ELSE 'cancel' END, n.failure, FALSE, ${uid}, ${uid}, ${NOW}, ${NOW}
      FROM n
    )${log ? sql`, ins_log AS (
      INSERT INTO mail_message (model, res_id, body, message_type, subtype_id, is_internal, author_id, date, create_uid, write_uid, create_date, write_date)
      SELECT ${modelName}, n.res_id, '<p>' || ${escapeSql(bodySource)} || '</p>', 'sms', ${log.subtype}::int4, TRUE, ${log.author}::int4, ${NOW}, ${uid}, ${uid}, ${NOW}, ${NOW}
      FROM n WHERE n.sms_id IS NOT NULL
    )` : sql``}
    SELECT n.failure, count(*)::int AS n, ${collect ? sql`array_agg(n.sms_id) FILTER (WHERE n.sms_id IS NOT NULL)` : sql`NULL::int4[]`} AS ids
    FROM n GROUP BY n.failure`);
  const out = { sent: 0, canceled: {} as Record<string, number>, smsIds: [] as number[] };
  for (const row of rows) {
    if (row.failure === null) {
      out.sent += row.n;
      if (row.ids) out.smsIds.push(...row.ids);
    } else out.canceled[row.failure] = row.n;
  }
  return out;
}

/** Per-preparation secret and clock of the SMS uuids (see uuidExpr). */
export interface UuidKey {
  prefix: string;
  secret: string;
}

export function newUuidKey(): UuidKey {
  return { prefix: Date.now().toString(16).padStart(12, '0'), secret: randomBytes(16).toString('hex') };
}

/**
 * SMS uuid in Odoo's format (32 lowercase hex chars), computed in SQL: 12 hex of the preparation's
 * clock (ms), 7 of the recipient's rank, 13 of md5(secret, rank) with a random per-preparation
 * secret. Unique, unguessable (delivery reports are keyed by uuid), and increasing, so a million of
 * them append to the unique uuid indexes instead of hitting random pages; gen_random_uuid() would
 * also cost ~10 µs a row.
 */
function uuidExpr(key: UuidKey, r: SQL): SQL {
  return sql`${key.prefix}::text || lpad(to_hex(${r}.seq), 7, '0') || substr(md5(${key.secret}::text || ${r}.seq::text), 1, 13)`;
}

/**
 * Every foreign key of the inserts stays checked by PostgreSQL; what can vanish meanwhile is locked
 * first, one statement per batch: the recipient records (their traces' res_id has no foreign key)
 * and their partners (sms.sms partner_id). Those deleted before the lock (READ COMMITTED) leave
 * the batch: recipients gone, partners cleared. Returns the number of recipients gone.
 */
async function lockBatch(env: Env, tmp: string, recordTable: string, partners: boolean, lo: number, hi: number): Promise<number> {
  const [c] = await env.cr.query<{ records: number; wanted: number; partners: number; wanted_partners: number }>(lockBatchRecords(tmp, recordTable, lo, hi, partners));
  if (c.partners < c.wanted_partners) await env.cr.execute(clearGonePartners(tmp, lo, hi));
  return c.records < c.wanted ? env.cr.execute(markGoneRecords(tmp, recordTable, lo, hi)) : 0;
}

/** Ids of `mailing`'s remaining recipients (Odoo's `_get_remaining_recipients`), as SQL; `ab`: its A/B condition on `q`. */
export function remainingRecipientsQuery(env: Env, m: { id: number; mailing_model_real: string; mailing_domain: string | false }, ab: SQL | null = null): SQL {
  const target = env.registry.get(m.mailing_model_real);
  const idsQuery = env.model(target.name).searchQuery(parseMailingDomain(m.mailing_domain), { order: null });
  return sql`SELECT q.id FROM (${idsQuery}) q WHERE NOT EXISTS (SELECT 1 FROM mailing_trace tr WHERE tr.mass_mailing_id = ${m.id} AND tr.res_id = q.id AND tr.model = ${target.name})${ab ? sql` AND ${ab}` : sql``}`;
}

/** One record's recipient as classified by `classifySmsRecipients`. */
export interface ClassifiedRecipient {
  resId: number;
  /** Sanitised (E.164) number, else the raw one, else false. */
  number: string | false;
  sanitized: string | false;
  partnerId: number | false;
  /** Odoo's failure_type when the SMS is to be cancelled; null when it can be sent. */
  failure: string | null;
}

/**
 * The classification of a mailing's preparation for `resIds` of `modelName` without a mailing
 * (sms.composer mass mode): same numbers, partner fallback, exclusion list and duplicates (no
 * opt-out lists, nothing already traced). Returned in `resIds` order.
 */
export async function classifySmsRecipients(env: Env, modelName: string, resIds: number[], opts: { useExclusionList: boolean; duplicates?: boolean }): Promise<ClassifiedRecipient[]> {
  const spec = await requireSmsRecipientSpec(env, modelName);
  const m = { id: 0, mailing_model_real: modelName, mailing_model_name: false, mailing_domain: false, use_exclusion_list: opts.useExclusionList } as MailingRow;
  const tmp = `mm_sms_recipients_${process.pid}_${++tempCounter}`;
  await env.cr.execute(createRecipientTable(tmp));
  try {
    const total = await fillRecipients(env, tmp, m, spec, resIds);
    if (!total) return [];
    if (!spec.sanitizedField) {
      await sanitizeInJs(env, tmp, spec, total, PREPARE_BATCH_SIZE);
      await env.cr.execute(markDuplicateNumbers(tmp));
    }
    if (opts.duplicates === false) await env.cr.execute(clearDuplicateNumbers(tmp));
    const failure = await classify(env, tmp, m);
    const rows = await env.cr.query<{ res_id: number; raw_number: string | null; sanitized: string | null; partner_id: number | null; failure: string | null }>(classifiedRecipients(tmp, failure));
    return rows.map((r) => ({ resId: r.res_id, number: r.sanitized ?? r.raw_number ?? false, sanitized: r.sanitized ?? false, partnerId: r.partner_id ?? false, failure: r.failure }));
  } finally {
    await env.cr.execute(raw(`DROP TABLE IF EXISTS ${tmp}`)).catch(() => undefined);
  }
}
