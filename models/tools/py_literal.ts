// `mailing_domain` is stored as the Python repr of a domain ("[('list_ids', 'in', [7])]") and read
// back with `ast.literal_eval`: this is that literal syntax (lists, tuples, strings, numbers,
// True/False/None, dicts), nothing that could run code.

import { pyRepr } from '../orm/domain.ts';

export class PyLiteralError extends Error {}

/** Parse a Python literal; tuples become arrays. Throws PyLiteralError on anything else. */
export function parsePyLiteral(text: string): unknown {
  let pos = 0;
  const ws = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const fail = (msg: string): never => {
    throw new PyLiteralError(`${msg} at position ${pos + 1}`);
  };
  const value = (): unknown => {
    ws();
    const ch = text[pos];
    if (ch === undefined) return fail('unexpected end');
    if (ch === '[' || ch === '(') {
      const close = ch === '[' ? ']' : ')';
      pos++;
      const items: unknown[] = [];
      ws();
      while (text[pos] !== close) {
        items.push(value());
        ws();
        if (text[pos] === ',') {
          pos++;
          ws();
        } else if (text[pos] !== close) fail(`expected "," or "${close}"`);
      }
      pos++;
      return items;
    }
    if (ch === '{') {
      pos++;
      const obj: Record<string, unknown> = {};
      ws();
      while (text[pos] !== '}') {
        const k = value();
        ws();
        if (text[pos] !== ':') fail('expected ":"');
        pos++;
        obj[String(k)] = value();
        ws();
        if (text[pos] === ',') {
          pos++;
          ws();
        } else if (text[pos] !== '}') fail('expected "," or "}"');
      }
      pos++;
      return obj;
    }
    if (ch === "'" || ch === '"') return str();
    const m = /^(?:[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)|True|False|None)/.exec(text.slice(pos));
    if (!m) return fail('malformed node or string');
    pos += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0]);
  };
  const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };
  const str = (): string => {
    const q = text[pos]!;
    pos++;
    let out = '';
    while (pos < text.length && text[pos] !== q) {
      if (text[pos] === '\\') {
        const n = text[pos + 1];
        if (n === undefined) break;
        if (n === 'x' || n === 'u') {
          const len = n === 'x' ? 2 : 4;
          const hex = text.slice(pos + 2, pos + 2 + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail('bad escape');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 2 + len;
          continue;
        }
        out += ESC[n] ?? `\\${n}`;
        pos += 2;
      } else {
        out += text[pos];
        pos++;
      }
    }
    if (text[pos] !== q) fail('unterminated string');
    pos++;
    return out;
  };
  const result = value();
  ws();
  if (pos !== text.length) fail('unexpected text');
  return result;
}

/** Odoo's `_parse_mailing_domain`: the stored domain, or `[('id', 'in', [])]` when unreadable. */
export function parseMailingDomain(text: string | null | undefined | false): unknown[] {
  if (!text) return [];
  try {
    const v = parsePyLiteral(text);
    return Array.isArray(v) ? v : [['id', 'in', []]];
  } catch (err) {
    if (err instanceof PyLiteralError) return [['id', 'in', []]];
    throw err;
  }
}

/** Python repr of a domain whose leaves are tuples: `[('list_ids', 'in', [7])]`. */
export function reprDomain(domain: unknown[]): string {
  return `[${domain.map((item) => (Array.isArray(item) ? `(${item.map((x) => pyRepr(x)).join(', ')})` : pyRepr(item))).join(', ')}]`;
}
