// An in-repository stand-in for Twilio's REST API (2010-04-01) on node:http, answering like the
// API description: Messages create / fetch / list (paged), IncomingPhoneNumbers (paged), Basic
// auth, Twilio's magic test numbers and error JSON, 429 with Retry-After on demand, and signed
// StatusCallbacks sent on command. The official `twilio` package is aimed at it through the
// system parameter `sms_twilio.api_url`.

import http from 'node:http';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

export interface FakeMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  status: string;
  statusCallback: string | null;
  errorCode: number | null;
  dateCreated: Date;
  /** When the create request reached the stand-in (before its simulated latency). */
  receivedAt: number;
}

interface TwilioErrorSpec {
  code: number;
  status?: number;
  message?: string;
}

/** Twilio's documented magic `To` numbers (with From +15005550006). */
const MAGIC_TO: Record<string, TwilioErrorSpec> = {
  '+15005550001': { code: 21211, message: "The 'To' number +15005550001 is not a valid phone number." },
  '+15005550002': { code: 21612, message: "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone number: +15005550006 via SMS." },
  '+15005550003': { code: 21408, message: 'Permission to send an SMS has not been enabled for the region indicated by the \'To\' number: +15005550003.' },
  '+15005550004': { code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  '+15005550009': { code: 21614, message: "'To' number is not a valid mobile number" },
};

const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

export class FakeTwilio {
  readonly accountSid: string;
  readonly authToken: string;
  url = '';
  private server: http.Server;
  readonly messages = new Map<string, FakeMessage>();
  /** Phone numbers of the account (IncomingPhoneNumbers). */
  numbers: string[] = [];
  /** Answers by destination number (beyond the magic numbers). */
  readonly errorsByTo = new Map<string, TwilioErrorSpec>();
  latencyMs = 0;
  /** Next N create requests answer 429 with this Retry-After (seconds). */
  throttle = { count: 0, retryAfter: 1 };
  /** Next N create requests are processed, then the connection is cut before the answer. */
  cutAfterAccept = 0;
  /** Create requests received (including refused ones). */
  createRequests = 0;
  throttled = 0;

  constructor(opts: { accountSid?: string; authToken?: string } = {}) {
    this.accountSid = opts.accountSid ?? `AC${'0123456789abcdef'.repeat(2)}`;
    this.authToken = opts.authToken ?? 'fake-auth-token-0123456789abcdef';
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Accepted messages to `to`. */
  sentTo(to: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.to === to);
  }

  // ---------------------------------------------------------------- callbacks

  /** POST a signed StatusCallback for message `sid`; answers the HTTP status our server gave. */
  async statusCallback(sid: string, status: string, extra: Record<string, string> = {}, opts: { token?: string; signature?: string } = {}): Promise<{ status: number; body: string }> {
    const m = this.messages.get(sid);
    if (!m?.statusCallback) throw new Error(`no callback for ${sid}`);
    m.status = status;
    const params: Record<string, string> = {
      SmsSid: sid, SmsStatus: status, MessageStatus: status, MessageSid: sid, AccountSid: this.accountSid,
      To: m.to, From: m.from, ApiVersion: '2010-04-01', ...extra,
    };
    return this.postSigned(m.statusCallback, params, opts);
  }

  /** POST form `params` to `url`, signed as Twilio signs its webhooks. */
  async postSigned(url: string, params: Record<string, string>, opts: { token?: string; signature?: string } = {}): Promise<{ status: number; body: string }> {
    const signature = opts.signature ?? twilio.getExpectedTwilioSignature(opts.token ?? this.authToken, url, params);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature, 'User-Agent': 'TwilioProxy/1.1' },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, body: await res.text() };
  }

  // ---------------------------------------------------------------- API

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private error(res: http.ServerResponse, e: TwilioErrorSpec, headers: Record<string, string> = {}): void {
    const status = e.status ?? 400;
    this.json(res, status, { code: e.code, message: e.message ?? `Error ${e.code}`, more_info: `https://www.twilio.com/docs/errors/${e.code}`, status }, headers);
  }

  private messageJson(m: FakeMessage): Record<string, unknown> {
    return {
      account_sid: this.accountSid, api_version: '2010-04-01', body: m.body, date_created: rfc2822(m.dateCreated), date_sent: null, date_updated: rfc2822(m.dateCreated),
      direction: 'outbound-api', error_code: m.errorCode, error_message: null, from: m.from, messaging_service_sid: null, num_media: '0', num_segments: '1',
      price: null, price_unit: 'USD', sid: m.sid, status: m.status, subresource_uris: { media: `/2010-04-01/Accounts/${this.accountSid}/Messages/${m.sid}/Media.json` },
      to: m.to, uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${m.sid}.json`,
    };
  }

  private page<T>(res: http.ServerResponse, path: string, query: URLSearchParams, key: string, items: T[]): void {
    const size = Math.max(1, Math.min(1000, Number(query.get('PageSize') ?? 50) || 50));
    const page = Math.max(0, Number(query.get('Page') ?? 0) || 0);
    const slice = items.slice(page * size, (page + 1) * size);
    const q = (p: number) => {
      const u = new URLSearchParams(query);
      u.set('PageSize', String(size));
      u.set('Page', String(p));
      return `${path}?${u.toString()}`;
    };
    this.json(res, 200, {
      [key]: slice, page, page_size: size, start: page * size, end: page * size + slice.length - 1, uri: q(page), first_page_uri: q(0),
      next_page_uri: (page + 1) * size < items.length ? q(page + 1) : null, previous_page_uri: page > 0 ? q(page - 1) : null,
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const receivedAt = performance.timeOrigin + performance.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const base = `/2010-04-01/Accounts/${this.accountSid}`;
    const auth = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== auth) return this.error(res, { code: 20003, status: 401, message: 'Authenticate' });
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (req.method === 'POST' && url.pathname === `${base}/Messages.json`) return this.create(res, new URLSearchParams(Buffer.concat(chunks).toString('utf8')), receivedAt);
    if (req.method === 'GET' && url.pathname === `${base}/Messages.json`) {
      const to = url.searchParams.get('To');
      const from = url.searchParams.get('From');
      const list = [...this.messages.values()].filter((m) => (!to || m.to === to) && (!from || m.from === from)).reverse();
      return this.page(res, url.pathname, url.searchParams, 'messages', list.map((m) => this.messageJson(m)));
    }
    const one = url.pathname.match(/\/Messages\/(SM[0-9a-f]{32})\.json$/);
    if (req.method === 'GET' && one && url.pathname.startsWith(base)) {
      const m = this.messages.get(one[1]);
      return m ? this.json(res, 200, this.messageJson(m)) : this.error(res, { code: 20404, status: 404, message: 'The requested resource was not found' });
    }
    if (req.method === 'GET' && url.pathname === `${base}/IncomingPhoneNumbers.json`) {
      const items = this.numbers.map((n, i) => ({
        sid: `PN${i.toString(16).padStart(32, '0')}`, account_sid: this.accountSid, phone_number: n, friendly_name: n,
        capabilities: { sms: true, mms: false, voice: true, fax: false }, status: 'in-use', api_version: '2010-04-01',
      }));
      return this.page(res, url.pathname, url.searchParams, 'incoming_phone_numbers', items);
    }
    this.error(res, { code: 20404, status: 404, message: 'The requested resource was not found' });
  }

  private create(res: http.ServerResponse, form: URLSearchParams, receivedAt: number): void {
    this.createRequests++;
    if (this.throttle.count > 0) {
      this.throttle.count--;
      this.throttled++;
      return this.error(res, { code: 20429, status: 429, message: 'Too Many Requests' }, { 'Retry-After': String(this.throttle.retryAfter) });
    }
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? '';
    const body = form.get('Body') ?? '';
    if (!to) return this.error(res, { code: 21604, message: "A 'To' phone number is required." });
    if (!from && !form.get('MessagingServiceSid')) return this.error(res, { code: 21603, message: "A 'From' phone number is required." });
    if (!body) return this.error(res, { code: 21602, message: 'Message body is required.' });
    if (body.length > 1600) return this.error(res, { code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.' });
    if (to === from) return this.error(res, { code: 21266, message: "'To' and 'From' number cannot be the same" });
    const err = this.errorsByTo.get(to) ?? MAGIC_TO[to];
    if (err) return this.error(res, err);
    const m: FakeMessage = { sid: `SM${randomBytes(16).toString('hex')}`, to, from, body, status: 'queued', statusCallback: form.get('StatusCallback'), errorCode: null, dateCreated: new Date(), receivedAt };
    this.messages.set(m.sid, m);
    if (this.cutAfterAccept > 0) {
      this.cutAfterAccept--;
      res.socket?.destroy();
      return;
    }
    this.json(res, 201, this.messageJson(m));
  }
}
