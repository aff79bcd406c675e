// XML-RPC codec for /xmlrpc and /xmlrpc/2: parses <methodCall> like Python's
// xmlrpc.client.loads(data, use_datetime=True) and marshals results like Odoo's OdooMarshaller
// (allow_none=False). Pure: no I/O; the route turns thrown errors into faults via rpc/errors.ts.

import { createRequire } from 'node:module';
import { isUtf8 } from 'node:buffer';
import { OdooError } from '../models/orm/exceptions.ts';

// sax has no bundled typings: describe the small surface we use.
interface SaxTag { name: string }
interface SaxParser {
  line: number;
  column: number;
  state: number;
  sawRoot: boolean;
  closedRoot: boolean;
  onerror: (err: Error) => void;
  ontext: (text: string) => void;
  oncdata: (text: string) => void;
  onopentag: (tag: SaxTag) => void;
  onclosetag: (name: string) => void;
  ondoctype: (doctype: string) => void;
  write(chunk: string): SaxParser;
  close(): SaxParser;
}
interface SaxModule {
  parser(strict: boolean, opt: Record<string, unknown>): SaxParser;
  STATE: Record<string, number>;
}
const sax = createRequire(import.meta.url)('sax') as SaxModule;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** Unparseable request body; `odooName` is the Python exception Odoo would raise (fault 1). */
export class XmlRpcParseError extends OdooError {
  line: number | null;
  column: number | null;
  constructor(pyName: string, message: string, line: number | null = null, column: number | null = null) {
    super(message);
    this.odooName = pyName;
    this.line = line;
    this.column = column;
  }
}

/** The result cannot travel over XML-RPC (None, int overflow, ...): fault 1 like Odoo. */
export class XmlRpcMarshalError extends OdooError {
  constructor(pyName: 'builtins.TypeError' | 'builtins.OverflowError', message: string) {
    super(message);
    this.odooName = pyName;
  }
}

/** Forces `<double>` for an integral JS number that is a float in Odoo terms (e.g. 3.0). */
export class XmlRpcDouble {
  constructor(readonly value: number) {}
}

function expatError(message: string, line: number, column: number): XmlRpcParseError {
  return new XmlRpcParseError('xml.parsers.expat.ExpatError', `${message}: line ${line}, column ${column}`, line, column);
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

export interface MethodCall {
  methodName: string;
  params: unknown[];
}

// A struct member name on the value stack (Python pushes names as plain strings).
class MemberName {
  constructor(readonly name: string) {}
}

const SCALAR_TAGS = new Set([
  'nil', 'boolean', 'int', 'i1', 'i2', 'i4', 'i8', 'biginteger', 'double', 'float', 'bigdecimal',
  'string', 'base64', 'dateTime.iso8601',
]);
const DTD_RE = /<!(?:DOCTYPE|ENTITY)/i;
const XML_ILLEGAL_RE = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const INT_RE = /^\s*[+-]?\d+\s*$/;
const DOUBLE_RE = /^\s*[+-]?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|inf|infinity|nan)\s*$/i;
// 20240131T10:00:00 (Python's own format) plus the ISO variants other clients send.
const DATETIME_RE = /^\s*(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:[.,]\d+)?(Z|[+-]\d{2}:?\d{2})?\s*$/;

const LATIN1_ENCODINGS = new Set(['iso-8859-1', 'latin-1', 'latin1', 'us-ascii', 'ascii']);

function decodeBody(body: string | Buffer): string {
  if (typeof body === 'string') return body;
  const enc = body[0] === 0x3c && body[1] === 0x3f
    ? /^<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']/.exec(body.subarray(0, 100).toString('latin1'))?.[1]?.toLowerCase()
    : undefined;
  if (enc !== undefined && LATIN1_ENCODINGS.has(enc)) return body.toString('latin1');
  // UTF-8 checked natively; a body starting with a BOM goes through TextDecoder, which drops it
  if (body[0] !== 0xef && isUtf8(body)) return body.toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    // expat refuses bytes that are not valid in the declared encoding
    const lossy = body.toString('utf8');
    const pos = positionOf(lossy, lossy.indexOf('\uFFFD'));
    throw expatError('not well-formed (invalid token)', pos.line, pos.column);
  }
}

// expat positions: 1-based line, 0-based column; index -1 = end of text.
function positionOf(text: string, index: number): { line: number; column: number } {
  const end = index < 0 ? text.length : index;
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart };
}

function parseInteger(text: string): number {
  if (!INT_RE.test(text)) {
    throw new XmlRpcParseError('builtins.ValueError', `invalid literal for int() with base 10: ${pyStrRepr(text)}`);
  }
  return Number(text.trim());
}

