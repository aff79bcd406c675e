// Fuzzed external API calls, shared by test/rpc/fuzz.test.ts (a few thousand cases in npm test)
// and bench/fuzz.ts (10,000 against a server process): fast-check arbitraries for one call
// (protocol, model, method, arguments, uid, context, request id), its HTTP request, and a judge
// that says whether the answer is Odoo-shaped and free of JavaScript or SQL text.

import fc from 'fast-check';

export type Protocol = 'xmlrpc' | 'jsonrpc' | 'json2' | 'call_kw';
export const PROTOCOLS: Protocol[] = ['xmlrpc', 'jsonrpc', 'json2', 'call_kw'];

export interface FuzzCase {
  protocol: Protocol;
  model: unknown;
  method: unknown;
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** What the caller sends as uid (execute_kw) — usually the right one. */
  uid: unknown;
  /** JSON-RPC request id (echoed). */
  id: unknown;
  /** A whole-body replacement (malformed or deeply nested bodies), rarely. */
  rawBody?: string;
  /** Another service/method than object.execute_kw (XML-RPC and /jsonrpc), rarely. */
  service?: [unknown, unknown];
}

export interface Credentials {
  db: string;
  uid: number;
  password: string;
  apiKey: string;
  /** Session cookie of the same user, for /web/dataset/call_kw. */
  cookie: string;
}

export interface HttpRequestSpec {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpAnswerSpec {
  status: number;
  contentType: string;
  text: string;
}

// ------------------------------------------------------------------------------------------
// arbitraries
// ------------------------------------------------------------------------------------------

export const SERVED_MODELS = [
  'res.partner', 'res.users', 'res.country', 'res.groups', 'ir.config_parameter', 'ir.model', 'ir.model.access',
  'sms.sms', 'sms.template', 'mail.message', 'mailing.mailing', 'mailing.contact', 'mailing.list', 'mailing.trace',
  'utm.campaign', 'utm.source', 'phone.blacklist', 'link.tracker', 'res.users.apikeys.description',
];
const UNKNOWN_MODELS = ['no.such.model', '', 'res_partner', 'res.partner; DROP TABLE res_partner', 'RES.PARTNER', 'res.partner\u0000'];

const READ_METHODS = [
  'search', 'search_count', 'search_read', 'read', 'read_group', 'formatted_read_group', 'web_read_group', 'web_search_read',
  'web_read', 'name_search', 'fields_get', 'default_get', 'check_access_rights', 'has_access', 'check_access_rule', 'get_metadata',
  'copy_data', 'get_param', 'name_create',
];
// Writes get only missing or malformed ids (never real rows), so a success changes little.
const WRITE_METHODS = ['write', 'unlink', 'create', 'copy', 'action_archive', 'toggle_active', 'web_save', 'load', 'set_param', 'send', 'cancel'];
const PRIVATE_METHODS = ['_search', '_read_group', '_compute_display_name', 'exists', 'check_access', 'fetch', '_write', '__init__', 'search_fetch'];
const UNKNOWN_METHODS = ['no_such_method', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 'then', 'valueOf', ''];

const FIELD_NAMES = [
  'id', 'name', 'display_name', 'create_date', 'write_date', 'create_uid', 'active', 'state', 'partner_id', 'country_id',
  'email', 'phone', 'number', 'body', 'key', 'value', 'login', 'list_ids', 'contact_ids', 'user_ids', 'groups_id',
];
const BAD_FIELD_NAMES = [
  'no_such_field', 'partner_id.name', 'country_id.code', 'name.id', 'x" OR 1=1 --', "name'); DROP TABLE res_partner; --",
  'name::text', '__proto__', 'constructor', '', ' ', 'NAME', 'id desc', 'name\u0000',
];
const OPERATORS = [
  '=', '!=', '<', '<=', '>', '>=', 'like', 'ilike', 'not like', 'not ilike', '=like', '=ilike', 'in', 'not in', 'child_of',
  'parent_of', 'any', 'not any', '=?', 'starts with', 'IN', '==', '<>', ';', 'like; --', '', 'between',
];
const ORDERS = [
  'name', 'name desc', 'id asc', 'name desc nulls last, id', 'create_date DESC', 'id; DROP TABLE res_partner', 'name, (select 1)',
  '"name"', 'name asc asc', 'no_such_field', 'id desc, ', ',', 'name collate "C"', 'partner_id.name', 'random()', '1', 'id,,name',
];
const GROUPBYS = [
  'name', 'state', 'create_date:month', 'create_date:day', 'create_date:bogus', 'name::anything', 'name:month', 'partner_id',
  'no_such_field', 'create_date:quarter', 'id', 'country_id.name', 'name; DROP', '',
];
const AGGREGATES = ['__count', 'id:sum', 'id:max', 'name:count_distinct', 'id:bogus', 'no_such_field:sum', 'id', '__count:sum'];

const nastyString = fc.oneof(
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', "'", '"', '\\', '%', '_', '%_\\', "' OR '1'='1", '1; SELECT pg_sleep(0)', '😀', '\ud800', 'NaN', '2024-13-45', '9'.repeat(40)),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
);
const hugeInt = fc.constantFrom(2 ** 31, 2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 40, 2 ** 53 - 1, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e300, 2 ** 63);
const anyInt = fc.oneof(fc.integer({ min: -5, max: 10 }), hugeInt, fc.integer());
const scalar = fc.oneof(anyInt, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), nastyString);

