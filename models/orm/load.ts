// `load(fields, data)`: Odoo's import API (BaseModel.load, _extract_records, _convert_records,
// _load_records in odoo/orm/models.py; value conversion as ir.fields.converter does it).
//
// Columns are field paths: `name`, `id` (external id, `module.name` or a bare name that becomes
// `__import__.name`), `.id` (database id), `country_id` (by name: name_search with `=`),
// `country_id/id` (external id), `country_id/.id` (database id), `tag_ids` / `tag_ids/id`
// (comma-separated), `child_ids/name` (one2many sub-records, continued on following rows).
// Everything runs inside a savepoint: if any row has an error-type message, nothing is imported
// and `ids` is false. Records are created in batches (one `create` per batch); a failing batch
// is retried record by record, each in its own savepoint, to name the failing rows.

import type { RecordSet, Vals } from './records.ts';
import type { Field } from './fields.ts';
import type { Model } from './model.ts';
import type { Env } from './env.ts';
import { sql, ident } from './sql.ts';
import { OdooError, UserError, ValidationError } from './exceptions.ts';
import { zonedToUtc } from './tz.ts';

export interface LoadMessage {
  rows?: { from: number; to: number };
  type: 'error' | 'warning';
  record?: number;
  field?: string;
  message: string;
  moreinfo?: unknown;
  field_name?: string;
}

export interface LoadResult {
  ids: number[] | false;
  messages: LoadMessage[];
  nextrow: number;
}

type RawRecord = Map<string | null, unknown>;
interface Info {
  rows: { from: number; to: number };
  record?: number;
}
interface BatchItem {
  xid: string | false;
  values: Vals;
  info: Info;
}

const REFERENCING = new Set<string | null>([null, 'id', '.id']);

/** A conversion problem (Python's ValueError / ImportWarning raised by ir.fields.converter). */
class ImportIssue extends Error {
  constructor(
    /** Message with `%(field)s` still to fill (other `%` doubled). */
    readonly template: string,
    /** Extra keys merged into the message dict (`moreinfo`...); undefined when Odoo gives none. */
    readonly info?: Record<string, unknown>,
    readonly warning = false,
  ) {
    super(template);
  }
}

/** Python's `%` with a dict: `%(name)s` and `%%`. */
function pyFormat(template: string, values: Record<string, unknown>): string {
  return template.replace(/%\((\w+)\)s|%%/g, (m, name: string | undefined) => (name === undefined ? '%' : String(values[name] ?? '')));
}
const esc = (v: unknown) => String(v).replace(/%/g, '%%');

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '' || v === 0) return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** 'country_id/id' → ['country_id', 'id']; 'x:id' and 'x.id' are legacy spellings. */
function fixPath(path: string): string[] {
  const dbId = path.replace(/([^/])\.id/g, '$1/.id');
  return dbId.replace(/([^/]):id/g, '$1/id').split('/');
}

function pyClassName(e: unknown): string {
  if (e instanceof OdooError) return e.odooName.split('.').pop()!;
  return (e as Error)?.constructor?.name ?? 'Exception';
}

let savepointSeq = 0;
async function withSavepoint<T>(env: Env, fn: () => Promise<T>): Promise<T> {
  const name = `load_sp_${++savepointSeq}`;
  await env.cr.execute(`SAVEPOINT ${name}`);
  try {
    const out = await fn();
    await env.cr.execute(`RELEASE SAVEPOINT ${name}`);
    return out;
  } catch (e) {
    await env.cr.execute(`ROLLBACK TO SAVEPOINT ${name}`);
    await env.cr.execute(`RELEASE SAVEPOINT ${name}`);
    throw e;
  }
}

class Loader {
  readonly messages: LoadMessage[] = [];
  readonly ids: number[] = [];
  private readonly batch: BatchItem[] = [];
  private readonly batchXmlIds = new Set<string>();
  /** Models this import may create records of (name lookups on them flush the batch first). */
  readonly creatable = new Set<string>();
  private readonly nameCache = new Map<string, [number, string][]>();
  private inputTz?: string;
  readonly module: string;
  readonly noupdate: boolean;
  readonly update: boolean;