function parseDouble(text: string): number {
  if (!DOUBLE_RE.test(text)) {
    throw new XmlRpcParseError('builtins.ValueError', `could not convert string to float: ${pyStrRepr(text)}`);
  }
  const t = text.trim().toLowerCase();
  if (t.endsWith('nan')) return NaN;
  if (t.endsWith('inf') || t.endsWith('infinity')) return t.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

// Odoo datetimes are naive UTC strings; an explicit zone is converted to UTC.
function parseDateTime(text: string): string {
  const m = DATETIME_RE.exec(text);
  if (!m) {
    throw new XmlRpcParseError('builtins.ValueError', `time data ${pyStrRepr(text)} does not match format '%Y%m%dT%H:%M:%S'`);
  }
  const [, y, mo, d, h, mi, s, zone] = m;
  let ms = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!);
  const check = new Date(ms);
  if (check.getUTCMonth() !== +mo! - 1 || check.getUTCDate() !== +d! || +h! > 23 || +mi! > 59 || +s! > 59) {
    throw new XmlRpcParseError('builtins.ValueError', `time data ${pyStrRepr(text)} does not match format '%Y%m%dT%H:%M:%S'`);
  }
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60000;
  }
  return formatOdooDatetime(new Date(ms));
}

function formatOdooDatetime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // a member called __proto__ must stay data, never swap the prototype
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

const LONE_SURROGATE_RE = /\p{Cs}/u;

/**
 * Parse an XML-RPC `<methodCall>`. DTDs/entity declarations are refused before parsing, so no
 * entity is ever expanded or fetched. Throws XmlRpcParseError (answer: fault 1 with its text).
 */
export function parseMethodCall(body: string | Buffer): MethodCall {
  // lone surrogates (UTF-8 cannot carry them), a BOM or invalid UTF-8: the general path decodes or refuses
  if (typeof body === 'string' && LONE_SURROGATE_RE.test(body)) return parseSax(body);
  const fast = parseFast(typeof body === 'string' ? Buffer.from(body) : body);
  return fast ?? parseSax(decodeBody(body));
}

// ---------------------------------------------------------------------------------------------
// Fast path: one pass over the UTF-8 bytes of the plain documents clients send (the methodCall
// grammar, no attributes, prefixes, comments, CDATA, CR, DTD or BOM). It never raises: on
// anything else, valid or not (invalid UTF-8 included), it gives up (null) and the general parser
// answers, errors included, so both agree.
// ---------------------------------------------------------------------------------------------

