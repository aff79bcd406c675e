// POST /xmlrpc/2/<service> (integer fault codes) and the legacy POST /xmlrpc/<service> (string
// fault codes). Always HTTP 200 with text/xml, faults included: Python's xmlrpc.client turns
// any other status into a ProtocolError instead of a Fault.

import type { Request, Response } from 'express';
import type { RpcContext } from './context.ts';
import { readBody } from './body.ts';
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
  return async (req: Request, res: Response): Promise<void> => {
    ctx.deprecation.warn('xmlrpc', req.path, req.socket.remoteAddress, req.get('user-agent'));
    const read = await readBody(req, ctx.maxBodySize);
    const xml = await xmlrpcAnswer(ctx, String(req.params.service), read.ok ? read.body : read.error, legacy, { source: remoteAddr(req, ctx.proxyMode) });
    res.status(200).set('Content-Type', 'text/xml; charset=utf-8').send(xml);
  };
}
