// Shared fixtures for the stand-in's tests: a server per test, real KMSClients pointed at it, and raw HTTP requests.
import type { ExecutionContext } from 'ava'
import { request } from 'node:http'
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms'
import { startLocalKms, type LocalKms, type LocalKmsOptions } from '../../lib/testing/index'

// The SDK warns once per process that Node 20 support ends in 2027; it is noise in test output.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'

/** A fresh stand-in for one test, closed when the test ends. */
export async function startKms(t: ExecutionContext, options?: LocalKmsOptions): Promise<LocalKms> {
  const kms = await startLocalKms(options)
  t.teardown(() => kms.close())
  return kms
}

/** The real SDK client for one region of the stand-in. */
export function kmsClient(
  t: ExecutionContext,
  kms: LocalKms,
  region: string,
  extra: Partial<KMSClientConfig> = {},
): KMSClient {
  const client = new KMSClient({ ...kms.clientConfig(region), ...extra })
  t.teardown(() => client.destroy())
  return client
}

export const text = (s: string): Uint8Array => Buffer.from(s, 'utf8')

export interface RawReply {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly json: unknown
}

export interface RawOptions {
  readonly method?: string
  readonly path?: string
  readonly target?: string
  readonly region?: string
  readonly headers?: Record<string, string>
  readonly authorization?: string | null
  readonly body?: string | Buffer
}

/** One request with hand-made headers (a dummy SigV4 Authorization for `region` unless `authorization` overrides it). */
export function raw(kms: LocalKms, options: RawOptions = {}): Promise<RawReply> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    ...(options.target === undefined ? {} : { 'x-amz-target': options.target }),
    ...options.headers,
  }
  const auth =
    options.authorization === undefined
      ? `AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20250101/${options.region ?? 'us-west-2'}/kms/aws4_request, SignedHeaders=host, Signature=00`
      : options.authorization
  if (auth !== null) headers['authorization'] = auth
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: kms.host,
        port: kms.port,
        method: options.method ?? 'POST',
        path: options.path ?? '/',
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8')
          let json: unknown
          try {
            json = JSON.parse(body)
          } catch {
            json = body
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json })
        })
      },
    )
    req.on('error', reject)
    req.end(options.body ?? '{}')
  })
}

/** The `__type` of a raw error reply. */
export function errorType(reply: RawReply): unknown {
  return typeof reply.json === 'object' && reply.json !== null ? (reply.json as { __type?: unknown }).__type : undefined
}
