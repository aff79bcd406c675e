// Odoo's inline_template engine (odoo/tools/rendering_tools.py, used by mail.render.mixin for
// SMS bodies): text with `{{ expression }}` or `{{ expression ||| default }}` holes. Only the
// expressions a marketing template needs are accepted, and parsed here rather than evaluated:
//   expr    := operand ('or' operand)*
//   operand := path | literal
//   path    := 'object' ('.' ident)+
//   literal := 'single' | "double" quoted string | number | True | False | None

import { UserError } from '../orm/exceptions.ts';

export type TemplateOperand =
  | { kind: 'path'; path: string[] }
  | { kind: 'literal'; value: string | number | boolean | null };

export type TemplatePart =
  | { type: 'text'; text: string }
  | {
      type: 'placeholder';
      /** Expression as written between the braces (stripped), for messages. */
      expression: string;
      operands: TemplateOperand[];
      /** Text after `|||`, used when the expression renders as no value. */
      default: string;
    };

// Odoo 19's hole pattern: lazy expression, optional `||| default`, closing braces; Python's `.`
// stops at newlines, so holes never span lines.
const INLINE_TEMPLATE_RE = /\{\{([^\n]+?)(\|\|\|\s*([^\n]*?))?\}\}/g;

// Python keywords cannot be attribute names (`object.or` is a syntax error).
const PY_KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
  'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
  'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);

type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'dot'; pos: number }
  | { kind: 'end'; pos: number };

class ExpressionSyntaxError extends Error {}

const IDENT_RE = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER_RE = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const STRING_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < expression.length) {
    const ch = expression[pos]!;
    if (/\s/.test(ch)) {
      pos += 1;
    } else if (ch === '.' && !/\d/.test(expression[pos + 1] ?? '')) {
      tokens.push({ kind: 'dot', pos });
      pos += 1;
    } else if (ch === "'" || ch === '"') {
      const start = pos;
      let value = '';
      pos += 1;
      while (pos < expression.length && expression[pos] !== ch) {
        if (expression[pos] === '\\' && pos + 1 < expression.length) {
          const next = expression[pos + 1]!;
          // unknown escapes stay as written, like Python
          value += STRING_ESCAPES[next] ?? `\\${next}`;
          pos += 2;
        } else {
          value += expression[pos];
          pos += 1;
        }
      }
      if (pos >= expression.length) throw new ExpressionSyntaxError(`unterminated string starting at position ${start + 1}`);
      pos += 1;
      tokens.push({ kind: 'string', value, pos: start });
    } else if ((NUMBER_RE.lastIndex = pos), NUMBER_RE.test(expression)) {
      tokens.push({ kind: 'number', value: Number(expression.slice(pos, NUMBER_RE.lastIndex)), pos });
      pos = NUMBER_RE.lastIndex;
    } else if ((IDENT_RE.lastIndex = pos), IDENT_RE.test(expression)) {
      tokens.push({ kind: 'ident', text: expression.slice(pos, IDENT_RE.lastIndex), pos });
      pos = IDENT_RE.lastIndex;
    } else {
      throw new ExpressionSyntaxError(`unexpected character "${ch}" at position ${pos + 1}`);
    }
  }
  tokens.push({ kind: 'end', pos });
  return tokens;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'ident':
      return `"${token.text}" at position ${token.pos + 1}`;
    case 'string':
      return `string at position ${token.pos + 1}`;
    case 'number':
      return `number at position ${token.pos + 1}`;
    case 'dot':
      return `"." at position ${token.pos + 1}`;
    case 'end':
      return 'end of expression';
  }
}

