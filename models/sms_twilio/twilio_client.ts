// The official `twilio` package, optionally aimed at a stand-in (system parameter
// `sms_twilio.api_url`, for tests and benchmarks): every *.twilio.com URL is rewritten to it, and
// everything else (Basic auth, form encoding, paging, error mapping) stays the package's own.
// 429 answers surface as TwilioThrottled with their Retry-After, which the package drops.

import twilio from 'twilio';

type RequestClientType = InstanceType<typeof twilio.RequestClient>;
type RequestOptions = Parameters<RequestClientType['request']>[0];

/** A 429 answer: the request was not processed and may be retried after `retryAfterMs`. */
export class TwilioThrottled extends Error {
  readonly status = 429;
  readonly retryAfterMs?: number;
  constructor(retryAfterMs?: number) {
    super('429 Too Many Requests (20429)');
    this.name = 'TwilioThrottled';
    this.retryAfterMs = retryAfterMs;
  }
}

function retryAfterMs(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const s = Number(value);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(String(value));
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export class TwilioRequestClient extends twilio.RequestClient {
  private readonly base: string | null;
  constructor(baseUrl: string | null, timeoutMs: number) {
    super({ timeout: timeoutMs, keepAlive: true });
    this.base = baseUrl ? baseUrl.replace(/\/+$/, '') : null;
  }
  override async request<TData>(opts: RequestOptions & { data?: TData }) {
    if (this.base) {
      const u = new URL(opts.uri);
      if (u.hostname === 'twilio.com' || u.hostname.endsWith('.twilio.com')) opts = { ...opts, uri: this.base + u.pathname + u.search };
    }
    const res = await super.request<TData>(opts);
    if (res.statusCode === 429) throw new TwilioThrottled(retryAfterMs((res.headers as Record<string, unknown> | undefined)?.['retry-after']));
    return res;
  }
}

export type TwilioClient = ReturnType<typeof twilio>;

/** Odoo's Twilio requests time out after 5 s. */
export const TWILIO_TIMEOUT_MS = 5000;

export function makeTwilioClient(sid: string, token: string, baseUrl: string | null, timeoutMs = TWILIO_TIMEOUT_MS): TwilioClient {
  return twilio(sid, token, { httpClient: new TwilioRequestClient(baseUrl, timeoutMs) });
}
