// One KMS request from headers and body to JSON reply: target, scope, faults, operation, and its call-log record.
import { randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { contextObject } from './context'
import type { Delays } from './delays'
import { KmsFault } from './errors'
import type { CallLog } from './call-log'
import type { FaultInjector } from './faults'
import { asBody } from './input'
import type { KeyStore } from './key-store'
import { preview } from './log-preview'
import { checkUsable } from './operations/context'
import { OPERATIONS, type OperationContext } from './operations/index'
import { credentialScope } from './sigv4-scope'
import { KMS_OPERATIONS, type KmsCallRecord, type KmsOperation } from './types'

export interface KmsReply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

type Draft = { -readonly [K in keyof KmsCallRecord]: KmsCallRecord[K] }

const CONTENT_TYPE = 'application/x-amz-json-1.1'

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

function knownOperation(name: string): KmsOperation | undefined {
  return KMS_OPERATIONS.find((op) => op === name)
}

export class Dispatcher {
  constructor(
    private readonly store: KeyStore,
    private readonly faults: FaultInjector,
    private readonly log: CallLog,
    private readonly delays: Delays,
  ) {}

  /** `body` is undefined when the request was larger than the limit. */
  async handle(headers: IncomingHttpHeaders, body: Buffer | undefined): Promise<KmsReply> {
    const target = header(headers, 'x-amz-target') ?? ''
    const attempt = /attempt=(\d+)/.exec(header(headers, 'amz-sdk-request') ?? '')?.[1]
    const record: Draft = {
      op: target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : target,
      region: '',
      keyId: undefined,
      resolvedKeyArn: undefined,
      grantTokens: [],
      encryptionContext: {},
      ok: false,
      errorType: undefined,
      time: Date.now(),
      attempt: attempt === undefined ? 1 : Number(attempt),
      invocationId: header(headers, 'amz-sdk-invocation-id'),
      requestId: randomUUID(),
    }
    let reply: { status: number; payload: Record<string, unknown>; errorType?: string }
    try {
      reply = { status: 200, payload: await this.run(record, headers, body) }
      record.ok = true
    } catch (e) {
      const f =
        e instanceof KmsFault
          ? e
          : new KmsFault(
              'KMSInternalException',
              `The local KMS stand-in failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`,
            )
      record.errorType = f.type
      reply = { status: f.status, payload: { __type: f.type, message: f.message }, errorType: f.type }
    }
    this.log.add(record)
    const replyHeaders: Record<string, string> = { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': record.requestId }
    if (reply.errorType !== undefined) replyHeaders['x-amzn-errortype'] = reply.errorType
    return { status: reply.status, headers: replyHeaders, body: JSON.stringify(reply.payload) }
  }

  private async run(
    record: Draft,
    headers: IncomingHttpHeaders,
    body: Buffer | undefined,
  ): Promise<Record<string, unknown>> {
    const target = header(headers, 'x-amz-target') ?? ''
    if (!target.startsWith('TrentService.'))
      throw new KmsFault('UnknownOperationException', 'X-Amz-Target must be TrentService.<Operation>')
    record.region = credentialScope(header(headers, 'authorization')).region
    if (body === undefined) throw new KmsFault('ValidationException', 'Request body too large', 413)
    const contentType = header(headers, 'content-type') ?? ''
    if (!/^application\/x-amz-json-1\.[01]\b/.test(contentType))
      throw new KmsFault('SerializationException', `Content-Type must be ${CONTENT_TYPE}`)
    const op = knownOperation(record.op)
    if (op === undefined)
      throw new KmsFault('UnknownOperationException', `The local KMS stand-in does not implement '${record.op}'`)
    await this.delays.wait(this.faults.delayFor(op))
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      throw new KmsFault('SerializationException', 'The request body is not valid JSON')
    }
    const input = asBody(parsed)
    const ctx = this.context(op, record)
    ctx.note(preview(op, input))
    this.faults.beforeKey(op)
    return OPERATIONS[op](input, ctx)
  }

  private context(op: KmsOperation, record: Draft): OperationContext {
    const { store, faults } = this
    return {
      op,
      region: record.region,
      store,
      note(fields) {
        if (fields.keyId !== undefined) record.keyId = fields.keyId
        if (fields.grantTokens !== undefined) record.grantTokens = Object.freeze([...fields.grantTokens])
        if (fields.encryptionContext !== undefined) record.encryptionContext = contextObject(fields.encryptionContext)
      },
      use(key, role) {
        if (role === 'source') record.sourceKeyArn = key.arn
        else record.resolvedKeyArn = key.arn
        faults.forKey(op, key.arn)
        checkUsable(key, op, store.callerAccount)
        return key
      },
    }
  }
}
