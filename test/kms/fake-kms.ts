// A structural KMS client for unit tests: the SDK v3 `KMS` method shape over an in-memory key table, with hooks to bend its answers.
import { randomBytes } from 'node:crypto'
import type {
  DecryptRequest,
  EncryptRequest,
  GenerateDataKeyRequest,
  KmsMethodClient,
} from '../../lib/materials/kms/kms-client'

export type FakeOp = 'GenerateDataKey' | 'Encrypt' | 'Decrypt'
export type FakeRequest = GenerateDataKeyRequest | EncryptRequest | DecryptRequest

export interface FakeCall {
  readonly op: FakeOp
  readonly request: FakeRequest
}

/** Replaces (or, by returning undefined, keeps) the honest answer; throwing makes the call fail. */
export type Bend = (op: FakeOp, request: FakeRequest, honest: () => Record<string, unknown>) => unknown

export const ACCOUNT = '111122223333'

export function keyArn(region: string, id: string, account = ACCOUNT, partition = 'aws'): string {
  return `arn:${partition}:kms:${region}:${account}:key/${id}`
}

/**
 * Blobs are `arn|context-json|plaintext` so a Decrypt can check the key and context like KMS does.
 * A multi-Region key decrypts blobs of its replicas (same account and id).
 */
export class FakeKms implements KmsMethodClient {
  readonly calls: FakeCall[] = []
  readonly config: { readonly region: string | (() => Promise<string>) }
  /** Plaintext buffers handed out, to check the keyring zeroes them. */
  readonly handedOut: Uint8Array[] = []
  bend: Bend | undefined

  constructor(region: string | (() => Promise<string>) = 'us-west-2', bend?: Bend) {
    this.config = { region }
    this.bend = bend
  }

  generateDataKey(request: GenerateDataKeyRequest): Promise<unknown> {
    return this.answer('GenerateDataKey', request, () => {
      const arn = this.resolve(request.KeyId)
      const plaintext = randomBytes(request.NumberOfBytes)
      return {
        KeyId: arn,
        Plaintext: this.handOut(plaintext),
        CiphertextBlob: blob(arn, request.EncryptionContext, plaintext),
      }
    })
  }

  encrypt(request: EncryptRequest): Promise<unknown> {
    return this.answer('Encrypt', request, () => {
      const arn = this.resolve(request.KeyId)
      return { KeyId: arn, CiphertextBlob: blob(arn, request.EncryptionContext, Buffer.from(request.Plaintext)) }
    })
  }

  decrypt(request: DecryptRequest): Promise<unknown> {
    return this.answer('Decrypt', request, () => {
      const text = Buffer.from(request.CiphertextBlob).toString('latin1')
      // The plaintext is random bytes and may contain '|': it is everything after the second separator.
      const first = text.indexOf('|')
      const second = text.indexOf('|', first + 1)
      const arn = text.slice(0, first)
      const context = text.slice(first + 1, second)
      const plaintext = text.slice(second + 1)
      if (!sameKey(arn, request.KeyId))
        throw named('IncorrectKeyException', 'the ciphertext was not made under this key')
      if (context !== JSON.stringify(sorted(request.EncryptionContext)))
        throw named('InvalidCiphertextException', 'context mismatch')
      return { KeyId: request.KeyId, Plaintext: this.handOut(Buffer.from(plaintext, 'latin1')) }
    })
  }

  ops(op?: FakeOp): FakeCall[] {
    return op ? this.calls.filter((c) => c.op === op) : this.calls
  }

  private async answer(op: FakeOp, request: FakeRequest, honest: () => Record<string, unknown>): Promise<unknown> {
    this.calls.push({ op, request })
    if (this.bend) {
      const bent = this.bend(op, request, honest)
      if (bent !== undefined) return bent
    }
    return honest()
  }

  /** Aliases resolve to a key of the same name in this client's region, as `alias/x` → `key/x`. */
  private resolve(keyId: string): string {
    if (keyId.startsWith('arn:')) return keyId.replace(':alias/', ':key/')
    const region = typeof this.config.region === 'string' ? this.config.region : 'us-west-2'
    return keyArn(region, keyId.replace(/^alias\//, ''))
  }

  private handOut(plaintext: Buffer): Uint8Array {
    const out = new Uint8Array(plaintext)
    this.handedOut.push(out)
    return out
  }
}

function sorted(context: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : 1)))
}

function blob(arn: string, context: Record<string, string>, plaintext: Buffer): Uint8Array {
  return Buffer.from(`${arn}|${JSON.stringify(sorted(context))}|${plaintext.toString('latin1')}`, 'latin1')
}

function sameKey(blobArn: string, requested: string): boolean {
  if (blobArn === requested) return true
  const strip = (arn: string): string =>
    arn
      .split(':')
      .filter((_, i) => i !== 3)
      .join(':')
  return blobArn.includes(':key/mrk-') && strip(blobArn) === strip(requested)
}

/** An error shaped like an SDK v3 service exception (name + $metadata.httpStatusCode). */
export function named(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } })
}