/** Any JSON value, shallow. */
export const anyJson = fc.oneof({ weight: 3, arbitrary: scalar }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });

/** An array nested `depth` levels: [[[...]]]. */
export function nested(depth: number, inner: unknown = 1): unknown {
  let v: unknown = inner;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
const deep = fc.integer({ min: 50, max: 3000 }).map((d) => nested(d));

const fieldName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FIELD_NAMES) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_FIELD_NAMES) });

const leaf = fc.tuple(
  fc.oneof({ weight: 5, arbitrary: fieldName }, { weight: 1, arbitrary: anyJson }),
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...OPERATORS) }, { weight: 1, arbitrary: anyJson }),
  fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }), fc.constant([]), fc.dictionary(fc.string({ maxLength: 5 }), scalar, { maxKeys: 2 })),
);

const { domain } = fc.letrec((tie) => ({
  domain: fc.oneof(
    { weight: 3, arbitrary: fc.array(tie('item'), { maxLength: 5 }) },
    { weight: 1, arbitrary: fc.constant([]) },
  ),
  item: fc.oneof(
    { weight: 6, arbitrary: leaf },
    { weight: 2, arbitrary: fc.constantFrom('&', '|', '!', '&&', 'AND', true, false, 1) },
    { weight: 1, arbitrary: tie('domain') },
    { weight: 1, arbitrary: anyJson },
  ),
}));

/** A domain: mostly well-formed, sometimes not, sometimes not a list at all, rarely very deep. */
export const domainArb = fc.oneof(
  { weight: 8, arbitrary: domain },
  { weight: 2, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }).map((n) => [...Array(n).fill('&'), ...Array(n + 1).fill(['id', '>', 0])]) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 3000 }).map((n) => nested(n, ['id', '=', 1])) },
);
const fieldsArb = fc.oneof(
  { weight: 4, arbitrary: fc.array(fieldName, { maxLength: 4 }) },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.dictionary(fieldName, fc.oneof(fc.constant({}), anyJson), { maxKeys: 3 }) },
);
const orderArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ORDERS) }, { weight: 1, arbitrary: anyJson });
const limitArb = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 100 }) }, { weight: 2, arbitrary: scalar }, { weight: 1, arbitrary: anyJson });
const groupbyArb = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...GROUPBYS), { maxLength: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(...GROUPBYS) },
  { weight: 1, arbitrary: anyJson },
);
const aggregatesArb = fc.oneof({ weight: 3, arbitrary: fc.array(fc.constantFrom(...AGGREGATES), { maxLength: 3 }) }, { weight: 1, arbitrary: anyJson });
const idsRead = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.integer({ min: -2, max: 8 }), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: -2, max: 8 }) },
  { weight: 2, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.array(anyJson, { maxLength: 3 }) },
);
// never an existing row: writes must not touch the fixtures the judge relies on
const idsWrite = fc.oneof(
  { weight: 2, arbitrary: fc.array(fc.integer({ min: 100_000, max: 2 ** 31 - 1 }), { maxLength: 3 }) },
  { weight: 1, arbitrary: hugeInt.map((n) => [n]) },
  { weight: 2, arbitrary: fc.oneof(nastyString, fc.double({ noNaN: true }), fc.dictionary(fc.string({ maxLength: 3 }), scalar, { maxKeys: 2 })) },
  { weight: 1, arbitrary: fc.array(fc.oneof(nastyString, fc.constant(null), fc.double({ min: 0.1, max: 9.9 })), { minLength: 1, maxLength: 3 }) },
);
const valsArb = fc.oneof(
  { weight: 3, arbitrary: fc.dictionary(fieldName, fc.oneof(scalar, fc.array(anyJson, { maxLength: 3 })), { maxKeys: 3 }) },
  { weight: 1, arbitrary: anyJson },
);
const contextArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        lang: fc.oneof(fc.constantFrom('en_US', 'fr_FR', ''), anyJson),
        tz: fc.oneof(fc.constantFrom('Europe/Brussels', 'UTC', 'Mars/Olympus', "'; DROP"), anyJson),
        active_test: anyJson,
        uid: anyJson,
        allowed_company_ids: anyJson,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anyJson },
);