const XML_DECL_RE = /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.\d\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*\?>/;
const UTF8_DECL_RE = /encoding[ \t\n]*=[ \t\n]*["']utf-?8["']/i;

class GiveUp {}
const GIVE_UP = new GiveUp();

/**
 * Constant ASCII markup, compared with the body eight bytes at a time (a native call per tag
 * would cost more): words at 0, 8, ... and a last one overlapping so it ends with the markup.
 * ASCII words are never NaN, so equal doubles mean equal bytes. The words are kept in plain
 * arrays: V8 reads them faster than a typed array's (no backing-store indirection).
 */
class Markup {
  readonly length: number;
  readonly words: number[] = [];
  // under 8 bytes: 4-byte words instead, the same way
  readonly short: boolean;
  readonly words32: number[] = [];
  /**
   * `text`: what the markup stands for (a guessed member name); `opensString`: a guessed member
   * whose markup goes on to its value's `<value><string>`.
   */
  constructor(readonly text: string, bytes: Buffer = Buffer.from(text, 'latin1'), readonly opensString = false) {
    const n = bytes.length;
    this.length = n;
    this.short = n < 8;
    const size = this.short ? 4 : 8;
    const count = Math.ceil(n / size);
    for (let i = 0; i < count; i++) {
      const off = Math.min(i * size, n - size);
      if (this.short) this.words32.push(bytes.readInt32LE(off));
      else this.words.push(bytes.readDoubleLE(off));
    }
  }
}

const M = {
  methodCall: new Markup('<methodCall>'),
  methodName: new Markup('<methodName>'),
  methodNameEnd: new Markup('</methodName>'),
  params: new Markup('<params>'),
  paramsEmpty: new Markup('<params/>'),
  paramsEnd: new Markup('</params>'),
  param: new Markup('<param>'),
  paramEnd: new Markup('</param>'),
  methodCallEnd: new Markup('</methodCall>'),
  value: new Markup('<value>'),
  valueEmpty: new Markup('<value/>'),
  valueEnd: new Markup('</value>'),
  string: new Markup('<string>'),
  stringEmpty: new Markup('<string/>'),
  stringEnd: new Markup('</string>'),
  struct: new Markup('<struct>'),
  structEnd: new Markup('</struct>'),
  member: new Markup('<member>'),
  memberEnd: new Markup('</member>'),
  name: new Markup('<name>'),
  nameEnd: new Markup('</name>'),
  int: new Markup('<int>'),
  intEnd: new Markup('</int>'),
  i4: new Markup('<i4>'),
  i4End: new Markup('</i4>'),
  i8: new Markup('<i8>'),
  i8End: new Markup('</i8>'),
  array: new Markup('<array>'),
  arrayEnd: new Markup('</array>'),
  data: new Markup('<data>'),
  dataEmpty: new Markup('<data/>'),
  dataEnd: new Markup('</data>'),
  boolean: new Markup('<boolean>'),
  booleanEnd: new Markup('</boolean>'),
  base64: new Markup('<base64>'),
  base64End: new Markup('</base64>'),
  double: new Markup('<double>'),
  doubleEnd: new Markup('</double>'),
  dateTime: new Markup('<dateTime.iso8601>'),
  dateTimeEnd: new Markup('</dateTime.iso8601>'),
  nil: new Markup('<nil/>'),
  // runs of Python's xmlrpc.client layout (what Odoo's users send): several tags in one comparison
  pyString: new Markup('<value><string>'),
  pyStringEnd: new Markup('</string></value>\n'),
  pyInt: new Markup('<value><int>'),
  pyIntEnd: new Markup('</int></value>\n'),
  pyArray: new Markup('<value><array><data>\n'),
  pyArrayEnd: new Markup('</data></array></value>\n'),
  pyStruct: new Markup('<value><struct>\n'),
  pyStructEnd: new Markup('</struct></value>\n'),
  pyMember: new Markup('<member>\n<name>'),
  pyMemberNext: new Markup('</member>\n<member>\n<name>'),
  pyNameString: new Markup('</name>\n<value><string>'),
  pyStringNext: new Markup('</string></value>\n</member>\n<member>\n<name>'),
};

// Member names repeat from record to record: the last string seen per (length, first byte).
const NAME_CACHE_SIZE = 256;
// Deeper documents go to the general parser, which does not recurse (no stack overflow here).
const MAX_NESTING = 200;
// Structs of a list share their member names in order: guessed per depth and member index.
const GUESS_DEPTHS = 8;
const GUESS_MEMBERS = 32;
// Character data is sliced from a latin1 window of the body (cheap) rather than decoded one value
// at a time (a native call each); a string past ~128 KB would be a large-object allocation.
const WINDOW_BYTES = 32768;

class FastParser {
  p = 0;
  private readonly n: number;
  private readonly dv: DataView;
  private readonly names: (string | undefined)[] = new Array(NAME_CACHE_SIZE);
  // per (struct depth, member index): the last member name seen there, with its `</name>` (and its
  // value's `<value><string>` in Python's layout)
  private readonly guesses: (Markup | undefined)[] = new Array(GUESS_DEPTHS * GUESS_MEMBERS);
  private depth = 0;
  // arrays and structs open around the current position
  private nesting = 0;
  // whether the last text() was ASCII without entities (its bytes are its characters)
  private plain = false;
  private win = '';
  private winStart = 0;
  private winEnd = 0;
  constructor(private readonly b: Buffer) {
    this.n = b.length;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  parse(): MethodCall | null {
    const b = this.b;
    try {
      if (b[0] === 0x3c && b[1] === 0x3f) {
        const decl = XML_DECL_RE.exec(b.toString('latin1', 0, Math.min(this.n, 200)));
        // another encoding than UTF-8: the general path decodes it
        if (!decl || (decl[2] && !UTF8_DECL_RE.test(decl[0]))) return null;
        this.p = decl[0].length;
      }
      this.skipSpace();
      this.skip(M.methodCall);
      this.skipSpace();
      this.skip(M.methodName);
      const methodName = this.text(false);
      this.skip(M.methodNameEnd);
      this.skipSpace();
      const params: unknown[] = [];
      if (this.at(M.paramsEmpty)) this.p += M.paramsEmpty.length;
      else {
        this.skip(M.params);
        this.skipSpace();
        while (this.at(M.param)) {
          this.p += M.param.length;
          this.skipSpace();
          params.push(this.value());
          this.skipSpace();
          this.skip(M.paramEnd);
          this.skipSpace();
        }
        this.skip(M.paramsEnd);
        this.skipSpace();
      }
      this.skip(M.methodCallEnd);
      this.skipSpace();
      if (this.p !== this.n) return null;
      return { methodName, params };
    } catch (err) {
      if (err === GIVE_UP) return null;
      throw err;
    }
  }

  /** Whether `m` is at the current position. */
  at(m: Markup): boolean {
    const p = this.p;
    const end = p + m.length;
    if (end > this.n) return false;
    const dv = this.dv;
    if (m.short) {
      const words = m.words32;
      const last = words.length - 1;
      for (let i = 0; i < last; i++) if (dv.getInt32(p + 4 * i, true) !== words[i]) return false;
      return dv.getInt32(end - 4, true) === words[last];
    }
    const words = m.words;
    const last = words.length - 1;
    if (dv.getFloat64(p, true) !== words[0]) return false;
    // the middle words unrolled for the usual lengths (a loop costs ~3% of a decode)
    switch (last) {
      default:
        for (let i = 5; i < last; i++) if (dv.getFloat64(p + 8 * i, true) !== words[i]) return false;
      // falls through
      case 5: if (dv.getFloat64(p + 32, true) !== words[4]) return false;
      // falls through
      case 4: if (dv.getFloat64(p + 24, true) !== words[3]) return false;
      // falls through
      case 3: if (dv.getFloat64(p + 16, true) !== words[2]) return false;
      // falls through
      case 2: if (dv.getFloat64(p + 8, true) !== words[1]) return false;
      // falls through
      case 1: case 0:
    }
    return dv.getFloat64(end - 8, true) === words[last];
  }

  skip(m: Markup): void {
    if (!this.at(m)) throw GIVE_UP;
    this.p += m.length;
  }

  /** Blanks XML allows between elements (CR excepted: the general path normalises it). */
  skipSpace(): void {
    const b = this.b;
    let p = this.p;
    let c = b[p];
    while (c === 0x20 || c === 0x0a || c === 0x09) c = b[++p];
    this.p = p;
  }

  /**
   * Character data up to the next `<` (left for the caller to match). Gives up on what the
   * general parser treats specially: CR, XML-illegal characters, `]]>`; decodes entities.
   */
  text(name: boolean): string {
    const b = this.b;
    const start = this.p;
    let i = start;
    let amp = false;
    let ascii = true;
    for (;;) {
      const c = b[i]!;
      if (c === 0x3c) break;
      if (c >= 0x20) {
        if (c >= 0x80) {
          ascii = false;
          // U+FFFE and U+FFFF are not XML characters
          if (c === 0xef && b[i + 1] === 0xbf && (b[i + 2] === 0xbe || b[i + 2] === 0xbf)) throw GIVE_UP;
        } else if (c === 0x26) amp = true;
        else if (c === 0x5d && b[i + 1] === 0x5d && b[i + 2] === 0x3e) throw GIVE_UP;
      } else if (c !== 0x09 && c !== 0x0a) throw GIVE_UP; // a control character, CR, or the end (undefined)
      i++;
    }
    this.p = i;
    this.plain = ascii && !amp;
    if (!ascii) {
      // markup is matched as ASCII, so text is the only place invalid UTF-8 can hide
      if (!isUtf8(b.subarray(start, i))) throw GIVE_UP;
      const t = b.toString('utf8', start, i);
      return amp ? decodeEntities(t) : t;
    }
    if (amp) return decodeEntities(this.slice(start, i));
    if (name && i > start) {
      const slot = ((i - start) * 31 + b[start]!) & (NAME_CACHE_SIZE - 1);
      const known = this.names[slot];
      if (known !== undefined && known.length === i - start) {
        let k = 0;
        while (k < known.length && known.charCodeAt(k) === b[start + k]) k++;
        if (k === known.length) return known;
      }
      return (this.names[slot] = this.slice(start, i));
    }
    return this.slice(start, i);
  }

  /** The ASCII bytes start..end as a string, cut from the window (moved when needed). */
  slice(start: number, end: number): string {
    if (start < this.winStart || end > this.winEnd) {
      if (end - start > WINDOW_BYTES) return this.b.toString('latin1', start, end);
      this.winStart = start;
      this.winEnd = Math.min(this.n, start + WINDOW_BYTES);
      this.win = this.b.toString('latin1', start, this.winEnd);
    }
    return this.win.slice(start - this.winStart, end - this.winStart);
  }

  /** An `<int>`/`<i4>`/`<i8>` body: optional sign and up to 15 digits. */
  int(): number {
    const b = this.b;
    let i = this.p;
    let neg = false;
    let c = b[i];
    if (c === 0x2d || c === 0x2b) {
      neg = c === 0x2d;
      c = b[++i];
    }
    const first = i;
    let v = 0;
    while (c !== undefined && c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      c = b[++i];
    }
    if (i === first || i - first > 15) throw GIVE_UP;
    this.p = i;
    return neg ? -v : v;
  }

  // A `<value>` element (consumed with its `</value>`).
  value(): unknown {
    const b = this.b;
    // Python's layout: a whole run at once
    if (b[this.p + 7] === 0x3c) {
      switch (b[this.p + 8]) {
        case 0x73: // s
          if (this.at(M.pyString)) {
            this.p += M.pyString.length;
            const v = this.text(false);
            if (this.at(M.pyStringEnd)) this.p += M.pyStringEnd.length;
            else this.closeTyped(M.stringEnd);
            return v;
          }
          if (this.at(M.pyStruct)) {
            this.p += M.pyStruct.length;
            const v = this.struct();
            if (this.at(M.pyStructEnd)) this.p += M.pyStructEnd.length;
            else this.closeTyped(M.structEnd);
            return v;
          }
          break;
        case 0x69: // i
          if (this.at(M.pyInt)) {
            this.p += M.pyInt.length;
            const v = this.int();
            if (this.at(M.pyIntEnd)) this.p += M.pyIntEnd.length;
            else this.closeTyped(M.intEnd);
            return v;
          }
          break;
        case 0x61: // a
          if (this.at(M.pyArray)) {
            this.p += M.pyArray.length;
            const v = this.items();
            if (this.at(M.pyArrayEnd)) this.p += M.pyArrayEnd.length;
            else {
              this.skip(M.dataEnd);
              this.skipSpace();
              this.closeTyped(M.arrayEnd);
            }
            return v;
          }
          break;
      }
    }
    return this.anyValue();
  }

  // A `<value>` element in any layout.
  anyValue(): unknown {
    const b = this.b;
    if (!this.at(M.value)) {
      if (this.at(M.valueEmpty)) {
        this.p += M.valueEmpty.length;
        return '';
      }
      throw GIVE_UP;
    }
    this.p += M.value.length;
    const textStart = this.p;
    this.skipSpace();
    if (b[this.p] !== 0x3c || b[this.p + 1] === 0x2f) {
      // bare text (blanks included): a string
      this.p = textStart;
      const v = this.text(false);
      this.skip(M.valueEnd);
      return v;
    }
    let v: unknown;
    switch (b[this.p + 1]) {
      case 0x73: // s
        if (this.at(M.string)) {
          this.p += M.string.length;
          v = this.text(false);
          this.skip(M.stringEnd);
        } else if (this.at(M.struct)) {
          this.p += M.struct.length;
          v = this.struct();
          this.skip(M.structEnd);
        } else if (this.at(M.stringEmpty)) {
          this.p += M.stringEmpty.length;
          v = '';
        } else throw GIVE_UP;
        break;
      case 0x69: // i
        if (this.at(M.int)) {
          this.p += M.int.length;
          v = this.int();
          this.skip(M.intEnd);
        } else if (this.at(M.i4)) {
          this.p += M.i4.length;
          v = this.int();
          this.skip(M.i4End);
        } else if (this.at(M.i8)) {
          this.p += M.i8.length;
          v = this.int();
          this.skip(M.i8End);
        } else throw GIVE_UP;
        break;
      case 0x61: // a
        this.skip(M.array);
        this.skipSpace();
        if (this.at(M.dataEmpty)) {
          this.p += M.dataEmpty.length;
          v = [];
        } else {
          this.skip(M.data);
          v = this.items();
          this.skip(M.dataEnd);
        }
        this.skipSpace();
        this.skip(M.arrayEnd);
        break;
      case 0x62: // b
        if (this.at(M.boolean)) {
          this.p += M.boolean.length;
          const c = b[this.p];
          if (c !== 0x30 && c !== 0x31) throw GIVE_UP;
          this.p++;
          this.skip(M.booleanEnd);
          v = c === 0x31;
        } else if (this.at(M.base64)) {
          this.p += M.base64.length;
          v = this.text(false).replace(/\s+/g, '');
          this.skip(M.base64End);
        } else throw GIVE_UP;
        break;
      case 0x64: // d
        if (this.at(M.double)) {
          this.p += M.double.length;
          const t = this.text(false);
          this.skip(M.doubleEnd);
          if (!DOUBLE_RE.test(t)) throw GIVE_UP;
          v = parseDouble(t);
        } else if (this.at(M.dateTime)) {
          this.p += M.dateTime.length;
          const t = this.text(false);
          this.skip(M.dateTimeEnd);
          try {
            v = parseDateTime(t);
          } catch {
            throw GIVE_UP;
          }
        } else throw GIVE_UP;
        break;
      case 0x6e: // n
        this.skip(M.nil);
        v = null;
        break;
      default:
        throw GIVE_UP;
    }
    this.skipSpace();
    this.skip(M.valueEnd);
    return v;
  }

  /** A typed element's closing tag, then `</value>`, in any layout. */
  closeTyped(end: Markup): void {
    this.skip(end);
    this.skipSpace();
    this.skip(M.valueEnd);
  }

  // After `<data>`: the values, up to `</data>` (not consumed).
  items(): unknown[] {
    if (++this.nesting > MAX_NESTING) throw GIVE_UP;
    const items: unknown[] = [];
    this.skipSpace();
    while (this.b[this.p + 1] === 0x76) {
      // <v(alue)
      items.push(this.value());
      this.skipSpace();
    }
    this.nesting--;
    return items;
  }

  // After `<struct>`: members, up to `</struct>` (not consumed).
  struct(): Record<string, unknown> {
    if (++this.nesting > MAX_NESTING) throw GIVE_UP;
    const obj: Record<string, unknown> = {};
    const depth = this.depth++;
    const guesses = depth < GUESS_DEPTHS ? depth * GUESS_MEMBERS : -1;
    this.skipSpace();
    let open = this.memberStart();
    for (let k = 0; open; k++) {
      let name: string;
      let value: unknown;
      const slot = guesses >= 0 && k < GUESS_MEMBERS ? guesses + k : -1;
      const guess = slot >= 0 ? this.guesses[slot] : undefined;
      if (guess !== undefined && this.at(guess)) {
        name = guess.text;
        this.p += guess.length;
        if (guess.opensString) {
          value = this.text(false);
          // the string, its member's end and the next member's start in one comparison
          if (this.at(M.pyStringNext)) {
            this.p += M.pyStringNext.length;
            this.setMember(obj, name, value);
            continue;
          }
          if (this.at(M.pyStringEnd)) this.p += M.pyStringEnd.length;
          else this.closeTyped(M.stringEnd);
        } else {
          this.skipSpace();
          value = this.value();
        }
      } else {
        const start = this.p;
        name = this.text(true);
        if (slot >= 0 && this.plain) {
          // the guess takes in the value's opening when it is Python's `<value><string>`
          const opensString = this.at(M.pyNameString);
          const end = this.p + (opensString ? M.pyNameString.length : M.nameEnd.length);
          this.guesses[slot] = new Markup(name, this.b.subarray(start, end), opensString);
        }
        this.skip(M.nameEnd);
        this.skipSpace();
        value = this.value();
      }
      this.setMember(obj, name, value);
      if (this.at(M.pyMemberNext)) {
        this.p += M.pyMemberNext.length;
        continue;
      }
      this.skipSpace();
      this.skip(M.memberEnd);
      this.skipSpace();
      open = this.memberStart();
    }
    this.depth--;
    this.nesting--;
    return obj;
  }

  setMember(obj: Record<string, unknown>, name: string, value: unknown): void {
    if (name === '__proto__') setOwn(obj, name, value);
    else obj[name] = value;
  }

  /** Consumes `<member>` and `<name>` when they come next. */
  memberStart(): boolean {
    if (this.at(M.pyMember)) this.p += M.pyMember.length;
    else if (this.at(M.member)) {
      this.p += M.member.length;
      this.skipSpace();
      this.skip(M.name);
    } else return false;
    return true;
  }
}

const ENTITY_RE = /&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#x([0-9A-Fa-f]{1,6}));/y;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const next = text.indexOf('&', i);
    if (next === -1) return out + text.slice(i);
    out += text.slice(i, next);
    ENTITY_RE.lastIndex = next;
    const m = ENTITY_RE.exec(text);
    if (!m) throw GIVE_UP;
    if (m[1]) out += NAMED_ENTITIES[m[1]];
    else {
      const code = m[2] ? parseInt(m[2], 10) : parseInt(m[3]!, 16);
      // only characters XML allows (expat refuses the others)
      if (code > 0x10ffff || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff) throw GIVE_UP;
      out += String.fromCodePoint(code);
    }
    i = ENTITY_RE.lastIndex;
  }
}

