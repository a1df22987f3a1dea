// The node:http plumbing: listen on 127.0.0.1 only, read bounded bodies, hand POST / to the dispatcher, close cleanly.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { KmsReply } from './dispatcher'

export const LOOPBACK = '127.0.0.1'

export type Handler = (req: IncomingMessage, body: Buffer | undefined) => Promise<KmsReply>

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

async function serve(req: IncomingMessage, res: ServerResponse, handler: Handler, limit: number): Promise<void> {
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
  const body = await readBody(req, limit)
  const reply = await handler(req, body)
  send(res, reply.status, reply.headers, reply.body)
}

export interface Listening {
  readonly server: Server
  readonly port: number
}

export function listen(port: number, limit: number, handler: Handler): Promise<Listening> {
  const server = createServer((req, res) => {
    serve(req, res, handler, limit).catch(() => {
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