/** Positional arguments by method: plausible slots, each sometimes junk. */
function argsFor(method: string): fc.Arbitrary<unknown[]> {
  switch (method) {
    case 'search': return fc.tuple(domainArb, limitArb, limitArb, orderArb);
    case 'search_count': return fc.tuple(domainArb, limitArb);
    case 'search_read': return fc.tuple(domainArb, fieldsArb, limitArb, limitArb, orderArb);
    case 'read': return fc.tuple(idsRead, fieldsArb);
    case 'read_group': return fc.tuple(domainArb, fieldsArb, groupbyArb, limitArb, limitArb, orderArb, anyJson);
    case 'formatted_read_group': return fc.tuple(domainArb, groupbyArb, aggregatesArb, domainArb, limitArb, limitArb, orderArb);
    case 'web_read_group': return fc.tuple(domainArb, groupbyArb, aggregatesArb, limitArb, limitArb, orderArb);
    case 'web_search_read': return fc.tuple(domainArb, fieldsArb, limitArb, limitArb, orderArb, limitArb);
    case 'web_read': return fc.tuple(idsRead, fieldsArb);
    case 'name_search': return fc.tuple(fc.oneof(nastyString, anyJson), domainArb, fc.oneof(fc.constantFrom(...OPERATORS), anyJson), limitArb);
    case 'fields_get': return fc.tuple(fieldsArb, fc.oneof(fc.array(fc.constantFrom('type', 'string', 'relation', 'no_attr'), { maxLength: 3 }), anyJson));
    case 'default_get': return fc.tuple(fieldsArb);
    case 'check_access_rights': return fc.tuple(fc.oneof(fc.constantFrom('read', 'write', 'create', 'unlink', 'delete'), anyJson), anyJson);
    case 'has_access': case 'check_access_rule': return fc.tuple(idsRead, fc.oneof(fc.constantFrom('read', 'write', 'create', 'unlink', 'bogus'), anyJson));
    case 'get_metadata': case 'copy_data': return fc.tuple(idsRead);
    case 'get_param': return fc.tuple(fc.oneof(fc.constantFrom('web.base.url', 'database.uuid', 'no.such.key'), anyJson), anyJson);
    case 'name_create': return fc.tuple(fc.oneof(anyJson, fc.constant(['a'])));
    case 'write': return fc.tuple(idsWrite, valsArb);
    case 'create': return fc.tuple(fc.oneof(anyJson, fc.array(anyJson, { maxLength: 2 }), fc.constant([{ id: 'x' }])));
    case 'copy': case 'web_save': return fc.tuple(idsWrite, valsArb);
    case 'load': return fc.tuple(fieldsArb, fc.oneof(anyJson, fc.array(fc.array(scalar, { maxLength: 3 }), { maxLength: 2 })));
    case 'set_param': return fc.tuple(fc.oneof(fc.constant('fuzz.key'), anyJson), anyJson);
    default: return fc.tuple(idsWrite);
  }
}

const methodArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...READ_METHODS) },
  { weight: 4, arbitrary: fc.constantFrom(...WRITE_METHODS) },
  { weight: 2, arbitrary: fc.constantFrom(...PRIVATE_METHODS) },
  { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_METHODS) },
  { weight: 1, arbitrary: anyJson },
);
const modelArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...SERVED_MODELS) },
  { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_MODELS) },
  { weight: 1, arbitrary: anyJson },
);
const uidArb = fc.oneof(
  { weight: 20, arbitrary: fc.constant('self') },
  { weight: 1, arbitrary: fc.oneof(hugeInt, fc.constantFrom(0, -1, 1, '2', ' 2 ', 'abc', null, 2.5, true, [], {}, 1e309)) },
);
const idArb = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(fc.integer(), fc.string({ maxLength: 8 })) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(null), anyJson, fc.integer({ min: 10, max: 20_000 }).map((d) => nested(d, 7))) },
);
const serviceArb = fc.oneof(
  fc.constantFrom<[unknown, unknown]>(['object', 'execute'], ['common', 'version'], ['common', 'login'], ['common', 'authenticate'], ['db', 'list'], ['db', 'server_version'], ['db', 'drop'], ['object', 'no_such'], ['nope', 'list']),
  fc.tuple(anyJson, anyJson),
);
const rawBodyArb = fc.oneof(
  fc.constantFrom('', '{', 'null', '[]', '"x"', '{"jsonrpc": "2.0", "params": [1,2]}', '<?xml version="1.0"?><methodCall>', '{"a": NaN}', "{'a': 1}", '\u0000'),
  fc.integer({ min: 1000, max: 20_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.string({ maxLength: 30 }),
);

/** Split positional arguments: some trailing ones go by name, as clients do. */
function splitArgs(method: string, positional: unknown[], cut: number, extra: Record<string, unknown>): { args: unknown[]; kwargs: Record<string, unknown> } {
  const names = PARAM_NAMES[method] ?? [];
  const args = positional.slice(0, cut);
  const kwargs: Record<string, unknown> = { ...extra };
  positional.slice(cut).forEach((v, i) => {
    const name = names[cut + i];
    if (name) kwargs[name] = v;
  });
  return { args, kwargs };
}

const PARAM_NAMES: Record<string, string[]> = {
  search: ['domain', 'offset', 'limit', 'order'],
  search_count: ['domain', 'limit'],
  search_read: ['domain', 'fields', 'offset', 'limit', 'order'],
  read: ['ids', 'fields'],
  read_group: ['domain', 'fields', 'groupby', 'offset', 'limit', 'orderby', 'lazy'],
  formatted_read_group: ['domain', 'groupby', 'aggregates', 'having', 'offset', 'limit', 'order'],
  web_read_group: ['domain', 'groupby', 'aggregates', 'limit', 'offset', 'order'],
  web_search_read: ['domain', 'specification', 'offset', 'limit', 'order', 'count_limit'],
  web_read: ['ids', 'specification'],
  name_search: ['name', 'domain', 'operator', 'limit'],
  fields_get: ['allfields', 'attributes'],
  default_get: ['fields'],
  check_access_rights: ['operation', 'raise_exception'],
  has_access: ['ids', 'operation'],
  check_access_rule: ['ids', 'operation'],
  get_metadata: ['ids'],
  copy_data: ['ids'],
  get_param: ['key', 'default'],
  name_create: ['name'],
  write: ['ids', 'vals'],
  create: ['vals_list'],
  copy: ['ids', 'default'],
  web_save: ['ids', 'vals'],
  load: ['fields', 'data'],
  set_param: ['key', 'value'],
};

/** One fuzzed call. */
export const fuzzCaseArb: fc.Arbitrary<FuzzCase> = fc
  .record({
    protocol: fc.constantFrom(...PROTOCOLS),
    model: modelArb,
    method: methodArb,
    uid: uidArb,
    id: idArb,
    context: contextArb,
    cut: fc.nat({ max: 8 }),
    extraKwargs: fc.oneof({ weight: 6, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), anyJson, { maxKeys: 2 }) }),
    service: fc.oneof({ weight: 25, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: serviceArb }),
    raw: fc.oneof({ weight: 30, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: rawBodyArb }),
    deepArg: fc.oneof({ weight: 40, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: deep }),
    seed: fc.integer(),
  })
  .chain((r) => {
    const method = typeof r.method === 'string' ? r.method : 'search';
    return argsFor(method).map((positional) => {
      const pos = r.deepArg !== null ? [...positional.slice(0, 1), r.deepArg] : positional;
      const extra = r.context === undefined ? r.extraKwargs : { ...r.extraKwargs, context: r.context };
      const { args, kwargs } = splitArgs(method, pos, r.cut, extra);
      const c: FuzzCase = { protocol: r.protocol, model: r.model, method: r.method, args, kwargs, uid: r.uid, id: r.id };
      if (r.raw !== null) c.rawBody = r.raw;
      if (r.service !== null) c.service = r.service;
      return c;
    });
  });

// ------------------------------------------------------------------------------------------
// requests
// ------------------------------------------------------------------------------------------

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Python's xmlrpc.client (allow_none) marshalling, plus <i8> for large ints, iteratively deep.
function xmlValue(v: unknown): string {
  if (v === null || v === undefined) return '<value><nil/></value>';
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) < 2 ** 31) return `<value><int>${v}</int></value>`;
    if (Number.isSafeInteger(v)) return `<value><i8>${v}</i8></value>`;
    return `<value><double>${v}</double></value>`;
  }
  if (typeof v === 'string') return `<value><string>${xmlEscape(v)}</string></value>`;
  if (Array.isArray(v)) {
    // deep arrays of one element: built without recursion
    let depth = 0;
    let inner: unknown = v;
    while (Array.isArray(inner) && inner.length === 1 && Array.isArray(inner[0])) {
      depth++;
      inner = inner[0];
    }
    if (depth > 20) return '<value><array><data>'.repeat(depth) + xmlValue(inner) + '</data></array></value>'.repeat(depth);
    return `<value><array><data>${v.map(xmlValue).join('')}</data></array></value>`;
  }
  return `<value><struct>${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `<member><name>${xmlEscape(k)}</name>${xmlValue(x)}</member>`)
    .join('')}</struct></value>`;
}