/** The fast path over a body's bytes; null when the general parser must answer. */
export function parseFast(body: Buffer): MethodCall | null {
  return new FastParser(body).parse();
}

/** The general parser alone (tests compare it with the fast path). */
export function parseMethodCallGeneral(body: string | Buffer): MethodCall {
  return parseSax(decodeBody(body));
}

// The general parser: any XML, every error located as expat reports it.
function parseSax(decoded: string): MethodCall {
  let text = decoded;
  const dtd = DTD_RE.exec(text);
  if (dtd) {
    const pos = positionOf(text, dtd.index);
    throw new XmlRpcParseError(
      'xml.parsers.expat.ExpatError',
      `DTDs and entity declarations are forbidden: line ${pos.line}, column ${pos.column}`,
      pos.line,
      pos.column,
    );
  }
  const illegal = XML_ILLEGAL_RE.exec(text);
  if (illegal) {
    const pos = positionOf(text, illegal.index);
    throw expatError('not well-formed (invalid token)', pos.line, pos.column);
  }
  // XML end-of-line handling happens before parsing, so &#13; still yields a CR
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');

  // Same algorithm as Python's Unmarshaller: a flat value stack plus marks for containers.
  const stack: unknown[] = [];
  const marks: number[] = [];
  let data: string[] = [];
  let inValue = false; // directly inside <value> with no typed child yet
  let methodName: string | null = null;
  let rootName: string | null = null;
  let rootClosed = false;
  let depth = 0;

  const parser = sax.parser(true, { strictEntities: true, position: true, trim: false, normalize: false });
  const fail = (message: string): never => {
    throw expatError(message, parser.line + 1, Math.max(parser.column - 1, 0));
  };
  parser.onerror = (err: Error) => {
    if (err instanceof XmlRpcParseError) throw err;
    const msg = err.message.split('\n', 1)[0] ?? '';
    if (/Unclosed root tag|Unexpected end/.test(msg)) {
      const pos = positionOf(text, -1);
      const midToken = parser.state !== sax.STATE.TEXT && parser.state !== sax.STATE.BEGIN_WHITESPACE;
      throw expatError(midToken && parser.sawRoot ? 'unclosed token' : 'no element found', pos.line, pos.column);
    }
    if (/closing tag|close tag/i.test(msg)) fail('mismatched tag');
    if (/Text data outside of root node|Non-whitespace before first tag/.test(msg)) {
      fail(parser.closedRoot ? 'junk after document element' : 'syntax error');
    }
    if (/entity/i.test(msg)) fail('undefined entity');
    fail('not well-formed (invalid token)');
  };
  parser.ondoctype = () => fail('DTDs and entity declarations are forbidden');
  parser.ontext = (t: string) => {
    data.push(t);
  };
  parser.oncdata = parser.ontext;
  parser.onopentag = (node: SaxTag) => {
    if (rootClosed) fail('junk after document element');
    const tag = localName(node.name);
    depth++;
    if (rootName === null) rootName = tag;
    if (tag === 'array' || tag === 'struct') marks.push(stack.length);
    data = [];
    if (inValue && !SCALAR_TAGS.has(tag) && tag !== 'array' && tag !== 'struct') {
      throw new XmlRpcParseError('xmlrpc.client.ResponseError', `unknown tag ${pyStrRepr(tag)}`);
    }
    inValue = tag === 'value';
  };
  parser.onclosetag = (name: string) => {
    const tag = localName(name);
    const content = data.length === 1 ? data[0]! : data.join('');
    data = [];
    switch (tag) {
      case 'value':
        // a bare <value>text</value> (or an empty <value/>) is a string
        if (inValue) stack.push(content);
        inValue = false;
        break;
      case 'string':
        stack.push(content);
        inValue = false;
        break;
      case 'name':
        stack.push(new MemberName(content));
        break;
      case 'nil':
        stack.push(null);
        inValue = false;
        break;
      case 'boolean':
        if (content === '0') stack.push(false);
        else if (content === '1') stack.push(true);
        else throw new XmlRpcParseError('builtins.TypeError', 'bad boolean value');
        inValue = false;
        break;
      case 'int': case 'i1': case 'i2': case 'i4': case 'i8': case 'biginteger':
        stack.push(parseInteger(content));
        inValue = false;
        break;
      case 'double': case 'float': case 'bigdecimal':
        stack.push(parseDouble(content));
        inValue = false;
        break;
      case 'base64':
        // Odoo stores binaries as base64 text anyway
        stack.push(content.replace(/\s+/g, ''));
        inValue = false;
        break;
      case 'dateTime.iso8601':
        stack.push(parseDateTime(content));
        inValue = false;
        break;
      case 'array': {
        const items = stack.splice(marks.pop() ?? 0);
        if (items.some((i) => i instanceof MemberName)) {
          throw new XmlRpcParseError('xmlrpc.client.ResponseError', 'unexpected <name> in array');
        }
        stack.push(items);
        inValue = false;
        break;
      }
      case 'struct': {
        const items = stack.splice(marks.pop() ?? 0);
        const obj: Record<string, unknown> = {};
        for (let i = 0; i < items.length; i += 2) {
          const key = items[i];
          if (!(key instanceof MemberName) || i + 1 >= items.length || items[i + 1] instanceof MemberName) {
            throw new XmlRpcParseError('xmlrpc.client.ResponseError', 'malformed struct member');
          }
          setOwn(obj, key.name, items[i + 1]);
        }
        stack.push(obj);
        inValue = false;
        break;
      }
      case 'methodName':
        methodName = content;
        break;
      // other tags (params, param, data, member, unknown ones outside <value>) carry nothing, as in Python
    }
    if (--depth === 0) rootClosed = true;
  };

  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof XmlRpcParseError) throw err;
    // sax bugs out on some invalid input (e.g. huge character references): still a parse error
    throw expatError('not well-formed (invalid token)', parser.line + 1, Math.max(parser.column - 1, 0));
  }
  if (rootName === null) {
    const pos = positionOf(text, -1);
    throw expatError('no element found', pos.line, pos.column);
  }
  if (rootName !== 'methodCall') {
    throw new XmlRpcParseError('xmlrpc.client.ResponseError', `expected <methodCall>, got <${rootName}>`);
  }
  if (methodName === null) {
    throw new XmlRpcParseError('xmlrpc.client.ResponseError', 'missing <methodName>');
  }
  if (marks.length || stack.some((v) => v instanceof MemberName)) {
    throw new XmlRpcParseError('xmlrpc.client.ResponseError', 'malformed <params>');
  }
  return { methodName, params: stack };
}

