// `npm run cli -- import ...`: bulk imports from CSV files.
//
//   import contacts FILE.csv --list NAME [--country CC] [--batch N] [--delimiter C] [--no-progress]
//       contacts into a mailing list (created when missing); see models/mass_mailing/import_contacts.ts
//       for the columns, the identity rule (re-running a file is idempotent) and what is skipped.
//   import blacklist FILE.csv [--country CC] [--batch N] [--delimiter C] [--no-progress]
//       numbers into the phone blacklist; see models/phone_validation/import_blacklist.ts.
//
// The file is streamed (memory stays flat whatever its size): UTF-8, header on the first line,
// separator guessed from the header (`,`, `;`, tab or `|`) unless --delimiter is given. A live
// progress bar (bytes read, rows, rows/s) goes to stderr; the summary goes to stdout.
//
// CSV parsing is csv-parse's, behind a guard of ours: csv-parse never recovers from a quote that is
// never closed (the rest of the file becomes one field, then the parser stops), so a quoted field
// still open after 100 lines or 1 MiB makes its first line a malformed line (reported, dropped)
// and parsing resumes on the next line. Quotes in the middle of a field are kept as typed.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Transform, pipeline, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { parse } from 'csv-parse';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { openRuntime } from '../runtime.ts';
import type { Registry } from '../../models/orm/registry.ts';
import { importContacts, type ContactImportResult } from '../../models/mass_mailing/import_contacts.ts';
import { UserError } from '../../models/orm/exceptions.ts';
import { ajvCoercing, errorProperty, firstError } from '../../models/tools/validation.ts';
import { importBlacklist, type BlacklistImportResult } from '../../models/phone_validation/import_blacklist.ts';
import type { ImportRecord, SkippedRow } from '../../models/tools/csv_import.ts';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const MAX_RECORD_LINES = 100;
const MAX_RECORD_BYTES = 1 << 20;
/** Skipped rows listed in the summary (all are counted). */
export const SKIPPED_LISTED = 20;

// ---------------------------------------------------------------- CSV reading

export interface CsvSource {
  records: AsyncIterable<ImportRecord>;
  /** Bytes read from the file so far. */
  bytesRead(): number;
  /** Bytes of the file up to line `line` at least (chunk precision; for progress). */
  bytesAt(line: number): number;
  totalBytes: number;
  delimiter: string;
}

