// The node:http plumbing: listen on 127.0.0.1 only, read bounded bodies, hand POST / to the dispatcher, close cleanly.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { KmsReply } from './dispatcher'
import type { DropPoint } from './types'

export const LOOPBACK = '127.0.0.1'

export type Handler = (req: IncomingMessage, body: Buffer | undefined) => Promise<KmsReply>

/** Asked as each POST / arrives, with the operation X-Amz-Target names: where to drop its connection, if at all. */
export type DropDecider = (op: string) => DropPoint | undefined

function targetOp(req: IncomingMessage): string {
  const v = req.headers['x-amz-target']
  const target = (Array.isArray(v) ? v[0] : v) ?? ''
  return target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : target
}

/** The status line, the headers (with the full content-length) and half the body, then the socket is destroyed. */
function sendHalf(res: ServerResponse, reply: KmsReply): void {
  const bytes = Buffer.from(reply.body, 'utf8')
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(bytes.length) })
  res.write(bytes.subarray(0, bytes.length >> 1), () => res.socket?.destroy())
}

/**
 * Reads the whole body, or undefined once it passes `limit`; the rest is drained (so the client still reads the 413)
 * up to 16× the limit, beyond which the connection is dropped.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit * 16) req.destroy()
      else if (size <= limit) chunks.push(chunk)
    })
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)))
    req.on('error', reject)
    req.on('close', () => reject(new Error('request closed')))
  })
}

function send(res: ServerResponse, status: number, headers: Readonly<Record<string, string>>, body: string): void {
  if (res.destroyed || res.writableEnded) return
  const bytes = Buffer.from(body, 'utf8')
  res.writeHead(status, { ...headers, 'content-length': String(bytes.length) })
  res.end(bytes)
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  handler: Handler,
  limit: number,
  dropFor: DropDecider,
): Promise<void> {
  const path = (req.url ?? '').split('?')[0]
  if (req.method !== 'POST' || path !== '/') {
    req.resume()
    const body = JSON.stringify({
      __type: 'UnknownOperationException',
      message: 'The local KMS stand-in accepts POST / only',
    })
    send(res, req.method === 'POST' ? 404 : 405, { 'content-type': 'application/x-amz-json-1.1', allow: 'POST' }, body)
    return
  }
  const drop = dropFor(targetOp(req))
  if (drop === 'arrival') {
    req.socket.destroy()
    return
  }
  const body = await readBody(req, limit)
  const reply = await handler(req, body)
  if (drop === 'before-answer') req.socket.destroy()
  else if (drop === 'mid-answer') sendHalf(res, reply)
  else send(res, reply.status, reply.headers, reply.body)
}

export interface Listening {
  readonly server: Server
  readonly port: number
}

export function listen(
  port: number,
  limit: number,
  handler: Handler,
  dropFor: DropDecider = () => undefined,
): Promise<Listening> {
  const server = createServer((req, res) => {
    serve(req, res, handler, limit, dropFor).catch(() => {
      if (!res.headersSent)
        send(
          res,
          500,
          { 'content-type': 'application/x-amz-json-1.1' },
          JSON.stringify({ __type: 'KMSInternalException', message: 'request failed' }),
        )
      else res.destroy()
    })
  })
  server.keepAliveTimeout = 5_000
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => {
      server.off('error', reject)
      resolve({ server, port: (server.address() as AddressInfo).port })
    })
  })
}

/** Stops listening and drops every connection, idle or not. */
export function shutdown(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err === undefined ? resolve() : reject(err)))
    server.closeAllConnections()
  })
}
