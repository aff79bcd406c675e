// Bulk import of phone.blacklist entries (`npm run cli -- import blacklist FILE.csv`), and the
// pieces every set-based import shares (records with line numbers, staging by COPY, batches).
//
// Input: records of a CSV file already split into cells (server/cli/import.ts reads the file), the
// first one being the header. Columns: `number` (also mobile, phone...) and optional `reason`.
//
// Rules (Odoo's phone.blacklist.create / _add, applied set-based):
//  * numbers are sanitised to E.164 with --country, else the default country (default_country.ts);
//    a number that does not sanitise is skipped and reported with its line (Odoo refuses it);
//  * the same number repeated in the file is one entry (first line kept, first reason given);
//  * archived entries are re-activated; active ones are left alone ("already blacklisted");
//  * chatter as the ORM writes it: "Phone Blacklist created" on new entries plus the reason as a
//    note; a re-activation is one tracking message (active: False -> True) with the reason as body.
//
// Each batch is one transaction: a crash leaves whole batches, and re-running completes the file
// (nothing is done twice). The statements bypass the ORM on purpose, each says why.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import type { Registry } from '../orm/registry.ts';
import type { Cursor, Env } from '../orm/env.ts';
import { sql, ident, join } from '../orm/sql.ts';
import { UserError } from '../orm/exceptions.ts';
import { phoneSanitizeMany } from '../tools/phone.ts';
import { escapeHtml, htmlBody, insertMessages, type NewMessage } from '../mail/mail_thread.ts';
import { defaultPhoneCountry } from './default_country.ts';

// ---------------------------------------------------------------- shared by the imports

/** One CSV record: its cells, or why it could not be read (malformed CSV). Lines start at 1. */
export type ImportRecord = { line: number; cells: string[]; error?: undefined } | { line: number; error: string; cells?: undefined };

export interface SkippedRow {
  line: number;
  reason: string;
}

/** Rows that could not be imported: all counted, the first `keep` remembered (memory stays flat). */
export class SkipLog {
  count = 0;
  readonly rows: SkippedRow[] = [];
  constructor(readonly keep = 1000) {}
  add(line: number, reason: string): void {
    this.count++;
    if (this.rows.length < this.keep) this.rows.push({ line, reason });
  }
  sorted(): SkippedRow[] {
    return [...this.rows].sort((a, b) => a.line - b.line);
  }
}

/** The uid imports run as (the administrator, like the other command-line tools). */
export const IMPORT_UID = 2;

/** Header cell → canonical column name: lower case, words joined by `_` ("E-mail" → e_mail). */
export function normalizeHeader(cell: string): string {
  return cell.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/**
 * Column index of each known field, from the header and the accepted names of each field (first
 * matching column wins). Returns the indexes and the header cells that were not recognised.
 */
export function mapHeader(header: string[], aliases: Record<string, string[]>): { index: Map<string, number>; ignored: string[] } {
  const index = new Map<string, number>();
  const ignored: string[] = [];
  header.forEach((cell, i) => {
    const name = normalizeHeader(cell);
    const field = Object.keys(aliases).find((f) => aliases[f].includes(name));
    if (field && !index.has(field)) index.set(field, i);
    else if (cell.trim()) ignored.push(cell.trim());
  });
  return { index, ignored };
}

/** A cell's value, trimmed; undefined when empty or absent. */
export function cellOf(cells: string[], i: number | undefined): string | undefined {
  if (i === undefined) return undefined;
  const v = cells[i]?.trim();
  return v ? v : undefined;
}

/** Why a record cannot be trusted column-wise (more non-empty cells than the header), or null. */
export function shapeProblem(cells: string[], width: number): string | null {
  if (cells.length <= width) return null;
  for (let i = width; i < cells.length; i++) {
    if (cells[i].trim()) return `${cells.length} fields where the header has ${width} (unquoted separator?)`;
  }
  return null;
}

/** True when every cell is blank (",,,," lines are ignored like empty lines). */
export function isBlank(cells: string[]): boolean {
  return cells.every((c) => !c.trim());
}

/** A value in PostgreSQL COPY text format. */
export function copyValue(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v !== 'string') return String(v);
  return /[\\\t\n\r]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}

/** One COPY text line. */
export function copyLine(values: (string | number | boolean | null | undefined)[]): string {
  return values.map(copyValue).join('\t') + '\n';
}

/** COPY `text` (COPY text format lines) into `table`, inside the caller's transaction. */
export async function copyInto(cr: Cursor, table: string, columns: string[], text: string): Promise<void> {
  const { text: statement } = sql`COPY ${ident(table)} (${join(columns.map((c) => ident(c)))}) FROM STDIN`.toQuery();
  cr.queryCount++;
  await pipeline(Readable.from([text]), cr.client.query(copyStreams.from(statement)));
}

