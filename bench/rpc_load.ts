// Load generator of bench/rpc.ts, run in its own process (never in the server's): autocannon on
// one request, given as a JSON spec in argv[2]. Prints one JSON line with the figures.
//
//   tsx bench/rpc_load.ts '{"url":"http://127.0.0.1:8069/jsonrpc","method":"POST","body":"...","headers":{},"connections":10,"duration":10}'

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<any>;

const spec = JSON.parse(process.argv[2]!) as { url: string; method: string; body?: string; headers?: Record<string, string>; connections: number; duration: number };
const result = await autocannon({ url: spec.url, method: spec.method, body: spec.body, headers: spec.headers, connections: spec.connections, duration: spec.duration });
process.stdout.write(`${JSON.stringify({
  rps: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  total: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
})}\n`);
