// The Twilio provider of the sending engine (models/sms/dispatch.ts): one POST Messages.json per
// SMS through the official `twilio` package, as Odoo's sms_twilio does, plus what the engine needs
// for exactly-once sending: throttling (429 + Retry-After), ambiguous failures, and a lookup that
// asks Twilio whether it took a message whose answer was lost.
//
// Lookup: Twilio keeps no reference of ours on a Message, so an SMS is recognised in the account's
// Messages list (filtered by To and From, newest first) by its body and a creation time after the
// SMS was claimed, among messages no other SMS is bound to. Twilio lists a message as soon as its
// create answered 201, so "not found" means "not taken" (authoritative).

import type { Registry } from '../orm/registry.ts';
import { sql, type SQL } from '../orm/sql.ts';
import { MAIN_COMPANY_ID } from '../base/res_company.ts';
import { phoneGetRegionDataForNumber } from '../tools/phone.ts';
import { ProviderError, type LookupResult, type OutgoingSms, type ProviderCapabilities, type SendResult, type SmsProvider } from '../sms/providers/types.ts';
import type { ProviderFactoryOptions } from '../sms/dispatch.ts';
import type { Logger } from '../orm/config.ts';
import { sendErrorFailureType, twilioSidError, TWILIO_STATE_MESSAGES } from './data.ts';
import { makeTwilioClient, TwilioThrottled, TWILIO_TIMEOUT_MS, type TwilioClient } from './twilio_client.ts';
import { TWILIO_CONFIG_LISTENERS } from './res_company.ts';

export interface TwilioNumber {
  id: number;
  number: string;
  countryCode: string;
  countryName: string;
  rateLimit: number;
}

export interface TwilioConfig {
  companyId: number;
  provider: string;
  sid: string | null;
  token: string | null;
  numbers: TwilioNumber[];
  /** web.base.url: StatusCallback = <base>/sms_twilio/status/<uuid>. */
  baseUrl: string;
  /** Stand-in API location (system parameter `sms_twilio.api_url`); null = api.twilio.com. */
  apiUrl: string | null;
}

type Query = <T extends Record<string, any>>(q: SQL) => Promise<T[]>;

/** A Query on the registry's pool (outside any transaction). */
export function poolQuery(registry: Registry): Query {
  return async <T extends Record<string, any>>(q: SQL) => {
    const { text, values } = q.toQuery();
    return (await registry.pool.query(text, values)).rows as T[];
  };
}

/** The company's Twilio settings, read with `query` (a transaction's or the pool's). */
export async function loadTwilioConfig(query: Query, companyId = MAIN_COMPANY_ID): Promise<TwilioConfig> {
  const [c] = await query<{ sms_provider: string | null; sid: string | null; token: string | null }>(
    sql`SELECT sms_provider, sms_twilio_account_sid AS sid, sms_twilio_auth_token AS token FROM res_company WHERE id = ${companyId}`,
  );
  const numbers = await query<{ id: number; number: string; code: string | null; name: string | null; rate_limit: number | null }>(sql`
    SELECT n.id, n.number, c.code, c.name, n.rate_limit FROM sms_twilio_number n LEFT JOIN res_country c ON c.id = n.country_id
    WHERE n.company_id = ${companyId} ORDER BY n.sequence, n.id`);
  const params = await query<{ key: string; value: string }>(sql`SELECT key, value FROM ir_config_parameter WHERE key IN ('web.base.url', 'sms_twilio.api_url')`);
  const p = new Map(params.map((r) => [r.key, r.value]));
  return {
    companyId,
    provider: c?.sms_provider || 'iap',
    sid: c?.sid || null,
    token: c?.token || null,
    numbers: numbers.map((n) => ({ id: n.id, number: n.number, countryCode: n.code ?? '', countryName: n.name ?? '', rateLimit: n.rate_limit === null ? 1 : Number(n.rate_limit) })),
    baseUrl: (p.get('web.base.url') ?? '').replace(/\/+$/, ''),
    apiUrl: p.get('sms_twilio.api_url') || null,
  };
}

