// Metadata records: one JSON line per operation with the Python CLI's keys (mode, input, output, header, header_auth, skipped...), sorted, plus the decrypting key.
import { closeSync, openSync, writeSync } from 'node:fs'
import { MessageHeader } from '../format/header'
import { pythonAlgorithmName } from './algorithms'
import { OperationError } from './errors'
import { DecryptingKey } from './key-witness'

export interface MetadataRecord {
  readonly mode: string
  readonly input: string
  readonly output: string
  readonly header: MessageHeader
  /** Decrypt only: the header's authentication (IV and tag), as the Python CLI reports it. */
  readonly headerAuth?: { readonly iv: Buffer; readonly tag: Buffer }
  /** Extension: the wrapping key that opened the data key. */
  readonly decryptedWith?: DecryptingKey
  readonly skipped?: {
    readonly reason: string
    readonly missingKeys: readonly string[]
    readonly missingPairs: readonly (readonly [string, string])[]
  }
}

/** The Python CLI's json_ready_header: binary fields base64, EDKs sorted by provider id then key info. */
export function headerJson(h: MessageHeader): Record<string, unknown> {
  const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
  const edks = [...h.encryptedDataKeys]
    .sort((a, b) =>
      Buffer.compare(
        Buffer.concat([Buffer.from(a.providerId), a.rawInfo]),
        Buffer.concat([Buffer.from(b.providerId), b.rawInfo]),
      ),
    )
    .map((e) => ({
      key_provider: { provider_id: b64(Buffer.from(e.providerId, 'utf8')), key_info: b64(e.rawInfo) },
      encrypted_data_key: b64(e.encryptedDataKey),
    }))
  return {
    version: h.version === 1 ? '1.0' : '2.0',
    type: h.type ?? null,
    algorithm: pythonAlgorithmName(h.suiteId),
    message_id: b64(h.messageId),
    encryption_context: { ...h.encryptionContext },
    encrypted_data_keys: edks,
    content_type: h.contentType,
    header_iv_length: h.headerIvLength,
    frame_length: h.frameLength,
    commitment_key: h.suiteData === undefined ? null : b64(h.suiteData),
  }
}

/** JSON with every object's keys sorted (Python's json.dumps(sort_keys=True)). */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
    const o = v as Record<string, unknown>
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    )
  })
}

export function recordJson(r: MetadataRecord): string {
  const line: Record<string, unknown> = { mode: r.mode, input: r.input, output: r.output, header: headerJson(r.header) }
  if (r.headerAuth !== undefined)
    line.header_auth = { iv: r.headerAuth.iv.toString('base64'), tag: r.headerAuth.tag.toString('base64') }
  if (r.decryptedWith !== undefined) line.decrypted_with = r.decryptedWith
  if (r.skipped !== undefined) {
    line.skipped = true
    line.reason = r.skipped.reason
    line.missing_encryption_context_keys = r.skipped.missingKeys
    line.missing_encryption_context_pairs = r.skipped.missingPairs
  }
  return sortedJson(line)
}

/** Appends (or, with --overwrite-metadata, truncates first) whole lines; `-` is stdout; undefined writes nothing (-S). */
export class MetadataWriter {
  private fd: number | undefined

  constructor(
    private readonly target: string | undefined,
    private readonly overwrite: boolean,
  ) {}

  /** False with -S: callers may skip what only a record needs (message headers, header tags). */
  get enabled(): boolean {
    return this.target !== undefined
  }

  open(): void {
    if (this.target === undefined || this.target === '-') return
    try {
      this.fd = openSync(this.target, this.overwrite ? 'w' : 'a', 0o600)
    } catch (e) {
      throw new OperationError(
        `cannot open metadata output ${this.target}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      )
    }
  }

  write(r: MetadataRecord): void {
    if (this.target === undefined) return
    const line = `${recordJson(r)}\n`
    if (this.fd === undefined) process.stdout.write(line)
    else writeSync(this.fd, line)
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }
}