function parseExpression(expression: string): TemplateOperand[] {
  const tokens = tokenize(expression);
  let index = 0;
  const peek = (): Token => tokens[index]!;
  const next = (): Token => tokens[index++]!;

  const parseOperand = (): TemplateOperand => {
    const token = next();
    if (token.kind === 'string' || token.kind === 'number') return { kind: 'literal', value: token.value };
    if (token.kind === 'ident') {
      if (token.text === 'True') return { kind: 'literal', value: true };
      if (token.text === 'False') return { kind: 'literal', value: false };
      if (token.text === 'None') return { kind: 'literal', value: null };
      if (token.text === 'object') {
        const path: string[] = [];
        while (peek().kind === 'dot') {
          next();
          const field = next();
          if (field.kind !== 'ident' || PY_KEYWORDS.has(field.text)) {
            throw new ExpressionSyntaxError(`expected a field name after "." but found ${describe(field)}`);
          }
          // dunder attributes are refused by Odoo's safe_eval too
          if (field.text.startsWith('__')) throw new ExpressionSyntaxError(`forbidden attribute "${field.text}"`);
          path.push(field.text);
        }
        if (!path.length) throw new ExpressionSyntaxError('"object" must be followed by a field name (object.field)');
        return { kind: 'path', path };
      }
    }
    throw new ExpressionSyntaxError(
      `expected object.field, a quoted string or a number but found ${describe(token)}`,
    );
  };

  const operands = [parseOperand()];
  while (peek().kind === 'ident' && (peek() as { text: string }).text === 'or') {
    next();
    operands.push(parseOperand());
  }
  if (peek().kind !== 'end') {
    throw new ExpressionSyntaxError(`expected "or" or end of expression but found ${describe(peek())}`);
  }
  return operands;
}

/** Split a template into verbatim text and parsed placeholders; UserError on a bad expression. */
export function parseInlineTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let last = 0;
  for (const match of text.matchAll(INLINE_TEMPLATE_RE)) {
    literal += text.slice(last, match.index);
    last = match.index + match[0].length;
    const expression = match[1]!.trim();
    // Odoo drops a hole whose expression is blank (`{{ }}`), keeping the surrounding text
    if (!expression) continue;
    let operands: TemplateOperand[];
    try {
      operands = parseExpression(expression);
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err;
      throw new UserError(`Invalid inline template expression "{{ ${expression} }}": ${err.message}.`);
    }
    if (literal) parts.push({ type: 'text', text: literal });
    literal = '';
    parts.push({ type: 'placeholder', expression, operands, default: match[3] ?? '' });
  }
  literal += text.slice(last);
  if (literal) parts.push({ type: 'text', text: literal });
  return parts;
}

/** Distinct field paths used by the placeholders (without `object`), in order of appearance. */
export function templatePaths(parts: TemplatePart[]): string[][] {
  const seen = new Map<string, string[]>();
  for (const part of parts) {
    if (part.type !== 'placeholder') continue;
    for (const operand of part.operands) {
      if (operand.kind === 'path') {
        const key = operand.path.join('.');
        if (!seen.has(key)) seen.set(key, operand.path);
      }
    }
  }
  return [...seen.values()];
}

/** True when the template has at least one placeholder (Odoo's "is dynamic"). */
export function isDynamicTemplate(parts: TemplatePart[]): boolean {
  return parts.some((part) => part.type === 'placeholder');
}

/** Python truthiness of ORM values: False/None/''/0/empty list or dict are falsy. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (value instanceof Date) return true;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function isMany2onePair(value: unknown[]): value is [number, string] {
  return value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string';
}

// Python's str() for the values a resolver returns; a many2one pair shows its display name.
function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) {
    if (isMany2onePair(value)) return value[1];
    return value.map(toText).join(', ');
  }
  // naive UTC datetimes print as 'YYYY-MM-DD HH:MM:SS' in Python
  if (value instanceof Date) return value.toISOString().slice(0, 19).replace('T', ' ');
  return String(value);
}

/**
 * Render parsed parts for one record: `or` returns the first truthy operand (else the last), an
 * empty result falls back to the `|||` default, and no value renders as nothing (False → '').
 */
export function renderInlineTemplate(parts: TemplatePart[], resolve: (path: string[]) => unknown): string {
  let out = '';
  for (const part of parts) {
    if (part.type === 'text') {
      out += part.text;
      continue;
    }
    let result: unknown = undefined;
    for (const operand of part.operands) {
      result = operand.kind === 'path' ? resolve(operand.path) : operand.value;
      if (isTruthy(result)) break;
    }
    if (!isTruthy(result)) result = part.default;
    if (isTruthy(result)) out += toText(result);
  }
  return out;
}
