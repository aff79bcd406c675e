import { expect } from 'chai';
import fc from 'fast-check';
import { XmlRpcParseError, parseFast, parseMethodCall, parseMethodCallGeneral, serializeResponse, serializeResponseBytes } from '../../rpc/xmlrpc_codec.ts';

// Documents as Python's xmlrpc.client.dumps writes them (what Odoo's users send).
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function pyValue(v: unknown): string {
  if (v === null) return '<value><nil/></value>';
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>\n`;
  if (typeof v === 'number') return Number.isInteger(v) ? `<value><int>${v}</int></value>\n` : `<value><double>${v}</double></value>\n`;
  if (typeof v === 'string') return `<value><string>${esc(v)}</string></value>\n`;
  if (Array.isArray(v)) return `<value><array><data>\n${v.map(pyValue).join('')}</data></array></value>\n`;
  const members = Object.entries(v as Record<string, unknown>).map(([k, x]) => `<member>\n<name>${esc(k)}</name>\n${pyValue(x)}</member>\n`);
  return `<value><struct>\n${members.join('')}</struct></value>\n`;
}
function pyCall(method: string, params: unknown[]): string {
  return `<?xml version='1.0'?>\n<methodCall>\n<methodName>${method}</methodName>\n<params>\n${params.map((p) => `<param>\n${pyValue(p)}</param>\n`).join('')}</params>\n</methodCall>\n`;
}

/** The fast path's answer, which must be the general parser's whenever it gives one. */
function fastAgrees(body: string | Buffer): 'fast' | 'general' {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const fast = parseFast(bytes);
  let general: unknown;
  try {
    general = parseMethodCallGeneral(body);
  } catch (err) {
    expect(err).to.be.instanceOf(XmlRpcParseError);
    expect(fast, `fast path accepted what the general parser refuses: ${String(err)}`).to.equal(null);
    return 'general';
  }
  if (fast === null) return 'general';
  expect(fast).to.deep.equal(general);
  return 'fast';
}

// Other clients' layouts: everything on one line, or indented.
function compactValue(v: unknown): string {
  if (v === null) return '<value><nil/></value>';
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === 'number') return Number.isInteger(v) ? `<value><i4>${v}</i4></value>` : `<value><double>${v}</double></value>`;
  if (typeof v === 'string') return v.length % 2 ? `<value>${esc(v)}</value>` : `<value><string>${esc(v)}</string></value>`;
  if (Array.isArray(v)) return `<value><array><data>${v.map(compactValue).join('')}</data></array></value>`;
  return `<value><struct>${Object.entries(v as Record<string, unknown>).map(([k, x]) => `<member><name>${esc(k)}</name>${compactValue(x)}</member>`).join('')}</struct></value>`;
}
function indentedValue(v: unknown, pad = '  '): string {
  if (Array.isArray(v)) return `${pad}<value>\n${pad} <array>\n${pad}  <data>\n${v.map((x) => indentedValue(x, pad + '   ')).join('')}${pad}  </data>\n${pad} </array>\n${pad}</value>\n`;
  if (v !== null && typeof v === 'object') {
    const members = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pad} <member>\n${pad}  <name>${esc(k)}</name>\n${indentedValue(x, pad + '  ')}${pad} </member>\n`);
    return `${pad}<value>\t<struct>\n${members.join('')}${pad}</struct>  </value>\n`;
  }
  return `${pad}${compactValue(v)}\n`;
}
const LAYOUTS = {
  python: pyCall,
  compact: (method: string, params: unknown[]) => `<?xml version="1.0" encoding="UTF-8"?><methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param>${compactValue(p)}</param>`).join('')}</params></methodCall>`,
  indented: (method: string, params: unknown[]) => `<methodCall>\n  <methodName>${method}</methodName>\n  <params>\n${params.map((p) => `   <param>\n${indentedValue(p, '    ')}   </param>\n`).join('')}  </params>\n</methodCall>`,
};

// Record lists as import scripts send them: the same member names, mostly in the same order.
const NAMES = ['name', 'mobile', 'email', 'list_ids', 'a', 'ab', 'na&me', 'nåme', '__proto__', 'x'.repeat(40)];
const TEXT_CHARS = ['a', 'Z', '0', ' ', '\t', '\n', '&', '<', '>', '"', "'", ']', ']]>', 'é', '€', '😀', '\u2028', '&amp;'];
const text = fc.array(fc.constantFrom(...TEXT_CHARS), { maxLength: 12 }).map((parts) => parts.join(''));
const leaf = fc.oneof(text, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, min: -1e9, max: 1e9 }));
const record = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, leaf, tie('struct'), fc.array(tie('value'), { maxLength: 3 })),
  struct: fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), tie('value')), { maxLength: 5, selector: ([k]) => k })
    .map((members) => Object.fromEntries(members) as Record<string, unknown>),
})).struct;

describe('rpc/xmlrpc_codec fast path', () => {
  it('reads every type Odoo uses, as the general parser does', () => {
    const body = `<?xml version="1.0" encoding="utf-8"?>