/** The separator of the header line: the most frequent of , ; tab | outside quotes (default ,). */
export function guessDelimiter(headerLine: string): string {
  let inQuote = false;
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0], ['|', 0]]);
  for (const ch of headerLine) {
    if (ch === '"') inQuote = !inQuote;
    else if (!inQuote && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

interface QuoteState {
  inQuote: boolean;
  fieldStart: boolean;
}

/**
 * Frames the text into records for csv-parse, each preceded by its line number as an extra first
 * field (cheaper than csv-parse's per-record `info`, and right for records spanning lines). Blank
 * lines are dropped. A line opening a quoted field still open MAX_RECORD_LINES lines /
 * MAX_RECORD_BYTES later (or at the end of the file) is reported and dropped, and the following
 * lines are read again. Quote rules are csv-parse's with relax_quotes: a quote opens a field only
 * at its start; `""` inside is a quote; a closing quote followed by other text makes it literal.
 */
class QuoteGuard extends Transform {
  bytes = 0;
  /** [last complete line, bytes read] after each chunk. */
  private readonly marks: [number, number][] = [];
  private readonly decoder = new StringDecoder('utf8');
  private readonly delim: number;
  private carry = '';
  private pending: string[] = [];
  private pendingBytes = 0;
  private pendingStart = 0;
  private state: QuoteState = { inQuote: false, fieldStart: true };
  private lineNo = 0;
  private out: string[] = [];
  private first = true;

  constructor(private readonly delimiter: string, private readonly onMalformed: (line: number, reason: string) => void) {
    super({ readableObjectMode: false, decodeStrings: true, highWaterMark: 1 << 20 });
    this.delim = delimiter.charCodeAt(0);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.feed(this.decoder.write(chunk));
    this.emitOut();
    this.marks.push([this.lineNo, this.bytes]);
    cb();
  }

  /** Bytes read when line `line` was complete (marks of queried lines are forgotten). */
  bytesAt(line: number): number {
    while (this.marks.length > 1 && this.marks[0][0] < line) this.marks.shift();
    return this.marks.length && this.marks[0][0] >= line ? this.marks[0][1] : this.bytes;
  }

  override _flush(cb: TransformCallback): void {
    this.feed(this.decoder.end());
    if (this.carry) {
      const last = this.carry;
      this.carry = '';
      this.line(last);
    }
    while (this.pending.length) this.recover();
    this.emitOut();
    cb();
  }

  private emitOut(): void {
    if (this.out.length) {
      this.push(this.out.join(''));
      this.out = [];
    }
  }

  private feed(text: string): void {
    if (!text) return;
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        this.carry += text.slice(start);
        return;
      }
      const piece = text.slice(start, nl + 1);
      start = nl + 1;
      if (this.carry) {
        const line = this.carry + piece;
        this.carry = '';
        this.line(line);
      } else {
        this.line(piece);
      }
    }
  }

  private line(text: string): void {
    this.lineNo++;
    if (!this.pending.length) {
      if (!text.includes('"')) {
        if (text !== '\n' && text !== '\r\n' && text !== '') this.out.push(this.lineNo + this.delimiter, text);
        return;
      }
      const st = this.scan(text, { inQuote: false, fieldStart: true });
      if (!st.inQuote) {
        this.out.push(this.lineNo + this.delimiter, text);
        return;
      }
      this.pending = [text];
      this.pendingBytes = text.length;
      this.pendingStart = this.lineNo;
      this.state = st;
      return;
    }
    this.pending.push(text);
    this.pendingBytes += text.length;
    this.state = this.scan(text, this.state);
    if (!this.state.inQuote) {
      this.out.push(this.pendingStart + this.delimiter, ...this.pending);
      this.pending = [];
      return;
    }
    if (this.pending.length > MAX_RECORD_LINES || this.pendingBytes > MAX_RECORD_BYTES) this.recover();
  }

  /** The first line of the open record is malformed: drop it, read the next ones again. */
  private recover(): void {
    const [, ...rest] = this.pending;
    this.onMalformed(this.pendingStart, 'malformed CSV: quoted field never closed');
    this.pending = [];
    this.pendingBytes = 0;
    this.lineNo = this.pendingStart;
    for (const l of rest) this.line(l);
  }

  private scan(text: string, st: QuoteState): QuoteState {
    let { inQuote, fieldStart } = st;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inQuote) {
        if (c === QUOTE) {
          if (text.charCodeAt(i + 1) === QUOTE) i++;
          else {
            inQuote = false;
            fieldStart = false;
          }
        }
        continue;
      }
      if (c === QUOTE && fieldStart) {
        inQuote = true;
        fieldStart = false;
        continue;
      }
      fieldStart = c === this.delim || c === LF || c === CR;
    }
    return { inQuote, fieldStart };
  }
}

