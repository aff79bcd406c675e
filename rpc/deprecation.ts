// Odoo 19 logs a deprecation WARNING on every /xmlrpc, /xmlrpc/2 and /jsonrpc request. We log
// the same notice, but at most once per client (address + User-Agent + endpoint family) every
// 10 minutes, so a polling integration cannot flood the logs; the number of calls suppressed
// since the previous notice is included.

import type { Logger } from '../server/log.ts';

export const DEPRECATION_INTERVAL_MS = 10 * 60 * 1000;
const MAX_TRACKED = 1024;

const NOTICE =
  'The /xmlrpc, /xmlrpc/2 and /jsonrpc endpoints are deprecated in Odoo 19 and scheduled for removal in Odoo 20. ' +
  'Please report the problem to the client making the request. ' +
  'https://www.odoo.com/documentation/latest/developer/reference/external_api.html#migrating-from-xml-rpc-json-rpc';

export class DeprecationNotice {
  private readonly seen = new Map<string, { at: number; suppressed: number }>();
  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = DEPRECATION_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Log the notice for this request unless this client got it less than the interval ago. */
  warn(endpoint: 'xmlrpc' | 'jsonrpc', path: string, remoteAddr: string | undefined, userAgent: string | undefined): void {
    const key = `${endpoint}\u0000${remoteAddr ?? ''}\u0000${userAgent ?? ''}`;
    const now = this.now();
    const entry = this.seen.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    this.seen.delete(key);
    if (this.seen.size >= MAX_TRACKED) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.set(key, { at: now, suppressed: 0 });
    this.logger.warn(
      {
        logger: `odoo.addons.rpc.controllers.${endpoint}`,
        path,
        client: remoteAddr,
        userAgent,
        suppressedSinceLastNotice: entry?.suppressed ?? 0,
        repeatEveryMinutes: this.intervalMs / 60000,
      },
      NOTICE,
    );
  }
}