<methodCall><methodName>execute_kw</methodName><params>
<param><value><int>42</int></value></param>
<param><value><i4>-7</i4></value></param>
<param><value><i8>9007199254740</i8></value></param>
<param><value><boolean>1</boolean></value></param>
<param><value><boolean>0</boolean></value></param>
<param><value><string>a &amp; b &lt;c&gt; &#233;&#x20AC; é €</string></value></param>
<param><value>bare</value></param>
<param><value/></param>
<param><value><string/></value></param>
<param><value><double>-2.5e3</double></value></param>
<param><value><dateTime.iso8601>20240131T10:05:09</dateTime.iso8601></value></param>
<param><value><base64>aGVs
bG8=</base64></value></param>
<param><value><nil/></value></param>
<param><value><array><data><value><int>1</int></value><value><array><data/></array></value></data></array></value></param>
<param><value><struct><member><name>a</name><value><struct><member><name>b</name><value><array><data><value><string>x</string></value></data></array></value></member></struct></value></member><member><name>__proto__</name><value><int>1</int></value></member></struct></value></param>
</params></methodCall>`;
    expect(fastAgrees(body)).to.equal('fast');
    const { params } = parseMethodCall(Buffer.from(body));
    expect(params.slice(0, 14)).to.deep.equal([42, -7, 9007199254740, true, false, 'a & b <c> é€ é €', 'bare', '', '', -2500, '2024-01-31 10:05:09', 'aGVsbG8=', null, [1, []]]);
    const struct = params[14] as Record<string, unknown>;
    expect(struct.a).to.deep.equal({ b: ['x'] });
    expect(Object.getPrototypeOf(struct)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(struct, '__proto__')?.value).to.equal(1);
  });

  it('round-trips answers: what serializeResponse writes, both parsers read back alike', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
      // XML-RPC has no None and 32-bit ints only: what Odoo answers
      const clean = JSON.parse(JSON.stringify(v, (_k, x) => (x === null ? false : typeof x === 'number' && (!Number.isInteger(x) || Math.abs(x) > 2 ** 31 - 1) ? String(x) : x)));
      const xml = serializeResponse(clean).replace('<methodResponse>', '<methodCall><methodName>rt</methodName>').replace('</methodResponse>', '</methodCall>');
      expect(serializeResponseBytes(clean).toString()).to.equal(serializeResponse(clean));
      expect(fastAgrees(xml)).to.equal('fast');
      expect(parseMethodCall(xml).params[0]).to.deep.equal(clean);
    }), { numRuns: 300, seed: 16 });
  });

  it('never accepts what the general parser refuses, nor reads anything differently (mutated documents)', () => {
    const doc = fc.tuple(fc.string(), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }));
    const edit = fc.tuple(fc.nat(), fc.constantFrom('', '<', '>', '&', '/', 'x', '\r', '\x01', '<!--c-->', '&amp;', '&#0;', ']]>', '<value>', '</value>', ' ', '\u00e9', '\uFFFF', '<![CDATA[<]]>', '<!DOCTYPE x>'), fc.nat({ max: 3 }));
    let fast = 0;
    fc.assert(fc.property(doc, edit, ([method, params], [pos, insert, del]) => {
      const body = pyCall(method.replace(/[<&\r]/g, ''), params);
      if (fastAgrees(body) === 'fast') fast++;
      const at = pos % (body.length + 1);
      fastAgrees(body.slice(0, at) + insert + body.slice(at + del));
      fastAgrees(body.slice(0, at));
    }), { numRuns: 1500, seed: 16 });
    // most documents are plain (the others carry control characters, CR...): the fast path reads them
    expect(fast).to.be.greaterThan(500);
  });

  it('reads record lists in every layout as the general parser does, edited or not', () => {
    const doc = fc.tuple(fc.constantFrom('python', 'compact', 'indented'), fc.array(record, { minLength: 1, maxLength: 6 }), fc.boolean());
    const edit = fc.tuple(fc.nat(), fc.constantFrom('', '<', '/', 'e', '\n', ' ', '\r', '&', '&#xe9;', '</value>', '<value>', '<member>', '</name>', 'é', '\uFFFE'), fc.nat({ max: 4 }));
    const reads = { fast: 0, general: 0 };
    fc.assert(fc.property(doc, edit, ([layout, records, repeat], [pos, insert, del]) => {
      // repeated records: the member names guessed from the previous struct are right
      const list = repeat ? [...records, ...records, ...records] : records;
      const body = LAYOUTS[layout as keyof typeof LAYOUTS]('execute_kw', ['db', 2, 'pw', 'mailing.contact', 'create', [list]]);
      reads[fastAgrees(body)]++;
      const at = pos % (body.length + 1);
      fastAgrees(body.slice(0, at) + insert + body.slice(at + del));
    }), { numRuns: 2000, seed: 1616 });
    expect(reads.fast).to.be.greaterThan(1500);
  });

  it('reads bodies larger than its decoding window, with text of any size across its edges', () => {
    const long = 'x'.repeat(40_000);
    const records = Array.from({ length: 400 }, (_, i) => ({
      name: i % 7 ? `Contact ${i}` : `Contäct € ${i} 😀`,
      mobile: `+3247${String(i).padStart(7, '0')}`,
      ...(i % 3 ? {} : { email: `contact${i}@example.com &amp; co` }),
      list_ids: i % 2 ? [[6, 0, [i]]] : [[4, i]],
      ...(i === 200 ? { note: long, other: `é${long}`, empty: '' } : {}),
    }));
    const body = pyCall('execute_kw', ['db', 2, 'pw', 'mailing.contact', 'create', [records]]);
    expect(Buffer.byteLength(body)).to.be.greaterThan(150_000);
    expect(fastAgrees(body)).to.equal('fast');
    const created = parseMethodCall(Buffer.from(body)).params[5] as unknown[];
    expect(created).to.deep.equal([records]);
    // every byte offset of a text across the window edge: shift the whole body one byte at a time
    for (let shift = 0; shift < 40; shift++) {
      const shifted = pyCall('execute_kw', [' '.repeat(shift) + 'é', [records.slice(0, 120)]]);
      expect(fastAgrees(shifted)).to.equal('fast');
    }
  });

  it('guesses member names without mistaking one for another', () => {
    const rows = [
      { ab: 1, a: 2 }, { a: 3, ab: 4 }, { a: '5', ab: '6' }, { 'a&amp;b': 7 }, { 'a&b': 8 }, { abc: 9 }, { a: 10 }, {},
      { __proto__: 11 } as Record<string, unknown>, { nåme: 12 }, { name: { name: { name: 13 } } }, { name: [{ name: 14 }, { mobile: 15 }] },
    ];
    const deep = Array.from({ length: 12 }).reduce<unknown>((v, _, i) => ({ [`k${i % 3}`]: v, k: i }), 'leaf');
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field_${i}`, i]));
    for (const layout of Object.values(LAYOUTS)) {
      const body = layout('m', [rows, [deep, deep], [wide, wide, { ...wide, field_39: 'last' }]]);
      expect(fastAgrees(body)).to.equal('fast');
      const [list, deeps, wides] = parseMethodCall(body).params as unknown[][];
      expect(list).to.have.length(rows.length);
      expect(JSON.stringify(list)).to.equal(JSON.stringify(rows));
      expect(deeps).to.deep.equal([deep, deep]);
      expect((wides[2] as Record<string, unknown>).field_39).to.equal('last');
    }
  });

  it('tells apart guessed member names of any length that differ in a single byte', () => {
    // every word of a guess's markup compared (names up to 70 characters: 1 to 13 words with their tags)
    for (let len = 1; len <= 70; len++) {
      const name = Array.from({ length: len }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
      for (let at = 0; at < len; at++) {
        const other = name.slice(0, at) + 'Z' + name.slice(at + 1);
        const rows = [{ [name]: 'x', [name + '_2']: 1 }, { [other]: 'y', [name + '_2']: 2 }, { [name]: 'z', [other + '_2']: 3 }];
        const body = pyCall('m', [rows]);
        expect(fastAgrees(body)).to.equal('fast');
        expect(parseMethodCall(body).params[0]).to.deep.equal(rows);
      }
    }
  });

  it('leaves deeply nested documents to the general parser (no stack overflow)', () => {
    // written without recursion, as Python's marshaller would
    const nested = (n: number) => `<methodCall><methodName>m</methodName><params><param>${'<value><array><data>\n'.repeat(n)}<value><int>1</int></value>\n${'</data></array></value>\n'.repeat(n)}</param></params></methodCall>`;
    expect(fastAgrees(nested(150))).to.equal('fast');
    const deep = Buffer.from(nested(20_000));
    expect(parseFast(deep)).to.equal(null);
    let v = parseMethodCall(deep).params[0];
    for (let i = 0; i < 20_000; i++) v = (v as unknown[])[0];
    expect(v).to.equal(1);
  });

  it('leaves DTDs, comments, CDATA, CR, undefined entities and bad encodings to the general parser', () => {
    const wrap = (inner: string) => `<?xml version="1.0"?><methodCall><methodName>m</methodName><params><param>${inner}</param></params></methodCall>`;
    for (const body of [
      '<!DOCTYPE m [<!ENTITY x "y">]><methodCall><methodName>&x;</methodName></methodCall>',
      wrap('<value><string>a<!-- c -->b</string></value>'),
      wrap('<value><string><![CDATA[<raw>]]></string></value>'),
      wrap('<value><string>a\r\nb</string></value>'),
      wrap('<value><string>a&nbsp;b</string></value>'),
      wrap('<value><string>a&#1;b</string></value>'),
      wrap('<value><ex:i8>5</ex:i8></value>'),
      wrap('<value><int> 5 </int></value>'),
      wrap('<value><boolean>2</boolean></value>'),
      wrap('<value><string a="1">x</string></value>'),
      '<?xml version="1.0" encoding="iso-8859-1"?><methodCall><methodName>m</methodName></methodCall>',
      '\uFEFF<methodCall><methodName>m</methodName></methodCall>',
    ]) {
      expect(parseFast(Buffer.from(body)), body).to.equal(null);
    }
    expect(() => parseMethodCall(wrap('<value><string>a&nbsp;b</string></value>'))).to.throw(XmlRpcParseError, /^undefined entity/);
    expect(() => parseMethodCall(wrap('<value><string>x</strin></value>'))).to.throw(XmlRpcParseError, /^mismatched tag/);
    expect(() => parseMethodCall(wrap('<value><string>x</string></value>').slice(0, -5))).to.throw(XmlRpcParseError, /^unclosed token|^no element found/);
    expect(parseMethodCall(wrap('<value><string>a\r\nb&#13;</string></value>')).params).to.deep.equal(['a\nb\r']);
  });

  it('gives up on invalid UTF-8 wherever it sits, and the general parser refuses it as expat does', () => {
    const head = Buffer.from('<?xml version="1.0"?>\n<methodCall>\n<methodName>m</methodName>\n<params>\n<param>\n<value><struct>\n<member>\n<name>n');
    const mid = Buffer.from('</name>\n<value><string>caf');
    const tail = Buffer.from('</string></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodCall>\n');
    const good = Buffer.from('\u00e9\u20ac\u{1F600}');
    for (const bad of [[0xff], [0xc3], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0x80]].map((x) => Buffer.from(x))) {
      for (const body of [Buffer.concat([head, bad, mid, good, tail]), Buffer.concat([head, mid, bad, tail]), Buffer.concat([head, mid, good, bad, good, tail])]) {
        expect(parseFast(body), body.toString('latin1')).to.equal(null);
        expect(() => parseMethodCall(body)).to.throw(XmlRpcParseError, /^not well-formed \(invalid token\)/);
      }
    }
    expect(parseMethodCall(Buffer.concat([head, good, mid, good, tail])).params).to.deep.equal([{ ['n' + good.toString()]: 'caf' + good.toString() }]);
    expect(fastAgrees(Buffer.concat([head, good, mid, good, tail]))).to.equal('fast');
  });
});