/** Stream `file` as CSV records with their line numbers (malformed lines as `{line, error}`). */
export async function openCsv(file: string, opts: { delimiter?: string } = {}): Promise<CsvSource> {
  const stat = await fsp.stat(file);
  if (!stat.isFile()) throw new Error(`${file} is not a file`);
  let delimiter = opts.delimiter;
  if (delimiter === '\\t' || delimiter?.toLowerCase() === 'tab') delimiter = '\t';
  if (delimiter !== undefined && delimiter.length !== 1) throw new Error(`--delimiter must be one character (got ${JSON.stringify(delimiter)})`);
  if (delimiter === undefined) {
    const fh = await fsp.open(file, 'r');
    try {
      const buf = Buffer.alloc(65536);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const head = buf.subarray(0, bytesRead).toString('utf8');
      delimiter = guessDelimiter(head.split('\n', 1)[0]);
    } finally {
      await fh.close();
    }
  }
  const errors: ImportRecord[] = [];
  const guard = new QuoteGuard(delimiter, (line, reason) => errors.push({ line, error: reason }));
  const parser = parse({
    delimiter,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      // not expected with the relax_* options; csv-parse's line count ignores dropped blank lines
      errors.push({ line: Number(err?.lines ?? 0), error: `malformed CSV: ${err?.message ?? 'unreadable line'}` });
      return undefined;
    },
  });
  const input = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  pipeline(input, guard, parser, () => undefined);

  async function* records(): AsyncGenerator<ImportRecord> {
    let last = 0;
    for await (const record of parser as AsyncIterable<string[]>) {
      const first = record[0];
      if (!/^\d+$/.test(first)) {
        // csv-parse split a record where the guard did not (never seen: their quote rules agree)
        yield { line: last + 1, error: 'malformed CSV: unexpected record boundary' };
        continue;
      }
      const line = Number(first);
      while (errors.length && errors[0].line < line) yield errors.shift()!;
      last = line;
      record.shift();
      yield { line, cells: record };
    }
    errors.sort((a, b) => a.line - b.line);
    while (errors.length) yield errors.shift()!;
  }

  return { records: records(), bytesRead: () => guard.bytes, bytesAt: (line) => guard.bytesAt(line), totalBytes: stat.size, delimiter };
}

// ---------------------------------------------------------------- progress and summary

const mib = (n: number) => (n / 1048576).toFixed(1);

export interface ProgressIo {
  /** Where the progress bar goes (default stderr); null: no bar. */
  progressStream?: NodeJS.WritableStream | null;
  /** Summary lines (default: stdout). */
  out?: (line: string) => void;
  /** Non-TTY redraw period in ms (default 2000). */
  redrawMs?: number;
}

/** A bar over the bytes of the file committed so far, showing rows and rows/s. */
function progressBar(source: CsvSource, label: string, io: ProgressIo): { update(rows: number, line: number): void; stop(complete: boolean): void } {
  if (io.progressStream === null) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} |{bar}| {percentage}% | {done}/{size} MiB | {rows} rows | {rate} rows/s | ETA {eta_formatted}`,
      stream: io.progressStream ?? process.stderr,
      noTTYOutput: true,
      notTTYSchedule: io.redrawMs ?? 2000,
      hideCursor: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let rows = 0;
  let bytes = 0;
  const payload = () => ({
    done: mib(bytes),
    size: mib(source.totalBytes),
    rows,
    rate: Math.round(rows / Math.max((Date.now() - started) / 1000, 0.001)),
  });
  bar.start(Math.max(1, source.totalBytes), 0, payload());
  return {
    update(n: number, line: number) {
      rows = n;
      bytes = source.bytesAt(line);
      bar.update(bytes, payload());
    },
    stop(complete: boolean) {
      if (complete) bytes = source.totalBytes;
      bar.update(bytes, payload());
      bar.stop();
    },
  };
}

function skippedLines(skipped: number, rows: SkippedRow[]): string[] {
  const lines = rows.slice(0, SKIPPED_LISTED).map((r) => `    line ${r.line}: ${r.reason}`);
  if (skipped > lines.length) lines.push(`    ... and ${skipped - lines.length} more`);
  return lines;
}

const pad = (n: number) => String(n).padStart(9);

export function contactSummary(file: string, listName: string, r: ContactImportResult): string[] {
  const out = [
    `Imported ${file} into mailing list "${listName}" (#${r.listId}${r.listCreated ? ', created' : ''})`,
    `  rows read          ${pad(r.rows)}`,
    `  imported (new)     ${pad(r.created)}`,
    `  updated (existing) ${pad(r.updated)}   (${r.changed} changed, ${r.repeated} repeating an earlier row of the file)`,
    `  flagged numbers    ${pad(r.flagged)}   (kept as typed, no SMS until corrected)`,
    `  skipped rows       ${pad(r.skipped)}`,
    ...skippedLines(r.skipped, r.skippedRows),
    `  subscriptions      ${pad(r.subscribed)} new, ${r.alreadySubscribed} already subscribed (${r.optedOutKept} opted out, kept opted out)`,
  ];
  if (r.unknownCountries) out.push(`  unknown countries  ${pad(r.unknownCountries)}   (imported without country; lines ${r.unknownCountryLines.join(', ')}${r.unknownCountries > r.unknownCountryLines.length ? ', ...' : ''})`);
  if (r.ignoredColumns.length) out.push(`  ignored columns    ${r.ignoredColumns.join(', ')}`);
  out.push(`  numbers without prefix read as ${r.country ?? '(no country: international numbers only)'}`);
  out.push(`  ${r.seconds.toFixed(1)} s, ${Math.round(r.rows / Math.max(r.seconds, 0.001))} rows/s`);
  return out;
}