// JSON.stringify of a very deep array overflows the stack: write those iteratively.
function toJson(v: unknown): string {
  let depth = 0;
  let inner: unknown = v;
  while (Array.isArray(inner) && inner.length === 1 && Array.isArray(inner[0])) {
    depth++;
    inner = inner[0];
  }
  if (depth > 500) return '['.repeat(depth) + JSON.stringify(inner) + ']'.repeat(depth);
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : toJson(x))).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

// a lone surrogate cannot be percent-encoded: sent as U+FFFD, as a client library would
function pathPart(v: unknown): string {
  const text = (typeof v === 'string' ? v : JSON.stringify(v) ?? 'null').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  return encodeURIComponent(text).replace(/%2F/gi, '_') || 'x';
}

function callerUid(c: FuzzCase, creds: Credentials): unknown {
  return c.uid === 'self' ? creds.uid : c.uid;
}

/** The HTTP request of a case. */
export function buildRequest(c: FuzzCase, creds: Credentials): HttpRequestSpec {
  const executeKw = [creds.db, callerUid(c, creds), creds.password, c.model, c.method, c.args, c.kwargs];
  const [service, method] = c.service ?? ['object', 'execute_kw'];
  switch (c.protocol) {
    case 'xmlrpc': {
      const body = c.rawBody ?? `<?xml version="1.0"?><methodCall><methodName>${xmlEscape(String(method))}</methodName><params>${executeKw.map((p) => `<param>${xmlValue(p)}</param>`).join('')}</params></methodCall>`;
      return { path: `/xmlrpc/2/${pathPart(service)}`, headers: { 'Content-Type': 'text/xml' }, body };
    }
    case 'jsonrpc': {
      const body = c.rawBody ?? toJson({ jsonrpc: '2.0', method: 'call', id: c.id, params: { service, method, args: executeKw } });
      return { path: '/jsonrpc', headers: { 'Content-Type': 'application/json' }, body };
    }
    case 'call_kw': {
      const body = c.rawBody ?? toJson({ jsonrpc: '2.0', method: 'call', id: c.id, params: { model: c.model, method: c.method, args: c.args, kwargs: c.kwargs } });
      return { path: `/web/dataset/call_kw/${pathPart(c.model)}/${pathPart(c.method)}`, headers: { 'Content-Type': 'application/json', Cookie: creds.cookie }, body };
    }
    case 'json2': {
      // JSON-2 has no positional arguments: the first one becomes `ids` for record methods' shape
      const names = PARAM_NAMES[String(c.method)] ?? [];
      const named: Record<string, unknown> = { ...c.kwargs };
      c.args.forEach((v, i) => {
        named[names[i] ?? `arg${i}`] = v;
      });
      const body = c.rawBody ?? toJson(named);
      const model = pathPart(c.model);
      const method = pathPart(c.method);
      const key = c.uid === 'self' ? creds.apiKey : String(c.uid);
      return { path: `/json/2/${model}/${method}`, headers: { 'Content-Type': 'application/json', Authorization: `bearer ${key}` }, body };
    }
  }
}

// ------------------------------------------------------------------------------------------
// judging answers
// ------------------------------------------------------------------------------------------

