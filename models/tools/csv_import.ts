// The CSV import pipeline shared by the bulk imports (contacts: models/mass_mailing/import_contacts.ts,
// phone blacklist: models/phone_validation/import_blacklist.ts): records with line numbers, header
// mapping, skipped-row log, staging by COPY, batches overlapped with reading, the --country option.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import type { Cursor, Env } from '../orm/env.ts';
import { sql, ident, join } from '../orm/sql.ts';
import { UserError } from '../orm/exceptions.ts';

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