export function blacklistSummary(file: string, r: BlacklistImportResult): string[] {
  const out = [
    `Imported ${file} into the phone blacklist`,
    `  rows read            ${pad(r.rows)}`,
    `  added (new)          ${pad(r.added)}`,
    `  reactivated          ${pad(r.reactivated)}`,
    `  already blacklisted  ${pad(r.alreadyBlacklisted)}`,
    `  duplicates in file   ${pad(r.duplicates)}`,
    `  skipped rows         ${pad(r.skipped)}`,
    ...skippedLines(r.skipped, r.skippedRows),
  ];
  if (r.ignoredColumns.length) out.push(`  ignored columns      ${r.ignoredColumns.join(', ')}`);
  out.push(`  numbers without prefix read as ${r.country ?? '(no country: international numbers only)'}`);
  out.push(`  ${r.seconds.toFixed(1)} s, ${Math.round(r.rows / Math.max(r.seconds, 0.001))} rows/s`);
  return out;
}

// ---------------------------------------------------------------- commands

export interface ImportFileOptions {
  country?: string;
  batchSize?: number;
  delimiter?: string;
}

/** `import contacts`: stream `file` into the list, with progress; prints and returns the summary. */
export async function runContactsImport(registry: Registry, file: string, opts: ImportFileOptions & { list: string }, io: ProgressIo = {}): Promise<ContactImportResult> {
  const out = io.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const source = await openCsv(file, { delimiter: opts.delimiter });
  const bar = progressBar(source, 'Importing contacts', io);
  let result: ContactImportResult;
  try {
    result = await importContacts(registry, source.records, {
      list: opts.list,
      country: opts.country,
      batchSize: opts.batchSize,
      onProgress: (s) => bar.update(s.committedRows, s.committedLine),
      onWait: () => (io.progressStream ?? process.stderr).write('Waiting for another contact import to finish...\n'),
    });
  } catch (err) {
    bar.stop(false);
    throw err;
  }
  bar.stop(true);
  for (const l of contactSummary(file, opts.list, result)) out(l);
  return result;
}

/** `import blacklist`: stream `file` into the phone blacklist; prints and returns the summary. */
export async function runBlacklistImport(registry: Registry, file: string, opts: ImportFileOptions, io: ProgressIo = {}): Promise<BlacklistImportResult> {
  const out = io.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const source = await openCsv(file, { delimiter: opts.delimiter });
  const bar = progressBar(source, 'Importing blacklist', io);
  let result: BlacklistImportResult;
  try {
    result = await importBlacklist(registry, source.records, { country: opts.country, batchSize: opts.batchSize, onProgress: (s) => bar.update(s.committedRows, s.committedLine) });
  } catch (err) {
    bar.stop(false);
    throw err;
  }
  bar.stop(true);
  for (const l of blacklistSummary(file, result)) out(l);
  return result;
}