/** Texts that betray JavaScript, Node or PostgreSQL behind an answer. */
export const LEAK_PATTERNS: RegExp[] = [
  /Cannot read propert/, /Cannot set propert/, /Cannot use 'in' operator/, /Cannot convert/, /Invalid array length/, /Invalid time value/, /\bis not a function\b/, /(?<!object) is not iterable\b/, /\bis not defined\b/, /\bundefined\b/,
  /\[object Object\]/, /\bat (async )?[\w.<>]+ \(/, /\bat Object\./, /\.ts:\d+/, /\.m?js:\d+/, /node_modules/, /Maximum call stack/,
  /Unexpected token/, /in JSON at position/, /is not valid JSON/, /Unexpected end of JSON/, /Bad control character in string literal/,
  /syntax error at or near/, /relation "/, /column "/, /\bviolates\b/, /invalid input syntax/, /out of range for type/,
  /invalid byte sequence/, /unterminated quoted/, /current transaction is aborted/, /\bSQLSTATE\b/, /null value in column/,
  /duplicate key value/, /operator does not exist/, /function .+ does not exist/, /could not determine data type/,
  /\bRangeError\b/, /\bReferenceError\b/, /\bSyntaxError\b/, /\bBigInt\b/, /\bNaN\b/,
];

// What Odoo lets through: its own exceptions, Python builtins, werkzeug HTTP exceptions.
const ODOO_NAMES = /^(odoo\.exceptions\.(UserError|ValidationError|AccessError|AccessDenied|MissingError|LockError|RedirectWarning)|odoo\.http\.SessionExpiredException|builtins\.(ValueError|TypeError|KeyError|AttributeError|IndexError|NameError|RecursionError|OverflowError|AssertionError)|werkzeug\.exceptions\.\w+|psycopg2\.OperationalError|xml\.parsers\.expat\.ExpatError|xmlrpc\.client\.ResponseError)$/;
const TRACEBACK_NAMES = /^(UserError|ValidationError|AccessError|AccessDenied|MissingError|LockError|ValueError|TypeError|KeyError|AttributeError|IndexError|NameError|RecursionError|OverflowError|AssertionError|psycopg2\.OperationalError|xml\.parsers\.expat\.ExpatError|xmlrpc\.client\.ResponseError|odoo\.exceptions\.\w+|werkzeug\.exceptions\.\w+)$/;

export interface Verdict {
  /** 'result' or the error class (e.g. builtins.ValueError, fault 4, HTTP 400). */
  errorClass: string;
  failed: boolean;
  /** Why the answer is not Odoo-shaped (empty: fine). */
  shape: string[];
  /** JavaScript/SQL texts found in the answer. */
  leaks: string[];
}

function leaksIn(text: string, c: FuzzCase): string[] {
  const found: string[] = [];
  for (const re of LEAK_PATTERNS) {
    const m = re.exec(text);
    // a fragment the caller sent is echoed legitimately (e.g. "Invalid field 'NaN'")
    if (m && !sentText(c).includes(m[0])) found.push(m[0]);
  }
  return found;
}

const sentCache = new WeakMap<FuzzCase, string>();
function sentText(c: FuzzCase): string {
  let s = sentCache.get(c);
  if (s === undefined) {
    try {
      s = (c.rawBody ?? '') + JSON.stringify([c.model, c.method, c.args, c.kwargs, c.uid, c.service]);
    } catch {
      s = c.rawBody ?? '';
    }
    sentCache.set(c, s);
  }
  return s;
}

function sameJson(a: unknown, b: unknown): boolean {
  try {
    return toJson(a) === toJson(b);
  } catch {
    return false;
  }
}

function judgeJsonRpc(c: FuzzCase, a: HttpAnswerSpec, v: Verdict): void {
  if (a.status === 400 && /^text\/html/.test(a.contentType) && ['Invalid JSON data', 'Invalid JSON-RPC data'].includes(a.text)) {
    v.errorClass = `HTTP 400 ${a.text}`;
    v.failed = true;
    return;
  }
  if (a.status !== 200) {
    v.shape.push(`HTTP ${a.status}`);
    return;
  }
  let body: any;
  try {
    body = JSON.parse(a.text);
  } catch {
    v.shape.push('not JSON');
    return;
  }
  if (body?.jsonrpc !== '2.0') v.shape.push('no jsonrpc 2.0');
  if (c.rawBody === undefined && !('id' in body)) v.shape.push('no id');
  // a request id deeper than the nesting limit is not echoed (the request is refused whole)
  const expectedId = c.rawBody === undefined ? c.id ?? null : undefined;
  if (expectedId !== undefined && !sameJson(body.id, expectedId) && !(body.error?.data?.name === 'builtins.RecursionError' && body.id === null)) v.shape.push('id not echoed');
  if (body.error) {
    v.failed = true;
    const e = body.error;
    if (![0, 100, 404].includes(e.code)) v.shape.push(`error.code ${e.code}`);
    if (typeof e.message !== 'string') v.shape.push('error.message');
    const d = e.data ?? {};
    if (typeof d.name !== 'string' || !ODOO_NAMES.test(d.name)) v.shape.push(`error name ${d.name}`);
    if (typeof d.message !== 'string' || !Array.isArray(d.arguments) || typeof d.debug !== 'string' || typeof d.context !== 'object') v.shape.push('error.data members');
    v.errorClass = String(d.name);
    v.leaks.push(...leaksIn(`${d.message}\n${d.debug}`, c));
  } else if (!('result' in body) && body.result !== undefined) {
    v.shape.push('neither result nor error');
  }
}

function judgeXmlRpc(c: FuzzCase, a: HttpAnswerSpec, v: Verdict): void {
  if (a.status !== 200 || !/^text\/xml/.test(a.contentType)) {
    v.shape.push(`HTTP ${a.status} ${a.contentType}`);
    return;
  }
  if (!/^<\?xml version=['"]1\.0['"]\?>\n<methodResponse>/.test(a.text)) {
    v.shape.push('not a methodResponse');
    return;
  }
  if (!a.text.includes('<fault>')) return;
  v.failed = true;
  const code = /<name>faultCode<\/name>\n<value><int>(\d+)<\/int>/.exec(a.text)?.[1];
  const str = /<name>faultString<\/name>\n<value><string>([\s\S]*?)<\/string>/.exec(a.text)?.[1] ?? '';
  if (!code || !['1', '2', '3', '4'].includes(code)) {
    v.shape.push(`faultCode ${code}`);
    return;
  }
  const text = str.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  if (code === '1') {
    const m = /^Traceback \(most recent call last\):\n {2}\[server stack frames omitted\]\n([\w.]+)(?::|\n)/.exec(text);
    if (!m || !TRACEBACK_NAMES.test(m[1]!)) v.shape.push(`fault 1 ${m?.[1] ?? text.slice(0, 60)}`);
    v.errorClass = `fault 1 ${m?.[1] ?? '?'}`;
  } else {
    v.errorClass = `fault ${code}`;
  }
  v.leaks.push(...leaksIn(text, c));
}

function judgeJson2(c: FuzzCase, a: HttpAnswerSpec, v: Verdict): void {
  if (a.status === 200) {
    try {
      JSON.parse(a.text);
    } catch {
      v.shape.push('200 not JSON');
    }
    return;
  }
  v.failed = true;
  let body: any;
  try {
    body = JSON.parse(a.text);
  } catch {
    v.shape.push(`HTTP ${a.status} not JSON`);
    return;
  }
  const name = String(body?.name);
  v.errorClass = `HTTP ${a.status} ${name}`;
  if (!ODOO_NAMES.test(name)) v.shape.push(`error name ${name}`);
  if (typeof body.message !== 'string' || !Array.isArray(body.arguments) || typeof body.debug !== 'string') v.shape.push('error members');
  if (![400, 401, 403, 404, 409, 413, 415, 422, 500].includes(a.status)) v.shape.push(`HTTP ${a.status}`);
  // Odoo's JSON-2 answers 500 for exceptions outside the UserError family (builtins, mostly)
  if (a.status >= 500 && !/^(builtins\.|psycopg2\.OperationalError$)/.test(name)) v.shape.push(`HTTP ${a.status} for ${name}`);
  v.leaks.push(...leaksIn(`${body.message}\n${body.debug}`, c));
}

/** Whether an answer is Odoo-shaped, what error class it is, and any JS/SQL text in it. */
export function judge(c: FuzzCase, a: HttpAnswerSpec): Verdict {
  const v: Verdict = { errorClass: 'result', failed: false, shape: [], leaks: [] };
  if (c.protocol === 'xmlrpc') judgeXmlRpc(c, a, v);
  else if (c.protocol === 'json2') judgeJson2(c, a, v);
  else judgeJsonRpc(c, a, v);
  return v;
}

/** One row per key table: a checksum of its content, to prove a failed call changed nothing. */
export const CHECKSUM_TABLES = [
  'res_partner', 'res_users', 'res_groups', 'ir_config_parameter', 'sms_sms', 'sms_template', 'mail_message', 'mailing_mailing',
  'mailing_contact', 'mailing_list', 'mailing_trace', 'utm_campaign', 'phone_blacklist', 'res_users_apikeys', 'ir_model_access',
];

/**
 * The key tables a portal user or an internal user without marketing rights may not change at
 * all, whatever it calls (its own messages, API keys, preferences and UTM records aside).
 */
export const LOW_RIGHT_PROTECTED_TABLES = [
  'res_groups', 'ir_config_parameter', 'sms_sms', 'sms_template', 'mailing_mailing', 'mailing_contact', 'mailing_list',
  'mailing_trace', 'phone_blacklist', 'ir_model_access',
];

export function checksumSql(existing: string[]): string {
  return `SELECT ${existing.map((t) => `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x.id), '')) FROM ${t} x)`).join(" || ':' || ")} AS sum`;
}

