// Provider request latency, observed by the sending engine and exposed by the server's /metrics.
// Not registered anywhere here: server/metrics.ts adds it to each app's Prometheus registry.

import { Histogram } from 'prom-client';

export const providerLatency = new Histogram({
  name: 'sms_provider_request_duration_seconds',
  help: 'Duration of SMS provider send requests, by provider and outcome (ok: the provider answered, error: it threw).',
  labelNames: ['provider', 'outcome'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [],
});

/** Run one provider request and record how long it took. */
export async function timedProviderCall<T>(provider: string, call: () => Promise<T>): Promise<T> {
  const end = providerLatency.startTimer({ provider });
  try {
    const result = await call();
    end({ outcome: 'ok' });
    return result;
  } catch (err) {
    end({ outcome: 'error' });
    throw err;
  }
}