/** Where the reading was when a batch was cut: data rows read so far, line of the last one. */
export interface BatchMark {
  rows: number;
  line: number;
}

/**
 * Batches run one at a time, in file order, while the caller reads and prepares the next one:
 * `push` waits for the previous batch, starts this one and returns at once. `done` gets each
 * batch's result with its mark, in order, once committed.
 */
export class BatchPipeline<R> {
  private inflight: Promise<void> | undefined;
  constructor(private readonly done: (result: R, mark: BatchMark) => void) {}

  async push(work: () => Promise<R>, mark: BatchMark): Promise<void> {
    if (this.inflight) await this.inflight;
    const p = work().then((r) => this.done(r, mark));
    p.catch(() => undefined); // awaited by the next push / drain (no unhandled rejection meanwhile)
    this.inflight = p;
  }

  async drain(): Promise<void> {
    const p = this.inflight;
    this.inflight = undefined;
    if (p) await p;
  }
}

/** ISO code of `--country` (code or English name), checked against res.country. */
export async function resolveCountryOption(env: Env, text: string | undefined): Promise<{ id: number; code: string } | undefined> {
  if (text === undefined || !text.trim()) return undefined;
  const t = text.trim();
  const rows = await env.cr.query<{ id: number; code: string }>(sql`
    SELECT id, code FROM res_country WHERE upper(code) = upper(${t}) OR lower(name) = lower(${t}) ORDER BY (upper(code) = upper(${t})) DESC LIMIT 1`);
  if (!rows.length) throw new UserError(`Unknown country ${JSON.stringify(t)} (give an ISO code such as BE, or a country name).`);
  return rows[0];
}

// ---------------------------------------------------------------- blacklist import

export const BLACKLIST_COLUMNS: Record<string, string[]> = {
  number: ['number', 'phone', 'mobile', 'phone_number', 'mobile_number', 'sanitized_number', 'phone_sanitized', 'sms'],
  reason: ['reason', 'message', 'note', 'comment'],
};

export interface BlacklistImportOptions {
  /** Country (ISO code or name) of numbers without international prefix; default: the default country. */
  country?: string;
  /** Rows per batch (one transaction each); default 10,000. */
  batchSize?: number;
  /** Called after each committed batch with the totals so far. */
  onProgress?: (stats: BlacklistImportResult) => void;
  /** Skipped rows remembered for the report (all are counted); default 1000. */
  keepSkipped?: number;
}

export interface BlacklistImportResult {
  /** Data rows read (header, blank lines excluded; malformed lines included). */
  rows: number;
  /** Rows read up to the last committed batch, and the line it ended on (progress). */
  committedRows: number;
  committedLine: number;
  /** New entries. */
  added: number;
  /** Archived entries made active again. */
  reactivated: number;
  /** Numbers already actively blacklisted. */
  alreadyBlacklisted: number;
  /** Rows repeating a number of an earlier row of the same batch (one entry). */
  duplicates: number;
  skipped: number;
  skippedRows: SkippedRow[];
  ignoredColumns: string[];
  country: string | null;
  seconds: number;
}

interface BlacklistRow {
  line: number;
  number: string;
  reason: string | undefined;
}

interface BlacklistBatchResult {
  added: number;
  reactivated: number;
  already: number;
}