/** Short description of a case for failure messages. */
export function describeCase(c: FuzzCase): string {
  const s = c.rawBody !== undefined ? `raw ${JSON.stringify(c.rawBody.slice(0, 80))}` : toJson({ model: c.model, method: c.method, args: c.args, kwargs: c.kwargs, uid: c.uid });
  return `${c.protocol} ${s.length > 400 ? `${s.slice(0, 400)}…` : s}`;
}

// ------------------------------------------------------------------------------------------
// running
// ------------------------------------------------------------------------------------------

export interface FuzzTarget {
  send(req: HttpRequestSpec): Promise<HttpAnswerSpec>;
  /** Checksum of the key tables (see checksumSql). */
  checksum(): Promise<string>;
  /** Unexpected (non-Odoo) errors the server logged so far, e.g. a JS TypeError reaching the boundary. */
  unexpectedErrors(): number;
  /** Checksum of LOW_RIGHT_PROTECTED_TABLES, compared around every call of a low-right user. */
  protectedChecksum?(): Promise<string>;
}

export interface FuzzFinding {
  kind: 'shape' | 'leak' | 'change' | 'unexpected' | 'forbidden change';
  detail: string;
  case: string;
}

export interface FuzzReport {
  cases: number;
  byProtocol: Record<string, number>;
  byClass: Record<string, number>;
  notOdooShaped: number;
  jsOrSqlText: number;
  changesFromFailedCalls: number;
  unexpectedErrors: number;
  /** Cases run as a portal user / an internal user without marketing rights. */
  byUser: Record<string, number>;
  /** Calls of those users that changed a table they have no right to change. */
  forbiddenChanges: number;
  findings: FuzzFinding[];
}

