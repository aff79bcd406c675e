// The client address of a request, as Odoo computes `request.httprequest.remote_addr`: the
// socket peer, or, with proxy mode on and an X-Forwarded-Host header (Odoo's condition for its
// ProxyFix), the last X-Forwarded-For entry (one trusted proxy hop, werkzeug's x_for=1).

import type { IncomingMessage } from 'node:http';

export function remoteAddr(req: IncomingMessage, proxyMode: boolean): string {
  const peer = req.socket.remoteAddress ?? '';
  if (!proxyMode || !req.headers['x-forwarded-host']) return peer;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return forwarded.length ? forwarded[forwarded.length - 1] : peer;
}