  constructor(readonly self: RecordSet) {
    const ctx = self.env.context;
    this.module = (ctx.module as string) || '__import__';
    this.noupdate = !!ctx.noupdate;
    this.update = ctx.mode === 'update';
    this.creatable.add(self.model.name);
  }

  get env(): Env {
    return this.self.env;
  }

  // ------------------------------------------------------------ extraction

  /** Group rows into records (one2many continuation rows attach to the record above). */
  extract(model: Model, paths: (string | null)[][], data: unknown[][]): { record: RawRecord; info: Info }[] {
    const fields = model.fields;
    for (const [fname] of paths) {
      if (!fname || fname === '.id') continue;
      if (!fname.includes('.') && !fields.has(fname)) throw new OdooErrorValue(`Invalid field name '${fname}'`);
    }
    const isRelational = (f: string | null) => !!f && !!fields.get(f)?.isRelational;
    const o2m = paths.map((p, i) => [p, i] as const).filter(([p]) => !!p[0] && fields.get(p[0])?.type === 'one2many').map(([, i]) => i);
    const other = paths.map((p, i) => [p, i] as const).filter(([p]) => !(p[0] && fields.get(p[0])?.type === 'one2many')).map(([, i]) => i);
    const onlyO2m = (row: unknown[]) => o2m.some((i) => truthy(row[i])) && !other.some((i) => truthy(row[i]));
    const out: { record: RawRecord; info: Info }[] = [];
    let index = 0;
    while (index < data.length) {
      const row = Array.isArray(data[index]) ? data[index] : [];
      const record: RawRecord = new Map();
      paths.forEach((p, i) => {
        if (i < row.length && !isRelational(p[0])) record.set(p[0], row[i]);
      });
      const span = [row];
      for (let j = index + 1; j < data.length && Array.isArray(data[j]) && onlyO2m(data[j]); j++) span.push(data[j]);
      const done = new Set<string>();
      for (const [relfield] of paths) {
        if (!relfield || !isRelational(relfield) || done.has(relfield)) continue;
        done.add(relfield);
        const comodel = this.env.registry.get(fields.get(relfield)!.comodel!);
        const indices: number[] = [];
        const subpaths: (string | null)[][] = [];
        paths.forEach((p, i) => {
          if (p[0] !== relfield) return;
          indices.push(i);
          subpaths.push(p.length > 1 ? p.slice(1) : [null]);
        });
        const relData = span.map((r) => indices.map((i) => r[i])).filter((cells) => cells.some(truthy));
        record.set(relfield, this.extract(comodel, subpaths, relData).map((x) => x.record));
      }
      out.push({ record, info: { rows: { from: index, to: index + span.length - 1 } } });
      index += span.length;
    }
    return out;
  }

  // ------------------------------------------------------------ conversion

  private async tz(): Promise<string> {
    if (this.inputTz !== undefined) return this.inputTz;
    let tz = (this.env.context.tz as string) || '';
    if (!tz && this.env.registry.has('res.users') && this.env.registry.get('res.users').fields.has('tz')) {
      const rows = await this.env.model('res.users').sudo().browse([this.env.uid]).fetch(['tz']);
      tz = (rows[0]?.tz as string) || '';
    }
    try {
      if (tz) new Intl.DateTimeFormat('en-US', { timeZone: tz });
    } catch {
      tz = '';
    }
    this.inputTz = tz || 'UTC';
    return this.inputTz;
  }

  /** Convert a raw record of `model` to create/write values; problems go to `log`. */
  async convert(model: Model, record: RawRecord, log: (field: string, issue: ImportIssue) => void): Promise<Vals> {
    const converted: Vals = {};
    for (const [field, value] of record) {
      if (REFERENCING.has(field)) continue;
      const f = model.fields.get(field!);
      if (!f) continue;
      if (!truthy(value)) {
        converted[field!] = false;
        continue;
      }
      try {
        const [v, warnings] = await this.convertField(model, f, value);
        converted[field!] = v;
        for (const w of warnings) log(field!, w);
      } catch (e) {
        if (e instanceof ImportIssue) log(field!, e);
        else if (e instanceof OdooErrorValue || (e instanceof OdooError && e.odooName === 'builtins.ValueError')) log(field!, new ImportIssue(esc((e as Error).message)));
        else throw e;
      }
    }
    return converted;
  }

