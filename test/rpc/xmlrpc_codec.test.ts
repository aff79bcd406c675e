import { expect } from 'chai';
import { parseCapture } from '../helpers/odoo19.ts';
import {
  XmlRpcDouble,
  XmlRpcMarshalError,
  XmlRpcParseError,
  parseMethodCall,
  pyFloatRepr,
  serializeFault,
  serializeResponse,
} from '../../rpc/xmlrpc_codec.ts';
import { toXmlRpcFault } from '../../rpc/errors.ts';


const capture = parseCapture;

function call(paramsXml: string, method = 'm'): unknown[] {
  return parseMethodCall(`<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${paramsXml}</params></methodCall>`).params;
}
const param = (valueXml: string): unknown => call(`<param>${valueXml}</param>`)[0];

// Turn a methodResponse into a methodCall so serialized values can be parsed back.
function roundTrip(value: unknown): unknown {
  const xml = serializeResponse(value).replace('<methodResponse>', '<methodCall><methodName>rt</methodName>').replace('</methodResponse>', '</methodCall>');
  return parseMethodCall(xml).params[0];
}

function parseError(body: string | Buffer): XmlRpcParseError {
  try {
    parseMethodCall(body);
  } catch (err) {
    expect(err).to.be.instanceOf(XmlRpcParseError);
    return err as XmlRpcParseError;
  }
  throw new Error('expected a parse error');
}