function localName(tag: string): string {
  const i = tag.lastIndexOf(':');
  return i === -1 ? tag : tag.slice(i + 1);
}

// ---------------------------------------------------------------------------------------------
// Marshalling
// ---------------------------------------------------------------------------------------------

const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);
// & < > must be escaped; controls 0-31 except tab, LF, CR are stripped (OdooMarshaller)
const NEEDS_WORK_RE = /[&<>\x00-\x08\x0B\x0C\x0E-\x1F]/;
const CONTROL_RE = /[\x00-\x08\x0B\x0C\x0E-\x1F]/g;

function xmlText(s: string): string {
  if (!NEEDS_WORK_RE.test(s)) return s;
  return s.replace(CONTROL_RE, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Python's repr(float): shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = Math.abs(n).toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  const digits = mant.replace('.', '');
  const sign = n < 0 ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, '0');
  const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : '0';
  return `${sign}${intPart}.${frac}`;
}

function dumpInt(n: number | bigint): string {
  if (n > INT_MAX || n < INT_MIN) throw new XmlRpcMarshalError('builtins.OverflowError', 'int exceeds XML-RPC limits');
  return '<value><int>' + String(n === 0 ? 0 : n) + '</int></value>\n';
}

function dumpString(s: string): string {
  return '<value><string>' + xmlText(s) + '</string></value>\n';
}