export function emptyReport(): FuzzReport {
  return { cases: 0, byProtocol: {}, byClass: {}, notOdooShaped: 0, jsOrSqlText: 0, changesFromFailedCalls: 0, unexpectedErrors: 0, byUser: {}, forbiddenChanges: 0, findings: [] };
}

/** Run one case against the target and add it to the report; returns the findings of this case. */
export async function runCase(target: FuzzTarget, creds: Credentials, c: FuzzCase, report: FuzzReport, before?: string, lowRightUser?: string): Promise<{ findings: FuzzFinding[]; after?: string }> {
  const findings: FuzzFinding[] = [];
  const sumBefore = before ?? (await target.checksum());
  const protectedBefore = lowRightUser && target.protectedChecksum ? await target.protectedChecksum() : undefined;
  if (lowRightUser) report.byUser[lowRightUser] = (report.byUser[lowRightUser] ?? 0) + 1;
  const unexpectedBefore = target.unexpectedErrors();
  const answer = await target.send(buildRequest(c, creds));
  const v = judge(c, answer);
  report.cases++;
  report.byProtocol[c.protocol] = (report.byProtocol[c.protocol] ?? 0) + 1;
  const cls = `${c.protocol}: ${v.errorClass}`;
  report.byClass[cls] = (report.byClass[cls] ?? 0) + 1;
  const what = describeCase(c);
  if (v.shape.length) {
    report.notOdooShaped++;
    findings.push({ kind: 'shape', detail: `${v.shape.join(', ')} — ${answer.status} ${answer.text.slice(0, 300)}`, case: what });
  }
  if (v.leaks.length) {
    report.jsOrSqlText++;
    findings.push({ kind: 'leak', detail: `${v.leaks.join(', ')} — ${answer.text.slice(0, 400)}`, case: what });
  }
  const unexpected = target.unexpectedErrors() - unexpectedBefore;
  if (unexpected > 0) {
    report.unexpectedErrors += unexpected;
    findings.push({ kind: 'unexpected', detail: `${unexpected} unexpected error(s) logged — ${answer.text.slice(0, 300)}`, case: what });
  }
  let after: string | undefined;
  if (v.failed) {
    after = await target.checksum();
    if (after !== sumBefore) {
      report.changesFromFailedCalls++;
      findings.push({ kind: 'change', detail: 'a failed call changed the key tables', case: what });
    }
  }
  if (protectedBefore !== undefined && (await target.protectedChecksum!()) !== protectedBefore) {
    report.forbiddenChanges++;
    findings.push({ kind: 'forbidden change', detail: `a call as the ${lowRightUser} user changed a table it has no right to change`, case: what });
  }
  report.findings.push(...findings);
  return { findings, after };
}

/** Counts by error class, as a sorted table. */
export function formatReport(r: FuzzReport): string {
  const lines = [`cases: ${r.cases} (${Object.entries(r.byProtocol).map(([p, n]) => `${p} ${n}`).join(', ')})`, 'answers by class:'];
  for (const [k, n] of Object.entries(r.byClass).sort((a, b) => a[0].localeCompare(b[0]))) lines.push(`  ${String(n).padStart(6)}  ${k}`);
  lines.push(`not Odoo-shaped answers: ${r.notOdooShaped}`);
  lines.push(`answers with JavaScript/SQL text: ${r.jsOrSqlText}`);
  lines.push(`unexpected errors logged by the server: ${r.unexpectedErrors}`);
  lines.push(`changes from failed calls: ${r.changesFromFailedCalls}`);
  if (Object.keys(r.byUser).length) {
    lines.push(`cases as low-right users: ${Object.entries(r.byUser).map(([u, n]) => `${u} ${n}`).join(', ')}`);
    lines.push(`changes by low-right users to tables they may not change: ${r.forbiddenChanges}`);
  }
  return lines.join('\n');
}