  private async convertField(model: Model, f: Field, value: unknown): Promise<[unknown, ImportIssue[]]> {
    const text = typeof value === 'string' ? value : Array.isArray(value) ? '' : String(value);
    switch (f.type) {
      case 'boolean': {
        const v = text.toLowerCase();
        if (['1', 'true', 'yes'].includes(v)) return [true, []];
        if (['', '0', 'false', 'no'].includes(v)) return [false, []];
        return [true, [new ImportIssue(`Unknown value '${esc(text)}' for boolean field '%(field)s'`, { moreinfo: "Use '1' for yes and '0' for no" }, true)]];
      }
      case 'integer': case 'many2one_reference': {
        if (typeof value === 'number' && Number.isInteger(value)) return [value, []];
        if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new ImportIssue(`'${esc(text)}' does not seem to be an integer for field '%(field)s'`);
        return [parseInt(text, 10), []];
      }
      case 'float': case 'monetary': {
        if (typeof value === 'number') return [value, []];
        const n = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text) ? Number(text) : /^\s*[+-]?(inf|infinity|nan)\s*$/i.test(text) ? NaN : NaN;
        if (Number.isNaN(n)) throw new ImportIssue(`'${esc(text)}' does not seem to be a number for field '%(field)s'`);
        return [n, []];
      }
      case 'date': {
        const d = text.slice(0, 10);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || !validDate(d)) {
          throw new ImportIssue(`'${esc(text)}' does not seem to be a valid date for field '%(field)s'`, { moreinfo: "Use the format '2012-12-31'" });
        }
        return [d, []];
      }
      case 'datetime': {
        const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$/.exec(text.trim());
        if (!m || !validDate(`${m[1]}-${m[2]}-${m[3]}`)) {
          throw new ImportIssue(`'${esc(text)}' does not seem to be a valid datetime for field '%(field)s'`, { moreinfo: "Use the format '2012-12-31 23:59:59'" });
        }
        // Naive values are in the user's time zone (context tz, then the user's), stored in UTC.
        const utc = zonedToUtc(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), await this.tz());
        return [utc.toISOString().slice(0, 19).replace('T', ' '), []];
      }
      case 'selection': {
        const v = text.toLowerCase();
        for (const [key, label] of f.spec.selection ?? []) {
          if (v === String(key).toLowerCase() || v === String(label).toLowerCase()) return [key, []];
        }
        throw new ImportIssue(`Value '${esc(text)}' not found in selection field '%(field)s'`, {
          moreinfo: (f.spec.selection ?? []).map(([k, l]) => l || String(k)),
        });
      }
      case 'many2one': {
        const records = value as RawRecord[];
        if (records.length !== 1) throw new ImportIssue(`too many values to unpack (expected 1)`);
        const subfield = referencingSubfield(records[0]);
        const [id, , warnings] = await this.dbIdFor(f, subfield, records[0].get(subfield));
        return [id, warnings];
      }
      case 'many2many': {
        const records = value as RawRecord[];
        if (records.length !== 1) throw new ImportIssue(`too many values to unpack (expected 1)`);
        const subfield = referencingSubfield(records[0]);
        const ids: (number | false)[] = [];
        const warnings: ImportIssue[] = [];
        for (const reference of String(records[0].get(subfield) ?? '').split(',')) {
          const [id, , ws] = await this.dbIdFor(f, subfield, reference);
          ids.push(id);
          warnings.push(...ws);
        }
        if (this.env.context.update_many2many) return [ids.map((id) => [4, id]), warnings];
        return [[[6, 0, ids.filter((id) => id !== false)]], warnings];
      }
      case 'one2many':
        return this.toOne2many(f, value as RawRecord[]);
      default:
        // char, text, html, binary, reference, json: the value as given.
        return [value, []];
    }
  }

  private async toOne2many(f: Field, records: RawRecord[]): Promise<[unknown, ImportIssue[]]> {
    const comodel = this.env.registry.get(f.comodel!);
    const commands: unknown[] = [];
    const warnings: ImportIssue[] = [];
    let list = records;
    if (records.length === 1 && [...records[0].keys()].every((k) => REFERENCING.has(k))) {
      // One cell of comma-separated references, as for many2many.
      const subfield = referencingSubfield(records[0]);
      list = String(records[0].get(subfield) ?? '').split(',').map((item) => new Map([[subfield, item]]));
    }
    const log = (sub: string, issue: ImportIssue) => {
      if (issue.warning) {
        warnings.push(issue);
        return;
      }
      const label = comodel.fields.get(sub)?.string ?? sub;
      throw new ImportIssue(issue.template.replace(/%\(field\)s/g, `%(field)s/${esc(label)}`), issue.info, false);
    };
    for (const record of list) {
      const refs = new Map([...record].filter(([k]) => REFERENCING.has(k)));
      const plain = new Map([...record].filter(([k]) => !REFERENCING.has(k)));
      const writable = await this.convert(comodel, plain, log);
      let id: number | false = false;
      if (refs.size) {
        const subfield = referencingSubfield(refs);
        try {
          const [found, , ws] = await this.dbIdFor(f, subfield, record.get(subfield));
          id = found;
          warnings.push(...ws);
        } catch (e) {
          if (subfield !== 'id') throw e;
        }
      }
      if (id) commands.push([4, id], [1, id, writable]);
      else commands.push([0, 0, writable]);
    }
    return [commands, warnings];
  }

  /** Database id of a reference by name, external id or database id (ir.fields.converter.db_id_for). */
  async dbIdFor(f: Field, subfield: string | null, value: unknown): Promise<[number | false, string, ImportIssue[]]> {
    const comodel = this.env.registry.get(f.comodel!);
    const warnings: ImportIssue[] = [];
    const text = value === null || value === undefined || value === false ? '' : String(value);
    const falsyWord = ['', '0', 'false', 'no'].includes(text.toLowerCase());
    const action: Record<string, unknown> = {
      name: 'Possible Values',
      type: 'ir.actions.act_window',
      target: 'new',
      view_mode: 'list,form',
      views: [[false, 'list'], [false, 'form']],
      context: { create: false },
      help: 'See all possible values',
    };
    let id: number | undefined;
    let fieldType: string;
    if (subfield === '.id') {
      fieldType = 'database id';
      if (falsyWord) return [false, fieldType, warnings];
      if (!/^\s*[+-]?\d+\s*$/.test(text)) {
        throw new ImportIssue(`Invalid database id '${esc(text)}' for the field '%(field)s'`, { moreinfo: { ...action, res_model: 'ir.model.data', domain: [['model', '=', comodel.name]] } });
      }
      const tentative = parseInt(text, 10);
      const found = await this.env.model(comodel.name).search([['id', '=', tentative]]);
      if (found.length) id = tentative;
      action.res_model = 'ir.model.data';
      action.domain = [['model', '=', comodel.name]];
    } else if (subfield === 'id') {
      fieldType = 'external id';
      if (falsyWord) return [false, fieldType, warnings];
      const xmlid = text.includes('.') ? text : `${this.module}.${text}`;
      await this.flush({ xmlId: xmlid });
      id = await this.xmlidToRecordId(xmlid, comodel);
      action.res_model = 'ir.model.data';
      action.domain = [['model', '=', comodel.name]];
    } else if (subfield === null) {
      fieldType = 'name';
      if (text === '') return [false, fieldType, warnings];
      await this.flush({ model: comodel.name });
      // The same name in many rows (a country...) is looked up once, unless this import may
      // create records of that model meanwhile.
      const key = `${comodel.name}\u0000${text}`;
      let found = this.creatable.has(comodel.name) ? undefined : this.nameCache.get(key);
      if (!found) {
        found = (await this.env.model(comodel.name).call('name_search', text, null, '=', 100)) as [number, string][];
        if (!this.creatable.has(comodel.name)) this.nameCache.set(key, found);
      }
      if (found.length) {
        if (found.length > 1) warnings.push(new ImportIssue(`Found multiple matches for value '${esc(text)}' in field '%(field)s' (${found.length} matches)`, undefined, true));
        id = found[0][0];
      }
      action.res_model = comodel.name;
    } else {
      throw new Error(`Unknown sub-field '${subfield}'`);
    }
    if (id === undefined) {
      throw new ImportIssue(`No matching record found for ${fieldType} '${esc(text)}' in field '%(field)s'`, { moreinfo: action });
    }
    return [id, fieldType, warnings];
  }

  private async xmlidToRecordId(xmlid: string, comodel: Model): Promise<number | undefined> {
    if (!this.env.registry.has('ir.model.data')) return undefined;
    const dot = xmlid.indexOf('.');
    const rows = await this.env.cr.query<{ model: string; res_id: number }>(
      sql`SELECT d.model, d.res_id FROM ir_model_data d JOIN ${ident(comodel.table)} r ON d.res_id = r.id WHERE d.module = ${xmlid.slice(0, dot)} AND d.name = ${xmlid.slice(dot + 1)}`,
    );
    if (!rows.length) return undefined;
    if (rows[0].model !== comodel.name) {
      throw new ImportIssue(esc(`Invalid external ID ${xmlid}: expected model '${comodel.name}', found '${rows[0].model}'`));
    }
    return rows[0].res_id;
  }

  // ------------------------------------------------------------ saving

  push(item: BatchItem): void {
    if (item.xid) this.batchXmlIds.add(item.xid);
    this.batch.push(item);
  }

  /** Create/update the pending batch (before resolving a reference that may point into it). */
  async flush(opts: { xmlId?: string; model?: string } = {}): Promise<void> {
    if (!this.batch.length) return;
    if (opts.xmlId && !this.batchXmlIds.has(opts.xmlId)) return;
    if (opts.model && !this.creatable.has(opts.model)) return;
    const dataList = this.batch.splice(0);
    this.batchXmlIds.clear();
    let globalError: LoadMessage | undefined;
    try {
      const ids = await withSavepoint(this.env, () => this.loadRecords(dataList));
      this.ids.push(...ids);
      return;
    } catch (e) {
      if (e instanceof UserError) globalError = { ...dataList[0].info, type: 'error', message: e.message };
    }
    // Again, record by record, to tell which rows fail.
    let errors = 0;
    for (let i = 1; i <= dataList.length; i++) {
      const data = dataList[i - 1];
      try {
        const ids = await withSavepoint(this.env, () => this.loadRecords([data]));
        this.ids.push(...ids);
      } catch (e) {
        errors++;
        this.messages.push(await this.errorMessage(data.info, e));
      }
      if (errors >= 10 && errors >= i / 10) {
        this.messages.push({ type: 'warning', message: 'Found more than 10 errors and more than one error per 10 records, interrupted to avoid showing too many errors.' });
        break;
      }
    }
    if (errors > 0 && globalError && !this.messages.some((m) => m.message === globalError!.message && m.record === globalError!.record)) {
      this.messages.unshift(globalError);
    }
  }

  private async errorMessage(info: Info, e: unknown): Promise<LoadMessage> {
    const pg = e as { code?: string; table?: string; column?: string; constraint?: string; message?: string };
    const model = this.self.model;
    if (!(e instanceof OdooError) && typeof pg?.code === 'string') {
      if (pg.code === '23502') {
        if (pg.table !== model.table) {
          return { ...info, type: 'error', message: `Missing required value for the field '${pg.column}' on a linked model [${pg.table}]` };
        }
        const label = model.fields.get(pg.column ?? '')?.string ?? pg.column;
        return { ...info, type: 'error', message: `Missing required value for the field '${label}' (${pg.column})`, field: pg.column };
      }
      if (pg.code === '23505') {
        const rows = await this.env.cr.query<{ t: string; cols: string[] }>(
          sql`SELECT t.relname AS t, ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = conrelid AND attnum = ANY(conkey)) AS cols FROM pg_constraint JOIN pg_class t ON t.oid = conrelid WHERE conname = ${pg.constraint ?? ''}`,
        );
        const cols = rows[0]?.cols ?? [];
        if (!cols.length || rows[0].t !== model.table) return { ...info, type: 'error', message: pg.message ?? String(e) };
        if (cols.length === 1) {
          const label = model.fields.get(cols[0])?.string ?? cols[0];
          return { ...info, type: 'error', message: `The value for the field '${cols[0]}' already exists (this is probably '${label}' in the current model).`, field: cols[0] };
        }
        const labels = cols.map((c) => model.fields.get(c)?.string ?? c);
        return { ...info, type: 'error', message: `The values for the fields '${formatList(cols)}' already exist (they are probably '${formatList(labels)}' in the current model).` };
      }
      if (pg.code === '23514') {
        const declared = model.sqlConstraints.find(([name]) => `${model.table}_${name}` === pg.constraint);
        return { ...info, type: 'error', message: declared ? `'${declared[2]}'` : pg.message ?? String(e) };
      }
      return { ...info, type: 'error', message: pg.message ?? String(e) };
    }
    if (e instanceof UserError) return { ...info, type: 'error', message: e.message };
    return {
      ...info,
      type: 'error',
      message: `Unknown error during import: <class '${pyClassName(e)}'>: ${(e as Error)?.message ?? String(e)}`,
      moreinfo: 'Resolve other errors first',
    };
  }

  /** Create or update records (by external id or database id); register new external ids. */
  private async loadRecords(dataList: BatchItem[]): Promise<number[]> {
    const model = this.self.model;
    const recs = this.self.browse([]);
    const existing = await this.lookupXmlids(dataList.map((d) => d.xid).filter(Boolean) as string[]);
    const toCreate: { item: BatchItem; index: number }[] = [];
    const toUpdate: { item: BatchItem; id: number }[] = [];
    const result: number[] = new Array(dataList.length);
    const imd: { xml_id: string; model: string; res_id: number; noupdate: boolean }[] = [];
    const idsToDrop: number[] = [];
    dataList.forEach((item, index) => {
      if (!item.xid) {
        const dbid = item.values.id;
        if (dbid) {
          result[index] = Number(dbid);
          toUpdate.push({ item, id: Number(dbid) });
        } else if (!this.update) toCreate.push({ item, index });
        return;
      }
      const row = existing.get(item.xid);
      if (!row) {
        toCreate.push({ item, index });
        return;
      }
      if (row.model !== model.name) {
        throw new ValidationError(`For external id ${item.xid} when trying to create/update a record of model ${model.name} found record of different model ${row.model} (${row.res_id})`);
      }
      if (row.r_id) {
        result[index] = row.res_id;
        imd.push({ xml_id: item.xid, model: model.name, res_id: row.res_id, noupdate: this.noupdate });
        if (!(this.update && row.noupdate)) toUpdate.push({ item, id: row.res_id });
      } else {
        idsToDrop.push(row.d_id);
        toCreate.push({ item, index });
      }
    });
    if (idsToDrop.length) await this.env.cr.execute(sql`DELETE FROM ir_model_data WHERE id = ANY(${idsToDrop}::int4[])`);
    for (const { item, id } of toUpdate) {
      const vals = { ...item.values };
      delete vals.id;
      await recs.browse([id]).write(vals);
    }
    if (toCreate.length) {
      const created = await recs.create(toCreate.map(({ item }) => {
        const vals = { ...item.values };
        delete vals.id;
        return vals;
      }));
      toCreate.forEach(({ item, index }, i) => {
        result[index] = created.ids[i];
        if (item.xid) imd.push({ xml_id: item.xid, model: model.name, res_id: created.ids[i], noupdate: this.noupdate });
      });
    }
    if (imd.length) {
      if (!this.env.registry.has('ir.model.data')) throw new UserError('External ids need the ir.model.data model');
      await this.env.model('ir.model.data').sudo().call('_update_xmlids', imd, this.update);
    }
    return result;
  }

  private async lookupXmlids(xmlids: string[]): Promise<Map<string, { d_id: number; model: string; res_id: number; noupdate: boolean; r_id: number | null }>> {
    const out = new Map<string, { d_id: number; model: string; res_id: number; noupdate: boolean; r_id: number | null }>();
    if (!xmlids.length || !this.env.registry.has('ir.model.data')) return out;
    const modules = xmlids.map((x) => x.slice(0, x.indexOf('.')));
    const names = xmlids.map((x) => x.slice(x.indexOf('.') + 1));
    const rows = await this.env.cr.query<{ d_id: number; module: string; name: string; model: string; res_id: number; noupdate: boolean; r_id: number | null }>(sql`
      SELECT d.id AS d_id, d.module, d.name, d.model, d.res_id, d.noupdate, r.id AS r_id
      FROM ir_model_data d JOIN unnest(${modules}::varchar[], ${names}::varchar[]) AS k(m, n) ON d.module = k.m AND d.name = k.n
      LEFT JOIN ${ident(this.self.model.table)} r ON d.res_id = r.id`);
    for (const r of rows) out.set(`${r.module}.${r.name}`, r);
    return out;
  }
}

