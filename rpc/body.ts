// Request bodies for the protocol routes: read the raw bytes ourselves (no express body parser)
// so each protocol can answer an oversized body in its own shape (XML-RPC fault, JSON-RPC error,
// JSON-2 413) instead of a generic HTML page.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException } from './errors.ts';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; error: HttpException };

/** werkzeug's RequestEntityTooLarge, what Odoo raises when a body exceeds its limit. */
export function requestEntityTooLarge(): HttpException {
  return new HttpException(413);
}

/**
 * Read the whole body, up to `limit` bytes. A larger body is read to its end and discarded
 * (never buffered), so the client, which writes its whole request before reading the answer
 * (Python's xmlrpc.client does), still receives the protocol's error instead of a reset.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) resolve({ ok: false, error: requestEntityTooLarge() });
      else resolve({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    });
    req.on('error', reject);
  });
}

/** The media type of the request without parameters, lower case ('' when absent). */
export function mimetype(req: IncomingMessage): string {
  const ct = req.headers['content-type'];
  if (!ct) return '';
  return ct.split(';', 1)[0]!.trim().toLowerCase();
}

/**
 * Answer with `body` in one write: the status, `headers` in their order, then Content-Length
 * (the headers express's res.send gives these routes, without its per-call work). A HEAD
 * answer keeps the headers and drops the body, as node does.
 */
export function writeAnswer(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  res.statusCode = status;
  for (const name in headers) res.setHeader(name, headers[name]!);
  res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.end(body);
}

export const JSON_CONTENT_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };
export const XML_CONTENT_TYPE = { 'Content-Type': 'text/xml; charset=utf-8' };
