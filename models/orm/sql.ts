// Composable SQL fragments with bound parameters (the role of odoo.tools.SQL).
// Fragments keep values apart from the text until `toQuery()` numbers them $1..$n,
// so nothing that comes from a client is ever spliced into SQL text.

export class SQL {
  constructor(
    readonly parts: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  /** Render to a pg query: text with $n placeholders and the value list. */
  toQuery(): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    let text = this.parts[0];
    for (let i = 0; i < this.values.length; i++) {
      values.push(this.values[i]);
      text += `$${values.length}` + this.parts[i + 1];
    }
    return { text, values };
  }

  get isEmpty(): boolean {
    return this.values.length === 0 && this.parts.every((p) => p === '');
  }

  toString(): string {
    return this.toQuery().text;
  }
}

type Piece = SQL | unknown;

function build(strings: readonly string[], args: readonly Piece[]): SQL {
  const parts: string[] = [strings[0]];
  const values: unknown[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg instanceof SQL) {
      parts[parts.length - 1] += arg.parts[0];
      for (let j = 0; j < arg.values.length; j++) {
        values.push(arg.values[j]);
        parts.push(arg.parts[j + 1]);
      }
      parts[parts.length - 1] += strings[i + 1];
    } else {
      values.push(arg);
      parts.push(strings[i + 1]);
    }
  }
  return new SQL(parts, values);
}

/** Tagged template: sql`SELECT ${ident('x')} FROM t WHERE a = ${value}`. */
export function sql(strings: TemplateStringsArray, ...args: Piece[]): SQL {
  return build(strings, args);
}

/** Raw SQL text (only for text produced by our own code, never client input). */
export function raw(text: string): SQL {
  return new SQL([text], []);
}

const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A quoted identifier; refuses anything that is not a plain identifier. */
export function ident(...names: string[]): SQL {
  return raw(
    names
      .map((n) => {
        if (!IDENT_RE.test(n)) throw new Error(`Invalid SQL identifier: ${JSON.stringify(n)}`);
        return `"${n}"`;
      })
      .join('.'),
  );
}

/** Join fragments with a separator. */
export function join(pieces: readonly SQL[], sep = ', '): SQL {
  if (pieces.length === 0) return raw('');
  const strings = [''];
  for (let i = 1; i < pieces.length; i++) strings.push(sep);
  strings.push('');
  return build(strings, pieces);
}

export const TRUE = raw('TRUE');
export const FALSE = raw('FALSE');
