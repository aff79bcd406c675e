// Load generator of bench/redirect.ts, run in its own process: autocannon on one URL, or on
// `/r/<code>/s/<n>` with n counting up from --first (one recipient per click). Prints one JSON line.
//
//   tsx bench/redirect_load.ts <url> <connections> <seconds> [<first sms id> [<requests>]]
//
// With <requests>, exactly that many requests are sent and every answer is read (no request left
// in flight at a deadline), so the answers can be compared with what the server recorded.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<any>;

const [url, connections, seconds, first, amount] = process.argv.slice(2);
let next = first ? Number(first) : 0;
const target = new URL(url);
const result = await autocannon({
  url: target.origin,
  connections: Number(connections),
  ...(amount ? { amount: Number(amount) } : { duration: Number(seconds) }),
  headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' },
  requests: [{
    method: 'GET',
    setupRequest: (req: Record<string, unknown>) => ({ ...req, path: first ? `${target.pathname}/s/${next++}` : target.pathname }),
  }],
});
const codes: Record<string, number> = {};
for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) codes[code] = (s as { count: number }).count;
process.stdout.write(`${JSON.stringify({
  rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total,
  codes, errors: result.errors, timeouts: result.timeouts, next,
})}\n`);