/** A Python ValueError raised by the extraction (propagates out of `load`, as in Odoo). */
class OdooErrorValue extends OdooError {
  override odooName = 'builtins.ValueError';
}

function referencingSubfield(record: RawRecord): string | null {
  const keys = [...record.keys()];
  if (keys.some((k) => !REFERENCING.has(k))) throw new ImportIssue('Can not create Many-To-One records indirectly, import the field separately');
  if (keys.length > 1) throw new ImportIssue("Ambiguous specification for field '%(field)s', only provide one of name, external id or database id");
  return keys[0] ?? null;
}

function formatList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]}`;
}

function validDate(d: string): boolean {
  const t = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
}

/** BaseModel.load(fields, data) → {ids: [...] | false, messages: [...], nextrow: 0}. */
export async function load(self: RecordSet, fields: unknown, data: unknown): Promise<LoadResult> {
  if (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string')) throw new OdooErrorValue('load() fields must be a list of field names');
  if (!Array.isArray(data)) throw new OdooErrorValue('load() data must be a list of rows');
  const loader = new Loader(self);
  const env = self.env;
  const paths = (fields as string[]).map(fixPath).map((p) => p.map((x) => x as string | null));
  // Models whose records this import may create (so name lookups must flush pending rows first).
  for (const path of paths) {
    let model = self.model;
    for (const name of path) {
      if (name === null || name === 'id' || name === '.id') break;
      const f = model.fields.get(name);
      if (f?.type === 'one2many') {
        model = env.registry.get(f.comodel!);
        loader.creatable.add(model.name);
      } else break;
    }
  }
  const rows = (data as unknown[]).map((r) => (Array.isArray(r) ? r : []));
  const extracted = loader.extract(self.model, paths, rows);
  const name = `load_${++savepointSeq}`;
  await env.cr.execute(`SAVEPOINT ${name}`);
  let failed = false;
  try {
    for (let index = 0; index < extracted.length; index++) {
      const { record, info } = extracted[index];
      const base: Info = { rows: info.rows };
      const xid = record.get('id');
      let dbid: number | false = false;
      const rawDbid = record.get('.id');
      if (truthy(rawDbid)) {
        const n = Number(rawDbid);
        dbid = Number.isInteger(n) ? n : false;
        const exists = dbid !== false && (await self.search([['id', '=', dbid]])).length > 0;
        if (!exists) {
          loader.messages.push({ ...base, type: 'error', record: index, field: '.id', message: `Unknown database identifier '${String(rawDbid)}'` });
          dbid = false;
        }
      }
      const converted = await loader.convert(self.model, record, (field, issue) => {
        const label = self.model.fields.get(field)?.string ?? field;
        const msg: LoadMessage = {
          ...base,
          type: issue.warning ? 'warning' : 'error',
          record: index,
          field,
          message: pyFormat(issue.template, { ...base, record: index, field: label }),
        };
        if (issue.info) Object.assign(msg, issue.info, { field_name: label });
        loader.messages.push(msg);
      });
      let xidText: string | false = truthy(xid) ? String(xid) : false;
      if (xidText) xidText = xidText.includes('.') ? xidText : `${loader.module}.${xidText}`;
      else if (dbid) converted.id = dbid;
      loader.push({ xid: xidText, values: converted, info: { ...base, record: index } });
    }
    await loader.flush();
  } catch (e) {
    failed = true;
    await env.cr.execute(`ROLLBACK TO SAVEPOINT ${name}`);
    await env.cr.execute(`RELEASE SAVEPOINT ${name}`);
    throw e;
  } finally {
    if (!failed) {
      if (loader.messages.some((m) => m.type === 'error')) await env.cr.execute(`ROLLBACK TO SAVEPOINT ${name}`);
      await env.cr.execute(`RELEASE SAVEPOINT ${name}`);
    }
  }
  const hasError = loader.messages.some((m) => m.type === 'error');
  return { ids: hasError ? false : loader.ids, messages: loader.messages, nextrow: 0 };
}
