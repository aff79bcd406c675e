// The yardstick of bench/rpc.ts, in its own process: an Express 5 "hello world" JSON endpoint
// (GET /hello) on a free port of 127.0.0.1. Prints {"port": n} once listening.

import express from 'express';
import type { AddressInfo } from 'node:net';

const app = express();
app.disable('x-powered-by');
app.get('/hello', (_req, res) => {
  res.json({ hello: 'world' });
});
const server = app.listen(0, '127.0.0.1', () => {
  server.keepAliveTimeout = 30_000;
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
