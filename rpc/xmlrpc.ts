// POST /xmlrpc/2/<service> (integer fault codes) and the legacy POST /xmlrpc/<service> (string
// fault codes). Always HTTP 200 with text/xml, faults included: Python's xmlrpc.client turns
// any other status into a ProtocolError instead of a Fault.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RpcContext } from './context.ts';
import { readBody, writeAnswer, XML_CONTENT_TYPE } from './body.ts';
import { toXmlRpcFault } from './errors.ts';
import { parseMethodCall, serializeFault, serializeResponseBytes } from './xmlrpc_codec.ts';
import { dispatchRpc, type CallerInfo } from './services.ts';
import { remoteAddr } from './remote_addr.ts';

/** The XML answer (methodResponse as UTF-8 bytes, or fault) for one raw XML-RPC request body. */
export async function xmlrpcAnswer(ctx: RpcContext, service: string, body: Buffer | Error, legacy: boolean, caller: CallerInfo = {}): Promise<string | Buffer> {
  try {
    if (body instanceof Error) throw body;
    const call = parseMethodCall(body);
    const result = await dispatchRpc(ctx, service, call.methodName, call.params, caller);
    // marshalling happens after the commit, as in Odoo: a None result is fault 1 but the
    // method's writes are kept
    return serializeResponseBytes(result);
  } catch (err) {
    const { faultCode, faultString } = toXmlRpcFault(err, legacy, ctx.logError);
    return serializeFault(faultCode, faultString);
  }
}

export function xmlrpcHandler(ctx: RpcContext, legacy: boolean) {
  return (req: IncomingMessage & { path: string; params: Record<string, unknown> }, res: ServerResponse): Promise<void> =>
    serveXmlRpc(ctx, legacy, req, res, req.path, String(req.params.service));
}

/** One XML-RPC call on node's request and response (`path` and its `service` already routed). */
export async function serveXmlRpc(ctx: RpcContext, legacy: boolean, req: IncomingMessage, res: ServerResponse, path: string, service: string): Promise<void> {
  ctx.deprecation.warn('xmlrpc', path, req.socket.remoteAddress, req.headers['user-agent']);
  const read = await readBody(req, ctx.maxBodySize);
  const xml = await xmlrpcAnswer(ctx, service, read.ok ? read.body : read.error, legacy, { source: remoteAddr(req, ctx.proxyMode) });
  writeAnswer(res, 200, XML_CONTENT_TYPE, xml);
}
