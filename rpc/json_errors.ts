// The message Python's json module gives for a malformed document (json.JSONDecodeError), which
// Odoo shows as is ("could not parse the body as json: Expecting value: line 1 column 1 (char 0)")
// where JavaScript's JSON.parse would have its own wording. Iterative: any nesting depth.

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const LITERALS = ['true', 'false', 'null', 'NaN', 'Infinity', '-Infinity'];
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

function at(text: string, msg: string, pos: number): string {
  const lineno = text.slice(0, pos).split('\n').length;
  const lastNl = text.lastIndexOf('\n', pos - 1);
  const colno = lastNl < 0 ? pos + 1 : pos - lastNl;
  return `${msg}: line ${lineno} column ${colno} (char ${pos})`;
}

/** The JSONDecodeError message for `text`, or null when Python would parse it. */
export function pyJsonDecodeError(text: string): string | null {
  const n = text.length;
  let i = 0;
  const stack: ('[' | '{')[] = [];
  const skip = () => {
    while (i < n && WS.has(text[i]!)) i++;
  };
  // a string starting at i (a quote); returns an error message or null, leaves i after it
  const string = (): string | null => {
    const start = i;
    let j = i + 1;
    for (;;) {
      const c = text[j];
      if (c === undefined) return at(text, 'Unterminated string starting at', start);
      if (c === '"') {
        i = j + 1;
        return null;
      }
      if (c === '\\') {
        const e = text[j + 1];
        if (e === undefined) return at(text, 'Unterminated string starting at', start);
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) return at(text, 'Invalid \\uXXXX escape', j + 1);
          j += 6;
          continue;
        }
        if (!ESCAPES.has(e)) return at(text, 'Invalid \\escape', j);
        j += 2;
        continue;
      }
      if (c < ' ') return at(text, 'Invalid control character at', j);
      j++;
    }
  };
  const key = (): string | null => {
    if (text[i] !== '"') return at(text, 'Expecting property name enclosed in double quotes', i);
    const err = string();
    if (err) return err;
    skip();
    if (text[i] !== ':') return at(text, "Expecting ':' delimiter", i);
    i++;
    return null;
  };
  skip();
  for (;;) {
    // a value at i
    skip();
    const c = text[i];
    let done = false;
    if (c === '{') {
      i++;
      skip();
      if (text[i] === '}') {
        i++;
        done = true;
      } else {
        const err = key();
        if (err) return err;
        stack.push('{');
        continue;
      }
    } else if (c === '[') {
      i++;
      skip();
      if (text[i] === ']') {
        i++;
        done = true;
      } else {
        stack.push('[');
        continue;
      }
    } else if (c === '"') {
      const err = string();
      if (err) return err;
      done = true;
    } else {
      NUMBER.lastIndex = i;
      const lit = LITERALS.find((l) => text.startsWith(l, i));
      if (lit) {
        i += lit.length;
        done = true;
      } else if (NUMBER.test(text)) {
        i = NUMBER.lastIndex;
        done = true;
      } else {
        return at(text, 'Expecting value', i);
      }
    }
    // after a value: close containers, or go to the next item
    while (done) {
      skip();
      const top = stack[stack.length - 1];
      if (top === undefined) return i < n ? at(text, 'Extra data', i) : null;
      const d = text[i];
      if (d === ',') {
        i++;
        skip();
        if (top === '{') {
          const err = key();
          if (err) return err;
        }
        done = false;
      } else if ((top === '[' && d === ']') || (top === '{' && d === '}')) {
        i++;
        stack.pop();
      } else {
        return at(text, "Expecting ',' delimiter", i);
      }
    }
  }
}