async function withRegistry<T>(fn: (registry: Registry) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Quiet unless LOG_LEVEL asks for more: the terminal shows the progress bar.
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn');
  const runtime = await openRuntime(config, logger, { poolSize: 4, attach: true });
  try {
    return await fn(runtime.registry);
  } finally {
    await runtime.close();
  }
}

interface CommonCliOptions {
  country?: string;
  batch: string;
  delimiter?: string;
  progress: boolean;
}

// The options of both import commands, compiled once; text values are converted (--batch).
const validImportOptions = ajvCoercing.compile({
  type: 'object',
  properties: {
    batch: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    delimiter: { type: 'string', anyOf: [{ minLength: 1, maxLength: 1 }, { pattern: '^(?:\\\\t|[Tt][Aa][Bb])$' }] },
    country: { type: 'string', minLength: 1 },
    list: { type: 'string', minLength: 1 },
    progress: { type: 'boolean' },
  },
  required: ['batch'],
});

const OPTION_RULES: Record<string, string> = {
  batch: '--batch must be a number of rows between 1 and 1000000',
  delimiter: '--delimiter must be one character',
  country: '--country must name a country (ISO code or name)',
  list: '--list must name a mailing list',
};

/** The command's options checked and converted, or a UserError saying which one is wrong. */
export function importOptions<T extends CommonCliOptions>(opts: T): Omit<T, 'batch'> & { batchSize: number } {
  const { batch, ...rest } = opts;
  const checked: Record<string, unknown> = { ...rest, batch };
  if (!validImportOptions(checked)) {
    const name = errorProperty(firstError(validImportOptions)!);
    throw new UserError(`${OPTION_RULES[name] ?? `--${name} is invalid`} (got ${JSON.stringify((opts as unknown as Record<string, unknown>)[name])})`);
  }
  return { ...(rest as Omit<T, 'batch'>), batchSize: checked.batch as number };
}

export function registerImportCommands(program: Command): void {
  const imp = program.command('import').description('bulk imports from CSV files (streamed, idempotent)');
  imp
    .command('contacts')
    .description('import contacts (name, mobile, email, country, first_name, last_name, company_name, tags) into a mailing list')
    .argument('<file>', 'CSV file, UTF-8, header on the first line')
    .requiredOption('--list <name>', 'mailing list to subscribe the contacts to (created when missing)')
    .option('--country <code>', 'country of rows without one (ISO code or name); numbers without prefix are read in it')
    .option('--batch <rows>', 'rows per transaction', '10000')
    .option('--delimiter <char>', 'field separator (default: guessed from the header)')
    .option('--no-progress', 'no progress bar')
    .action(async (file: string, opts: CommonCliOptions & { list: string }) => {
      const o = importOptions(opts);
      await withRegistry((registry) => runContactsImport(registry, file, { list: o.list, country: o.country, batchSize: o.batchSize, delimiter: o.delimiter }, {
        progressStream: o.progress ? process.stderr : null,
      }));
    });
  imp
    .command('blacklist')
    .description('import phone numbers (column number, optional reason) into the phone blacklist')
    .argument('<file>', 'CSV file, UTF-8, header on the first line')
    .option('--country <code>', 'country of numbers without international prefix (ISO code or name)')
    .option('--batch <rows>', 'rows per transaction', '10000')
    .option('--delimiter <char>', 'field separator (default: guessed from the header)')
    .option('--no-progress', 'no progress bar')
    .action(async (file: string, opts: CommonCliOptions) => {
      const o = importOptions(opts);
      await withRegistry((registry) => runBlacklistImport(registry, file, { country: o.country, batchSize: o.batchSize, delimiter: o.delimiter }, {
        progressStream: o.progress ? process.stderr : null,
      }));
    });
}