/** Odoo's sender choice: the first number of the destination's country, else the first number, else none. */
export function twilioSenderFor(numbers: TwilioNumber[], to: string): TwilioNumber | undefined {
  if (!numbers.length) return undefined;
  const country = phoneGetRegionDataForNumber(to).code;
  return (country && numbers.find((n) => n.countryCode === country)) || numbers[0];
}

export function statusCallbackUrl(config: Pick<TwilioConfig, 'baseUrl'>, uuid: string): string {
  return `${config.baseUrl}/sms_twilio/status/${uuid}`;
}

interface RestErrorLike {
  status?: number;
  code?: number;
  message?: string;
}

const PACE = 0.95;

const AMBIGUOUS_NETWORK = new Set(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ERR_CANCELED', 'ESOCKETTIMEDOUT']);

/** One create, classified for the engine. `sendError` gives the failure reasons Odoo shows. */
export async function createTwilioMessage(client: TwilioClient, config: TwilioConfig, m: OutgoingSms): Promise<SendResult> {
  try {
    const msg = await client.messages.create({ to: m.number, from: m.sender, body: m.body, statusCallback: statusCallbackUrl(config, m.uuid) });
    return { uuid: m.uuid, status: 'accepted', providerRef: msg.sid };
  } catch (err) {
    if (err instanceof TwilioThrottled) throw new ProviderError('throttled', err.message, { retryAfterMs: err.retryAfterMs, ambiguous: false });
    const e = err as RestErrorLike & { code?: unknown; isAxiosError?: boolean };
    if (typeof e.status === 'number') {
      if (e.status >= 500) throw new ProviderError('server', `Twilio answered ${e.status}`, { ambiguous: true });
      if (e.status === 401 || e.status === 403) throw new ProviderError('auth', `Twilio Authentication Error (${e.status})`, { ambiguous: false });
      const { state, failureType } = sendErrorFailureType(typeof e.code === 'number' ? e.code : undefined);
      return { uuid: m.uuid, status: 'rejected', failureType, failureReason: e.message || TWILIO_STATE_MESSAGES[state] || TWILIO_STATE_MESSAGES.unknown };
    }
    const code = typeof e.code === 'string' ? e.code : '';
    // A request cut after it left may have been processed; one that never connected was not.
    if (AMBIGUOUS_NETWORK.has(code) || /timeout/i.test(String(e.message))) throw new ProviderError('timeout', `Twilio request failed (${code || 'timeout'})`, { ambiguous: true });
    throw new ProviderError('network', `Twilio request failed (${code || 'network error'})`, { ambiguous: false });
  }
}

export class TwilioProvider implements SmsProvider {
  readonly name = 'twilio';
  private readonly registry: Registry;
  private readonly logger: Logger;
  private config: TwilioConfig | undefined;
  private loadedAt = 0;
  private client: TwilioClient | undefined;
  private clientKey = '';
  private readonly onChange = () => (this.loadedAt = 0);

  constructor(registry: Registry, opts: ProviderFactoryOptions) {
    this.registry = registry;
    this.logger = opts.logger;
    TWILIO_CONFIG_LISTENERS.push(this.onChange);
  }

  capabilities(): ProviderCapabilities {
    // The engine's request timeout: above the package's own 5 s so the package reports first.
    return { maxBatchSize: 1, authoritativeLookup: true, prepaid: false, timeoutMs: TWILIO_TIMEOUT_MS + 2000 };
  }

  async refresh(): Promise<TwilioConfig> {
    if (this.config && Date.now() - this.loadedAt < 1000) return this.config;
    const config = await loadTwilioConfig(poolQuery(this.registry));
    this.config = config;
    this.loadedAt = Date.now();
    const key = `${config.sid}\n${config.token}\n${config.apiUrl}`;
    if (key !== this.clientKey) {
      this.client = config.sid && config.token ? makeTwilioClient(config.sid, config.token, config.apiUrl) : undefined;
      this.clientKey = key;
    }
    return config;
  }

  senderFor(number: string): string {
    return twilioSenderFor(this.config?.numbers ?? [], number)?.number ?? '';
  }

  // Each number is paced at 95% of its limit: the network's jitter then never puts more than
  // the limit in one second at Twilio's end.
  rateLimitFor(sender: string): number | undefined {
    const rate = this.config?.numbers.find((n) => n.number === sender)?.rateLimit;
    return rate === undefined ? undefined : rate * PACE;
  }

  totalRateLimit(): number | undefined {
    const numbers = this.config?.numbers ?? [];
    if (!numbers.length || numbers.some((n) => !(n.rateLimit > 0))) return undefined;
    return numbers.reduce((s, n) => s + n.rateLimit * PACE, 0);
  }

  async send(batch: OutgoingSms[], opts: { signal: AbortSignal }): Promise<SendResult[]> {
    const config = this.config ?? (await this.refresh());
    if (opts.signal.aborted) throw new ProviderError('timeout', 'request aborted before sending', { ambiguous: false });
    const sidError = twilioSidError(config.sid);
    if (sidError || !this.client || !config.token) {
      // Odoo: an unusable account is a server_error result (nothing reached Twilio).
      return batch.map((m) => ({ uuid: m.uuid, status: 'rejected' as const, failureType: 'sms_server', failureReason: sidError ?? TWILIO_STATE_MESSAGES.server_error }));
    }
    const out: SendResult[] = [];
    for (const m of batch) out.push(await createTwilioMessage(this.client, config, m));
    return out;
  }

  async lookup(uuids: string[]): Promise<Map<string, LookupResult>> {
    const config = await this.refresh();
    const found = new Map<string, LookupResult>();
    if (!this.client || !uuids.length) return found;
    const { rows } = await this.registry.pool.query<{ uuid: string; number: string; body: string; provider_ref: string | null; claimed: string }>(
      `SELECT uuid, number, body, provider_ref, write_date AS claimed FROM sms_sms WHERE uuid = ANY($1::varchar[]) ORDER BY id`,
      [uuids],
    );
    const taken = new Set<string>();
    for (const r of rows) {
      if (r.provider_ref) {
        const m = await this.client.messages(r.provider_ref).fetch();
        found.set(r.uuid, lookupState(m.sid, m.status));
        continue;
      }
      const from = this.senderFor(r.number);
      // Claimed at write_date (UTC, no zone); a minute of clock skew between us and Twilio is allowed.
      const since = new Date(Date.parse(`${r.claimed.replace(' ', 'T')}Z`) - 60_000);
      const list = await this.client.messages.list({ to: r.number, ...(from ? { from } : {}), limit: 200 });
      const bound = list.length
        ? new Set((await this.registry.pool.query<{ ref: string }>(`SELECT provider_ref AS ref FROM sms_sms WHERE provider_ref = ANY($1::varchar[])`, [list.map((m) => m.sid)])).rows.map((x) => x.ref))
        : new Set<string>();
      // Oldest first: two identical SMS to one number take the messages in order.
      const hit = [...list].reverse().find((m) => !bound.has(m.sid) && !taken.has(m.sid) && m.body === r.body && (!m.dateCreated || m.dateCreated.getTime() >= since.getTime()));
      if (hit) {
        taken.add(hit.sid);
        found.set(r.uuid, lookupState(hit.sid, hit.status));
      }
    }
    this.logger.info({ asked: uuids.length, found: found.size }, 'twilio lookup');
    return found;
  }

  async stop(): Promise<void> {
    const i = TWILIO_CONFIG_LISTENERS.indexOf(this.onChange);
    if (i >= 0) TWILIO_CONFIG_LISTENERS.splice(i, 1);
  }
}

function lookupState(sid: string, status: string): LookupResult {
  if (status === 'delivered') return { state: 'sent', providerRef: sid };
  if (status === 'failed' || status === 'undelivered') return { state: 'error', providerRef: sid, failureType: status === 'undelivered' ? 'sms_not_delivered' : 'unknown' };
  return { state: 'pending', providerRef: sid };
}