describe('rpc/xmlrpc_codec parseMethodCall', () => {
  it('parses the captured execute_kw read request', () => {
    const { request } = capture('xmlrpc-object-read.txt');
    expect(parseMethodCall(request)).to.deep.equal({
      methodName: 'execute_kw',
      params: ['odoo19', 2, 'admin', 'res.partner', 'read', [[3], ['name', 'country_id', 'category_id', 'create_date', 'color']]],
    });
  });

  it('parses a methodCall without params, from a Buffer too', () => {
    const { request } = capture('xmlrpc-common-version.txt');
    expect(parseMethodCall(Buffer.from(request))).to.deep.equal({ methodName: 'version', params: [] });
  });

  it('reads every scalar type like Python xmlrpc.client', () => {
    expect(param('<value><int>42</int></value>')).to.equal(42);
    expect(param('<value><i4>-7</i4></value>')).to.equal(-7);
    expect(param('<value><i8>9007199254740991</i8></value>')).to.equal(9007199254740991);
    expect(param('<value><ex:i8>5</ex:i8></value>')).to.equal(5);
    expect(param('<value><int> +3 </int></value>')).to.equal(3);
    expect(param('<value><boolean>1</boolean></value>')).to.equal(true);
    expect(param('<value><boolean>0</boolean></value>')).to.equal(false);
    expect(param('<value><double>1.5</double></value>')).to.equal(1.5);
    expect(param('<value><double>-2e3</double></value>')).to.equal(-2000);
    expect(param('<value><double>inf</double></value>')).to.equal(Infinity);
    expect(param('<value><string>a &amp; b &lt;c&gt; &#233;&#x20AC;</string></value>')).to.equal('a & b <c> é€');
    expect(param('<value><string><![CDATA[<raw> & text]]></string></value>')).to.equal('<raw> & text');
    expect(param('<value><string>  spaced  </string></value>')).to.equal('  spaced  ');
    expect(param('<value>bare text</value>')).to.equal('bare text');
    expect(param('<value><base64>aGVs\nbG8=</base64></value>')).to.equal('aGVsbG8=');
  });

  it('reads an empty value as "" and nil as null', () => {
    expect(param('<value/>')).to.equal('');
    expect(param('<value></value>')).to.equal('');
    expect(param('<value><string/></value>')).to.equal('');
    expect(param('<value><nil/></value>')).to.equal(null);
    expect(param('<value><ex:nil/></value>')).to.equal(null);
  });

  it('turns dateTime.iso8601 into an Odoo UTC datetime string', () => {
    expect(param('<value><dateTime.iso8601>20240131T10:05:09</dateTime.iso8601></value>')).to.equal('2024-01-31 10:05:09');
    expect(param('<value><dateTime.iso8601>2024-01-31T10:05:09Z</dateTime.iso8601></value>')).to.equal('2024-01-31 10:05:09');
    expect(param('<value><dateTime.iso8601>2024-01-31T01:00:00.123+02:00</dateTime.iso8601></value>')).to.equal('2024-01-30 23:00:00');
    expect(() => param('<value><dateTime.iso8601>20241331T10:00:00</dateTime.iso8601></value>')).to.throw(XmlRpcParseError, /does not match format/);
  });

  it('reads arrays and structs, nested, as odoo-await sends them', () => {
    const params = call(
      '<param><value><array><data><value><array><data><value><array><data>' +
        '<value><string>is_company</string></value><value><string>=</string></value><value><boolean>1</boolean></value>' +
        '</data></array></value></data></array></value></data></array></value></param>' +
        '<param><value><struct>' +
        '<member><name>fields</name><value><array><data><value><string>name</string></value></data></array></value></member>' +
        '<member><name>offset</name><value/></member>' +
        '<member><name>limit</name><value><int>5</int></value></member>' +
        '<member><name>order</name><value/></member>' +
        '<member><name>context</name><value/></member>' +
        '</struct></value></param>' +
        '<param><value><array><data></data></array></value></param>' +
        '<param><value><struct></struct></value></param>',
    );
    expect(params).to.deep.equal([
      [[['is_company', '=', true]]],
      { fields: ['name'], offset: '', limit: 5, order: '', context: '' },
      [],
      {},
    ]);
  });

  it('keeps a member named __proto__ as plain data', () => {
    const v = param('<value><struct><member><name>__proto__</name><value><int>1</int></value></member></struct></value>') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).to.equal(Object.prototype);
    expect(Object.keys(v)).to.deep.equal(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).to.equal(1);
  });

  it('normalises CRLF like an XML parser but keeps &#13;', () => {
    expect(param('<value><string>a\r\nb\rc&#13;</string></value>')).to.equal('a\nb\nc\r');
  });

  it('raises Python-like errors for bad scalars', () => {
    expect(() => param('<value><boolean>2</boolean></value>')).to.throw(XmlRpcParseError, 'bad boolean value');
    expect(() => param('<value><int>abc</int></value>')).to.throw(XmlRpcParseError, "invalid literal for int() with base 10: 'abc'");
    expect(() => param('<value><double>x</double></value>')).to.throw(XmlRpcParseError, "could not convert string to float: 'x'");
    expect(() => param('<value><foo>1</foo></value>')).to.throw(XmlRpcParseError, "unknown tag 'foo'");
    const err = parseError('<?xml version="1.0"?><methodCall><methodName>m</methodName><params><param><value><boolean>2</boolean></value></param></params></methodCall>');
    expect(err.odooName).to.equal('builtins.TypeError');
  });

  it('answers a truncated body exactly like the capture', () => {
    const cap = capture('xmlrpc-malformed.txt');
    const err = parseError(cap.request);
    expect(err.odooName).to.equal('xml.parsers.expat.ExpatError');
    expect(err.message).to.equal('no element found: line 1, column 83');
    const fault = toXmlRpcFault(err);
    expect(serializeFault(fault.faultCode, fault.faultString)).to.equal(cap.response);
    expect(cap.status).to.equal(200);
  });

  it('reports other malformed XML as ExpatError with a position', () => {
    expect(parseError('').message).to.equal('no element found: line 1, column 0');
    expect(parseError('<methodCall>\n<methodName>x</methodName>\n').message).to.equal('no element found: line 3, column 0');
    expect(parseError('<methodCall><methodName>x</methodCall>').message).to.match(/^mismatched tag: line 1, column \d+$/);
    expect(parseError('<methodCall><methodName>x</methodName></methodCall><x/>').message).to.match(/^junk after document element/);
    expect(parseError('<methodCall><methodName>a&nbsp;b</methodName></methodCall>').message).to.match(/^undefined entity/);
    expect(parseError('<methodCall><methodName>a&constructor;b</methodName></methodCall>').message).to.match(/^undefined entity/);
    expect(parseError('<methodCall><methodName>a\x01</methodName></methodCall>').message).to.equal('not well-formed (invalid token): line 1, column 25');
    expect(parseError(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e])).message).to.match(/^not well-formed \(invalid token\)/);
    expect(parseError('<methodResponse><params/></methodResponse>').odooName).to.equal('xmlrpc.client.ResponseError');
    expect(parseError('<methodCall><params/></methodCall>').message).to.equal('missing <methodName>');
  });

  it('refuses the billion laughs bomb fast, without expanding anything', () => {
    const lol = ['<?xml version="1.0"?>', '<!DOCTYPE lolz [', ' <!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) lol.push(` <!ENTITY lol${i} "${`&lol${i - 1 || ''};`.repeat(10)}">`);
    lol.push(']>', '<methodCall><methodName>&lol9;</methodName></methodCall>');
    const bomb = lol.join('\n').replace('&lol0;', '&lol;');
    const err = parseError(bomb);
    expect(err.message).to.match(/^DTDs and entity declarations are forbidden: line 2, column 0$/);
  });

  it('refuses external entities and any DOCTYPE', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>&xxe;</methodName></methodCall>';
    expect(parseError(xxe).message).to.match(/^DTDs and entity declarations are forbidden/);
    expect(parseError('<!doctype methodCall><methodCall><methodName>x</methodName></methodCall>').message).to.match(/forbidden/);
  });
});

