// Bulk import of phone.blacklist entries (`npm run cli -- import blacklist FILE.csv`), on the
// pipeline shared with the contacts import (models/tools/csv_import.ts).
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

import type { Registry } from '../orm/registry.ts';
import type { Env } from '../orm/env.ts';
import { sql, join } from '../orm/sql.ts';
import { UserError } from '../orm/exceptions.ts';
import { phoneSanitizeMany } from '../tools/phone.ts';
import { escapeHtml, htmlBody, insertMessages, type NewMessage } from '../mail/mail_thread.ts';
import { defaultPhoneCountry } from './default_country.ts';
import { BLACKLIST_STAGE, createBlacklistStage, insertStagedNumbers, reactivateStagedNumbers } from './queries.ts';
import {
  type ImportRecord, type SkippedRow, SkipLog, IMPORT_UID, mapHeader, cellOf, shapeProblem, isBlank, copyLine, copyInto, BatchPipeline, resolveCountryOption,
} from '../tools/csv_import.ts';

export type { ImportRecord, SkippedRow };

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
  await cr.execute(createBlacklistStage());
  await copyInto(cr, BLACKLIST_STAGE, ['line', 'number', 'reason'], rows.map((r) => copyLine([r.line, r.number, r.reason])).join(''));

  const reactivated = await cr.query<{ id: number; reason: string | null }>(reactivateStagedNumbers(uid));

  const added = await cr.query<{ id: number; number: string }>(insertStagedNumbers(uid));

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