const NONE_ERROR = 'cannot marshal None unless allow_none is enabled';

// Containers deeper than this are checked for cycles (Python's "recursive" errors) on a second
// pass that tracks the containers being written; results are rarely deeper than a few levels.
const CHECKED_DEPTH = 64;
class TooDeep {}
const TOO_DEEP = new TooDeep();

// `<member>…<name>key</name>` per key: result rows repeat the same keys.
const memberHeads = new Map<string, string>();

function memberHead(key: string): string {
  let head = memberHeads.get(key);
  if (head === undefined) {
    head = '<member>\n<name>' + xmlText(key) + '</name>\n';
    if (memberHeads.size < 4096) memberHeads.set(key, head);
  }
  return head;
}

/**
 * The answer being written: text is appended to `s` (V8 ropes, ~3x faster than joining parts)
 * and turned into UTF-8 every 16 K characters, so a large answer never becomes one large string.
 */
class Out {
  s = '';
  readonly chunks: Buffer[] = [];
  flush(): void {
    if (this.s.length) this.chunks.push(Buffer.from(this.s));
    this.s = '';
  }
}
const OUT_CHUNK = 16384;

// `seen`: null on the first pass (depth-limited), the containers being written on the second.
function dumpValue(value: unknown, seen: Set<object> | null, depth: number, out: Out): void {
  switch (typeof value) {
    case 'string':
      out.s += dumpString(value);
      return;
    case 'number':
      out.s += Number.isInteger(value) ? dumpInt(value) : '<value><double>' + pyFloatRepr(value) + '</double></value>\n';
      return;
    case 'boolean':
      out.s += value ? '<value><boolean>1</boolean></value>\n' : '<value><boolean>0</boolean></value>\n';
      return;
    case 'bigint':
      out.s += dumpInt(value);
      return;
    case 'undefined':
      throw new XmlRpcMarshalError('builtins.TypeError', NONE_ERROR);
    case 'function':
    case 'symbol':
      throw new XmlRpcMarshalError('builtins.TypeError', `cannot marshal <class '${typeof value}'> objects`);
  }
  if (value === null) throw new XmlRpcMarshalError('builtins.TypeError', NONE_ERROR);
  const obj = value as object;
  if (Array.isArray(obj)) {
    if (seen === null) {
      if (depth > CHECKED_DEPTH) throw TOO_DEEP;
    } else {
      if (seen.has(obj)) throw new XmlRpcMarshalError('builtins.TypeError', 'cannot marshal recursive sequences');
      seen.add(obj);
    }
    out.s += '<value><array><data>\n';
    for (let i = 0; i < obj.length; i++) {
      dumpValue(obj[i], seen, depth + 1, out);
      if (out.s.length > OUT_CHUNK) out.flush();
    }
    seen?.delete(obj);
    out.s += '</data></array></value>\n';
    return;
  }
  if (obj instanceof XmlRpcDouble) {
    out.s += '<value><double>' + pyFloatRepr(obj.value) + '</double></value>\n';
    return;
  }
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw new XmlRpcMarshalError('builtins.TypeError', 'cannot marshal an invalid datetime');
    out.s += dumpString(formatOdooDatetime(obj));
    return;
  }
  if (obj instanceof Uint8Array) {
    // OdooMarshaller.dump_bytes: binary data travels as its (base64) text
    out.s += dumpString(Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('utf8'));
    return;
  }
  if (obj instanceof Set) throw new XmlRpcMarshalError('builtins.TypeError', "cannot marshal <class 'set'> objects");
  if (seen === null) {
    if (depth > CHECKED_DEPTH) throw TOO_DEEP;
  } else {
    if (seen.has(obj)) throw new XmlRpcMarshalError('builtins.TypeError', 'cannot marshal recursive dictionaries');
    seen.add(obj);
  }
  out.s += '<value><struct>\n';
  if (obj instanceof Map) {
    for (const [key, v] of obj) {
      if (typeof key !== 'string') throw new XmlRpcMarshalError('builtins.TypeError', 'dictionary key must be string');
      if (v === undefined) continue;
      out.s += memberHead(key);
      dumpValue(v, seen, depth + 1, out);
      out.s += '</member>\n';
    }
  } else {
    const rec = obj as Record<string, unknown>;
    for (const key in rec) {
      if (!Object.prototype.hasOwnProperty.call(rec, key)) continue;
      const v = rec[key];
      // an undefined member is dropped, as JSON.stringify does, so both transports agree
      if (v === undefined) continue;
      out.s += memberHead(key);
      dumpValue(v, seen, depth + 1, out);
      out.s += '</member>\n';
    }
  }
  seen?.delete(obj);
  out.s += '</struct></value>\n';
}