/** Import blacklist numbers from CSV records (header first). */
export async function importBlacklist(registry: Registry, records: AsyncIterable<ImportRecord>, opts: BlacklistImportOptions = {}): Promise<BlacklistImportResult> {
  const started = performance.now();
  const batchSize = Math.max(1, opts.batchSize ?? 10_000);
  const skipped = new SkipLog(opts.keepSkipped ?? 1000);
  const { country } = await registry.transaction({ uid: IMPORT_UID, su: true, readonly: true }, async (env) => {
    const opt = await resolveCountryOption(env, opts.country);
    return { country: opt?.code ?? (await defaultPhoneCountry(env)) ?? null };
  });
  const result: BlacklistImportResult = {
    rows: 0, committedRows: 0, committedLine: 0, added: 0, reactivated: 0, alreadyBlacklisted: 0, duplicates: 0, skipped: 0, skippedRows: [], ignoredColumns: [], country, seconds: 0,
  };
  const batches = new BatchPipeline<BlacklistBatchResult>((r, mark) => {
    result.committedRows = mark.rows;
    result.committedLine = mark.line;
    result.added += r.added;
    result.reactivated += r.reactivated;
    result.alreadyBlacklisted += r.already;
    result.skipped = skipped.count;
    opts.onProgress?.({ ...result, seconds: (performance.now() - started) / 1000 });
  });

  let index: Map<string, number> | undefined;
  let width = 0;
  let pending: { line: number; number: string; reason: string | undefined }[] = [];
  let lastLine = 0;
  const flush = async () => {
    if (!pending.length) return;
    const mark = { rows: result.rows, line: lastLine };
    const raw = pending;
    pending = [];
    const sanitized = phoneSanitizeMany(raw.map((r) => r.number), country);
    const byNumber = new Map<string, BlacklistRow>();
    raw.forEach((r, i) => {
      const number = sanitized[i];
      if (!number) {
        skipped.add(r.line, `invalid number ${JSON.stringify(r.number)}`);
        return;
      }
      const seen = byNumber.get(number);
      if (seen) {
        result.duplicates++;
        seen.reason ??= r.reason;
        return;
      }
      byNumber.set(number, { line: r.line, number, reason: r.reason });
    });
    const rows = [...byNumber.values()];
    const nothing = { added: 0, reactivated: 0, already: 0 };
    await batches.push(() => (rows.length ? registry.transaction({ uid: IMPORT_UID, su: true }, (env) => blacklistBatch(env, rows)) : Promise.resolve(nothing)), mark);
  };

  for await (const rec of records) {
    lastLine = rec.line;
    if (rec.error !== undefined) {
      if (index) {
        result.rows++;
        skipped.add(rec.line, rec.error);
        continue;
      }
      throw new UserError(`Line ${rec.line}: the header cannot be read (${rec.error}).`);
    }
    if (!index) {
      const mapped = mapHeader(rec.cells, BLACKLIST_COLUMNS);
      if (!mapped.index.has('number')) {
        throw new UserError(`No number column in the header (line ${rec.line}): expected one of ${BLACKLIST_COLUMNS.number.join(', ')}.`);
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
    const number = cellOf(rec.cells, index.get('number'));
    if (!number) {
      skipped.add(rec.line, 'no number');
      continue;
    }
    pending.push({ line: rec.line, number, reason: cellOf(rec.cells, index.get('reason')) });
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

/** One batch of distinct sanitised numbers, in one transaction. */
async function blacklistBatch(env: Env, rows: BlacklistRow[]): Promise<BlacklistBatchResult> {
  const cr = env.cr;
  const uid = env.uid;
  // Staging table of this transaction: the batch goes to the server in one COPY.
  await cr.execute(sql`CREATE TEMP TABLE import_blacklist_stage (line int4, number varchar, reason text) ON COMMIT DROP`);
  await copyInto(cr, 'import_blacklist_stage', ['line', 'number', 'reason'], rows.map((r) => copyLine([r.line, r.number, r.reason])).join(''));

  // Set-based re-activation (the ORM would read and write entry by entry); chatter added below.
  const reactivated = await cr.query<{ id: number; reason: string | null }>(sql`
    UPDATE phone_blacklist b SET active = TRUE, write_uid = ${uid}::int4, write_date = now() AT TIME ZONE 'UTC'
      FROM import_blacklist_stage s
     WHERE b.number = s.number AND b.active IS NOT TRUE
    RETURNING b.id, s.reason`);

  // Set-based creation of the missing numbers (ON CONFLICT: an entry added meanwhile by someone else).
  const added = await cr.query<{ id: number; number: string }>(sql`
    INSERT INTO phone_blacklist (number, active, create_uid, write_uid, create_date, write_date)
    SELECT s.number, TRUE, ${uid}::int4, ${uid}::int4, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM import_blacklist_stage s
     WHERE NOT EXISTS (SELECT 1 FROM phone_blacklist b WHERE b.number = s.number)
     ORDER BY s.line
    ON CONFLICT (number) DO NOTHING
    RETURNING id, number`);

  // Chatter as create/_add/write would log it (insertMessages is set-based: one INSERT per 5000).
  const messages: NewMessage[] = [];
  const created = htmlBody(escapeHtml(`${env.registry.get('phone.blacklist').description} created`));
  const reasons = new Map(rows.map((r) => [r.number, r.reason]));
  for (const r of added) {
    const reason = reasons.get(r.number);
    messages.push({ model: 'phone.blacklist', resId: r.id, body: created, messageType: 'notification', subtype: 'mail.mt_note', isInternal: true });
    if (reason) messages.push({ model: 'phone.blacklist', resId: r.id, body: htmlBody(escapeHtml(reason)), messageType: 'notification', subtype: 'mail.mt_note' });
  }
  const activeField = env.registry.get('phone.blacklist').fields.get('active')!;
  for (const r of reactivated) {
    messages.push({
      model: 'phone.blacklist', resId: r.id, body: r.reason ? htmlBody(escapeHtml(r.reason)) : '', messageType: 'notification', subtype: 'mail.mt_note',
      isInternal: true, tracking: [{ field: activeField, old: { integer: 0 }, new: { integer: 1 } }],
    });
  }
  if (messages.length) await insertMessages(env, messages);
  return { added: added.length, reactivated: reactivated.length, already: rows.length - added.length - reactivated.length };
}
