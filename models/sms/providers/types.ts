// The SMS provider interface: what the sending engine (models/sms/dispatch.ts) needs from a
// gateway. The embedded simulator implements it; IAP and Twilio plug in the same way.
//
// Contract:
//   - `send(batch)` answers one result per message (same uuids), or throws a ProviderError for
//     the whole request. `accepted` means the gateway took the message: it will not be sent again.
//   - A `retry` result or a non-ambiguous ProviderError means the gateway did NOT take the
//     message (429, refused before processing): the engine may send it again later.
//   - An ambiguous failure (timeout, connection reset, 5xx after the request left) may or may not
//     have been processed: the engine asks `lookup()` before retrying, and never resends when the
//     provider cannot answer (see dispatch.ts, "reconciliation").
//   - Delivery reports (`pending` → `sent`, or a late failure) reach the engine through
//     `applyDeliveryReports` (models/sms/dispatch.ts), the same function the HTTP webhook calls.

export interface OutgoingSms {
  uuid: string;
  /** E.164 number. */
  number: string;
  body: string;
  /** Sender id / From chosen by the engine with `senderFor`. */
  sender: string;
}

export type SendResult =
  | { uuid: string; status: 'accepted'; providerRef?: string; duplicate?: boolean }
  | { uuid: string; status: 'rejected'; failureType: string; failureReason?: string }
  | { uuid: string; status: 'retry'; retryAfterMs?: number; failureReason?: string };

export interface LookupResult {
  /** `pending`: accepted, not delivered yet; `sent`: delivered; `error`: failed after acceptance. */
  state: 'pending' | 'sent' | 'error';
  providerRef?: string;
  failureType?: string;
  failureReason?: string;
}

/** A delivery report: what a gateway says later about a message it accepted. */
export interface DeliveryReport {
  uuid: string;
  /** `process` / `pending`: still in flight; `sent`: delivered to the handset; `error`: not delivered. */
  state: 'process' | 'pending' | 'sent' | 'error';
  failureType?: string;
  failureReason?: string;
}

export interface ProviderCapabilities {
  /** Most messages one `send` call may carry (IAP: hundreds; Twilio: 1). */
  maxBatchSize: number;
  /** True when `lookup` is authoritative: a uuid it does not know was never taken. */
  authoritativeLookup: boolean;
  /** Prepaid credits (IAP rules) apply to this provider. */
  prepaid: boolean;
  /** Request timeout the engine applies to `send`/`lookup`, in ms. */
  timeoutMs: number;
}

export type ProviderErrorKind = 'throttled' | 'server' | 'timeout' | 'network' | 'auth';

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  /** From a Retry-After header (429/503). */
  readonly retryAfterMs?: number;
  /** True when the request may have been processed by the gateway (timeout, reset, some 5xx). */
  readonly ambiguous: boolean;
  constructor(kind: ProviderErrorKind, message: string, opts: { retryAfterMs?: number; ambiguous?: boolean } = {}) {
    super(message);
    this.name = 'ProviderError';
    this.kind = kind;
    this.retryAfterMs = opts.retryAfterMs;
    this.ambiguous = opts.ambiguous ?? (kind === 'timeout' || kind === 'network');
  }
}

export interface SmsProvider {
  /** Stable name stored on each claimed SMS (which provider to ask when reconciling). */
  readonly name: string;
  capabilities(): ProviderCapabilities;
  /** Reload configuration (the engine calls it before each batch). */
  refresh?(): Promise<unknown>;
  /** Sender id used for `number` (rate limits apply per sender). */
  senderFor(number: string): string;
  /** Messages per second allowed for this sender (0 = unlimited); default: the `sms_rate_limit` setting. */
  rateLimitFor?(sender: string): number | undefined;
  /** Sum of the per-sender limits (sizes the batches); default: the `sms_rate_limit` setting. */
  totalRateLimit?(): number | undefined;
  send(batch: OutgoingSms[], opts: { signal: AbortSignal }): Promise<SendResult[]>;
  /** "Do you know these uuids?" Unknown uuids are absent from the map. */
  lookup?(uuids: string[], opts: { signal: AbortSignal }): Promise<Map<string, LookupResult>>;
  /** Background work (e.g. delivery reports); started by the scheduler / benchmarks / tests. */
  start?(): void;
  stop?(): Promise<void>;
}