function dumpTop(value: unknown, head: string, tail: string): Buffer {
  for (const seen of [null, new Set<object>()]) {
    const out = new Out();
    out.s = head;
    try {
      dumpValue(value, seen, 0, out);
    } catch (err) {
      if (err === TOO_DEEP) continue;
      throw err;
    }
    out.s += tail;
    out.flush();
    return out.chunks.length === 1 ? out.chunks[0]! : Buffer.concat(out.chunks);
  }
  throw new Error('unreachable');
}

const RESPONSE_HEAD = '<?xml version="1.0"?>\n<methodResponse>\n<params>\n<param>\n';
const RESPONSE_TAIL = '</param>\n</params>\n\n</methodResponse>\n';

/** serializeResponse as the UTF-8 bytes sent (what the route uses: no large string is built). */
export function serializeResponseBytes(value: unknown): Buffer {
  return dumpTop(value, RESPONSE_HEAD, RESPONSE_TAIL);
}

/**
 * Marshal a method result as Odoo does. Throws XmlRpcMarshalError for what Python's marshaller
 * refuses (None/undefined, ints outside 32 bits, recursive data); answer that with fault 1.
 */
export function serializeResponse(value: unknown): string {
  return serializeResponseBytes(value).toString('utf8');
}

/** A `<fault>` response; a string code is the legacy /xmlrpc form. */
export function serializeFault(code: number | string, message: string): string {
  return (
    '<?xml version="1.0"?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n' +
    (typeof code === 'number' ? dumpInt(code) : dumpString(code)) +
    '</member>\n<member>\n<name>faultString</name>\n' +
    dumpString(message) +
    '</member>\n</struct></value>\n</fault>\n\n</methodResponse>\n'
  );
}

// Python repr() of a str: single quotes unless the text has ' and no ".
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let r = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') r += '\\\\';
    else if (ch === quote) r += '\\' + ch;
    else if (ch === '\n') r += '\\n';
    else if (ch === '\r') r += '\\r';
    else if (ch === '\t') r += '\\t';
    else if (c < 0x20 || c === 0x7f) r += '\\x' + c.toString(16).padStart(2, '0');
    else r += ch;
  }
  return r + quote;
}
