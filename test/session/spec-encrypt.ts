// An independent, spec-only writer of ESDK messages (no lib/ code), for layouts our encrypt never produces but decrypt must read.
import { ECDH, createCipheriv, createSign, generateKeyPairSync, randomBytes } from 'node:crypto'
import { SPEC_SUITES, specDeriveKey, specHeaderTag } from './spec-decrypt'

export interface SpecFrameInput {
  readonly plaintext: Buffer
  readonly final: boolean
  /** Defaults to 8 zero bytes ‖ uint32 sequence number. */
  readonly iv?: Buffer
  /** The sequence number written and authenticated (frame header, AAD, default IV); defaults to its position from 1. */
  readonly seq?: number
}

export interface SpecWriteInput {
  readonly suiteId: number
  readonly dataKey: Buffer
  /** The transparent EDK's provider info (see test/materials/test-keyrings.ts). */
  readonly edkName: string
  /** Written in this order, not sorted. */
  readonly contextPairs?: ReadonlyArray<readonly [string, string]>
  readonly frameLength: number
  /** Framed body; omit for a non-framed body. */
  readonly frames?: readonly SpecFrameInput[]
  readonly nonFramed?: { readonly plaintext: Buffer; readonly iv?: Buffer }
  /** v1 only: the header authentication IV (the spec allows any; JS writes zeros). */
  readonly headerIv?: Buffer
}

const u8 = (n: number): Buffer => Buffer.from([n])
function u16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
function u64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}
const lv = (b: Buffer): Buffer => Buffer.concat([u16(b.length), b])

function seal(key: Buffer, iv: Buffer, aad: Buffer, plaintext: Buffer): { ciphertext: Buffer; tag: Buffer } {
  const name = key.length === 16 ? 'aes-128-gcm' : key.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm'
  const c = createCipheriv(name, key, iv)
  c.setAAD(aad)
  const ciphertext = Buffer.concat([c.update(plaintext), c.final()])
  return { ciphertext, tag: c.getAuthTag() }
}

function defaultIv(seq: number): Buffer {
  return Buffer.concat([Buffer.alloc(8), u32(seq)])
}

export function specEncrypt(input: SpecWriteInput): Buffer {
  const facts = SPEC_SUITES.get(input.suiteId)
  if (!facts) throw new Error('spec writer: unknown suite')
  const v2 = facts.kdf === 'sha512'
  const messageId = randomBytes(v2 ? 32 : 16)
  const pairs = [...(input.contextPairs ?? [])]
  let signer: ReturnType<typeof generateKeyPairSync> | undefined
  if (facts.signature) {
    signer = generateKeyPairSync('ec', { namedCurve: facts.signature.crv })
    // The point from the SPKI DER, not a JWK: on Node 20 a JWK export of a generateKeyPairSync key can deadlock.
    const spki = signer.publicKey.export({ type: 'spki', format: 'der' })
    const full = spki.subarray(spki.length - (facts.signature.crv === 'P-256' ? 65 : 97))
    const compressed = ECDH.convertKey(full, facts.signature.curve, undefined, undefined, 'compressed') as Buffer
    pairs.push(['aws-crypto-public-key', compressed.toString('base64')])
  }
  const entries =
    pairs.length === 0
      ? Buffer.alloc(0)
      : Buffer.concat([
          u16(pairs.length),
          ...pairs.map(([k, v]) => Buffer.concat([lv(Buffer.from(k)), lv(Buffer.from(v))])),
        ])
  const edks = Buffer.concat([
    u16(1),
    lv(Buffer.from('transparent')),
    lv(Buffer.from(input.edkName)),
    lv(input.dataKey),
  ])
  const { key, commitment } = specDeriveKey(input.suiteId, input.dataKey, messageId)
  const framed = input.frames !== undefined
  const headerBody = Buffer.concat([
    u8(v2 ? 2 : 1),
    v2 ? Buffer.alloc(0) : u8(0x80),
    u16(input.suiteId),
    messageId,
    lv(entries),
    edks,
    u8(framed ? 2 : 1),
    v2 ? Buffer.alloc(0) : Buffer.concat([Buffer.alloc(4), u8(12)]),
    u32(input.frameLength),
    v2 ? (commitment ?? Buffer.alloc(32)) : Buffer.alloc(0),
  ])
  const headerIv = v2 ? Buffer.alloc(12) : (input.headerIv ?? Buffer.alloc(12))
  const headerTag = specHeaderTag(key, headerIv, headerBody)
  const header = Buffer.concat([headerBody, v2 ? Buffer.alloc(0) : headerIv, headerTag])

  const body: Buffer[] = []
  if (input.frames) {
    input.frames.forEach((f, i) => {
      const seq = f.seq ?? i + 1
      const iv = f.iv ?? defaultIv(seq)
      const content = Buffer.from(
        f.final ? 'AWSKMSEncryptionClient Final Frame' : 'AWSKMSEncryptionClient Frame',
        'ascii',
      )
      const { ciphertext, tag } = seal(
        key,
        iv,
        Buffer.concat([messageId, content, u32(seq), u64(f.plaintext.length)]),
        f.plaintext,
      )
      body.push(
        f.final
          ? Buffer.concat([u32(0xffffffff), u32(seq), iv, u32(ciphertext.length)])
          : Buffer.concat([u32(seq), iv]),
        ciphertext,
        tag,
      )
    })
  } else if (input.nonFramed) {
    const iv = input.nonFramed.iv ?? defaultIv(1)
    const content = Buffer.from('AWSKMSEncryptionClient Single Block', 'ascii')
    const { ciphertext, tag } = seal(
      key,
      iv,
      Buffer.concat([messageId, content, u32(1), u64(input.nonFramed.plaintext.length)]),
      input.nonFramed.plaintext,
    )
    body.push(iv, u64(ciphertext.length), ciphertext, tag)
  }
  const unsigned = Buffer.concat([header, ...body])
  if (!signer || !facts.signature) return unsigned
  const signature = createSign(facts.signature.hash)
    .update(unsigned)
    .sign({ key: signer.privateKey, dsaEncoding: 'der' })
  return Buffer.concat([unsigned, u16(signature.length), signature])
}
