// A real HTTP server (server/app.ts) on an ephemeral port against a fresh database, for driving
// it with real Odoo clients.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rpcTestApp, type RpcTestApp, type RpcTestAppOptions } from './rpc.ts';

export interface LiveServer extends RpcTestApp {
  port: number;
  url: string;
}

export async function liveServer(opts: RpcTestAppOptions = {}): Promise<LiveServer> {
  const t = await rpcTestApp(opts);
  const server = http.createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    ...t,
    port,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await t.close();
    },
  };
}