describe('rpc/xmlrpc_codec serializeResponse', () => {
  it('matches the captured version() answer byte for byte', () => {
    const cap = capture('xmlrpc-common-version.txt');
    const xml = serializeResponse({
      server_version: '19.0',
      server_version_info: [19, 0, 0, 'final', 0, ''],
      server_serie: '19.0',
      protocol_version: 1,
    });
    expect(xml).to.equal(cap.response);
  });

  it('matches the captured read() answer byte for byte', () => {
    const cap = capture('xmlrpc-object-read.txt');
    const xml = serializeResponse([
      { id: 3, name: 'Administrator', country_id: false, category_id: [], create_date: '2026-11-27 08:16:20', color: 0 },
    ]);
    expect(xml).to.equal(cap.response);
  });

  it('round-trips every type', () => {
    const value = {
      int: 7,
      neg: -2147483648,
      max: 2147483647,
      t: true,
      f: false,
      dbl: 2.25,
      str: 'x & <y> "q" \'a\' é €',
      empty: '',
      arr: [1, 'two', [3, { four: 4 }]],
      nested: { a: { b: [] } },
    };
    expect(roundTrip(value)).to.deep.equal(value);
    expect(roundTrip(new XmlRpcDouble(3))).to.equal(3);
  });

  it('fails on None like Odoo (fault 1, TypeError)', () => {
    const cap = capture('xmlrpc-object-none-result.txt');
    for (const v of [null, undefined, [1, null], { a: null }]) {
      expect(() => serializeResponse(v)).to.throw(XmlRpcMarshalError, 'cannot marshal None unless allow_none is enabled');
    }
    let caught: unknown;
    try {
      serializeResponse(undefined);
    } catch (err) {
      caught = err;
    }
    const fault = toXmlRpcFault(caught);
    expect(fault.faultCode).to.equal(1);
    expect(serializeFault(fault.faultCode, fault.faultString)).to.equal(cap.response);
  });

  it('refuses ints outside 32 bits with OverflowError', () => {
    for (const v of [2 ** 31, -(2 ** 31) - 1, [1, 2 ** 40], 2n ** 31n]) {
      expect(() => serializeResponse(v)).to.throw(XmlRpcMarshalError, 'int exceeds XML-RPC limits');
    }
    let caught: unknown;
    try {
      serializeResponse({ count: 5_000_000_000 });
    } catch (err) {
      caught = err;
    }
    expect(toXmlRpcFault(caught).faultString).to.match(/\nOverflowError: int exceeds XML-RPC limits\n$/);
    expect(serializeResponse(123n)).to.contain('<value><int>123</int></value>');
  });

  it('strips XML-illegal control characters and escapes & < >', () => {
    const xml = serializeResponse('a\x00b\x07c\x0bd\x1fe\tf\ng\rh & <i> "j"');
    expect(xml).to.contain('<value><string>abcde\tf\ng\rh &amp; &lt;i&gt; "j"</string></value>');
    expect(serializeResponse({ 'k<\x01': 1 })).to.contain('<name>k&lt;</name>');
  });

  it('writes doubles as Python repr', () => {
    expect(serializeResponse(0.1)).to.contain('<double>0.1</double>');
    expect(serializeResponse(new XmlRpcDouble(0))).to.contain('<double>0.0</double>');
    expect(pyFloatRepr(3)).to.equal('3.0');
    expect(pyFloatRepr(-0)).to.equal('-0.0');
    expect(pyFloatRepr(1e16)).to.equal('1e+16');
    expect(pyFloatRepr(1.5e16)).to.equal('1.5e+16');
    expect(pyFloatRepr(1234567890123456)).to.equal('1234567890123456.0');
    expect(pyFloatRepr(1e-5)).to.equal('1e-05');
    expect(pyFloatRepr(0.0001)).to.equal('0.0001');
    expect(pyFloatRepr(123.456)).to.equal('123.456');
    expect(pyFloatRepr(-2.5e-300)).to.equal('-2.5e-300');
    expect(pyFloatRepr(NaN)).to.equal('nan');
    expect(pyFloatRepr(-Infinity)).to.equal('-inf');
  });

  it('marshals dates, bytes and Maps as Odoo does, drops undefined members', () => {
    expect(serializeResponse(new Date(Date.UTC(2024, 1, 29, 13, 4, 5, 678)))).to.contain('<value><string>2024-02-29 13:04:05</string></value>');
    expect(serializeResponse(Buffer.from('aGVsbG8='))).to.contain('<value><string>aGVsbG8=</string></value>');
    expect(roundTrip(new Map([['a', 1]]))).to.deep.equal({ a: 1 });
    expect(() => serializeResponse(new Map([[1, 1]]))).to.throw(XmlRpcMarshalError, 'dictionary key must be string');
    expect(roundTrip({ a: 1, b: undefined })).to.deep.equal({ a: 1 });
    expect(() => serializeResponse(new Set([1]))).to.throw(XmlRpcMarshalError, "cannot marshal <class 'set'> objects");
    const loop: unknown[] = [];
    loop.push(loop);
    expect(() => serializeResponse(loop)).to.throw(XmlRpcMarshalError, 'cannot marshal recursive sequences');
    const shared = { x: 1 };
    expect(roundTrip([shared, shared])).to.deep.equal([{ x: 1 }, { x: 1 }]);
  });

  it('serializes faults with int and legacy string codes', () => {
    expect(serializeFault(3, 'Access Denied')).to.equal(capture('xmlrpc-object-wrong-password.txt').response);
    const legacy = serializeFault('warning -- UserError\n\nboom & <bang>', '');
    expect(legacy).to.contain('<name>faultCode</name>\n<value><string>warning -- UserError\n\nboom &amp; &lt;bang&gt;</string></value>');
    expect(legacy).to.contain('<name>faultString</name>\n<value><string></string></value>');
  });

});
