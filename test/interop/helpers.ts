// Shared interop fixtures: suite table, paired keyrings for both SDKs, one-shot encrypt/decrypt per side, and an independent message-layout parser.
import { constants, generateKeyPairSync, randomBytes } from 'node:crypto'
import * as official from '@aws-crypto/client-node'
import * as ours from '../../lib/index'

export { official, ours }

export type Side = 'ours' | 'official'
export const SIDES: readonly Side[] = ['ours', 'official']
export type PolicyName = 'FORBID_ENCRYPT_ALLOW_DECRYPT' | 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT'
export type SuiteName = keyof typeof official.AlgorithmSuiteIdentifier & keyof typeof ours.AlgorithmSuiteIdentifier

export interface SuiteCase {
  readonly name: SuiteName
  readonly id: number
  /** The policy that allows encrypting with this suite. */
  readonly policy: PolicyName
  readonly signed: boolean
  readonly committing: boolean
}

function suiteCase(name: SuiteName, id: number): SuiteCase {
  // Both SDKs must agree on the wire id behind every name; a drift here breaks every other test.
  if (ours.AlgorithmSuiteIdentifier[name] !== id || official.AlgorithmSuiteIdentifier[name] !== id) {
    throw new Error(`suite table out of date for ${name}`)
  }
  const committing = name.includes('COMMIT_KEY')
  return {
    name,
    id,
    policy: committing ? 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' : 'FORBID_ENCRYPT_ALLOW_DECRYPT',
    signed: name.includes('ECDSA'),
    committing,
  }
}

export const SUITES: readonly SuiteCase[] = [
  suiteCase('ALG_AES128_GCM_IV12_TAG16', 0x0014),
  suiteCase('ALG_AES192_GCM_IV12_TAG16', 0x0046),
  suiteCase('ALG_AES256_GCM_IV12_TAG16', 0x0078),
  suiteCase('ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256', 0x0114),
  suiteCase('ALG_AES192_GCM_IV12_TAG16_HKDF_SHA256', 0x0146),
  suiteCase('ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256', 0x0178),
  suiteCase('ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256', 0x0214),
  suiteCase('ALG_AES192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384', 0x0346),
  suiteCase('ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384', 0x0378),
  suiteCase('ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY', 0x0478),
  suiteCase('ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384', 0x0578),
]

export function suiteByName(name: SuiteName): SuiteCase {
  const found = SUITES.find((s) => s.name === name)
  if (!found) throw new Error(`no suite ${name}`)
  return found
}

export function hex4(id: number): string {
  return `0x${id.toString(16).padStart(4, '0')}`
}

export function suiteTitle(s: SuiteCase): string {
  return `${hex4(s.id)} ${s.name}`
}

/** Arrow for titles: "ours→official" means ours encrypts and the official SDK decrypts. */
export function direction(from: Side, to: Side): string {
  return `${from}→${to}`
}

export const PUBLIC_KEY_CONTEXT_KEY = 'aws-crypto-public-key'

/** The caller's part of a decrypted context: the signed suites' verification key removed. */
export function withoutPublicKey(context: Readonly<Record<string, string>>): Record<string, string> {
  // fromEntries defines properties, so even a key named "__proto__" stays an own entry.
  return Object.fromEntries(Object.entries(context).filter(([k]) => k !== PUBLIC_KEY_CONTEXT_KEY))
}

// ---------------------------------------------------------------- clients

const ourClients = new Map<string, ours.EsdkClient>()
const officialClients = new Map<string, ReturnType<typeof official.buildClient>>()

export function ourClient(policy: PolicyName, maxEncryptedDataKeys: number | false = false): ours.EsdkClient {
  const key = `${policy}/${String(maxEncryptedDataKeys)}`
  let client = ourClients.get(key)
  if (!client) {
    client = ours.buildClient({ commitmentPolicy: ours.CommitmentPolicy[policy], maxEncryptedDataKeys })
    ourClients.set(key, client)
  }
  return client
}

export function officialClient(
  policy: PolicyName,
  maxEncryptedDataKeys: number | false = false,
): ReturnType<typeof official.buildClient> {
  const key = `${policy}/${String(maxEncryptedDataKeys)}`
  let client = officialClients.get(key)
  if (!client) {
    client = official.buildClient({ commitmentPolicy: official.CommitmentPolicy[policy], maxEncryptedDataKeys })
    officialClients.set(key, client)
  }
  return client
}

// ---------------------------------------------------------------- keyrings

/** The same wrapping key expressed as a keyring of each SDK. */
export interface KeyringPair {
  readonly ours: ours.KeyringNode
  readonly official: official.KeyringNode
}

export type AesBits = 128 | 192 | 256

const AES_KEYS: Record<AesBits, Buffer> = { 128: randomBytes(16), 192: randomBytes(24), 256: randomBytes(32) }

export interface AesOptions {
  readonly bits?: AesBits
  readonly keyName?: string
  readonly keyNamespace?: string
  /** undefined: each SDK's default (ours: UTF-8 order; official: localeCompare order). */
  readonly oursUtf8Sorting?: boolean
  readonly officialUtf8Sorting?: boolean
}

export function aesPair(options: AesOptions = {}): KeyringPair {
  const {
    bits = 256,
    keyName = `aes-${bits}`,
    keyNamespace = 'interop-aes',
    oursUtf8Sorting,
    officialUtf8Sorting,
  } = options
  const key = AES_KEYS[bits]
  const oursSuite = {
    128: ours.RawAesWrappingSuiteIdentifier.AES128_GCM_IV12_TAG16_NO_PADDING,
    192: ours.RawAesWrappingSuiteIdentifier.AES192_GCM_IV12_TAG16_NO_PADDING,
    256: ours.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  }[bits]
  const officialSuite = {
    128: official.RawAesWrappingSuiteIdentifier.AES128_GCM_IV12_TAG16_NO_PADDING,
    192: official.RawAesWrappingSuiteIdentifier.AES192_GCM_IV12_TAG16_NO_PADDING,
    256: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  }[bits]
  return {
    ours: new ours.RawAesKeyringNode({
      keyName,
      keyNamespace,
      unencryptedMasterKey: new Uint8Array(key),
      wrappingSuite: oursSuite,
      ...(oursUtf8Sorting === undefined ? {} : { utf8Sorting: oursUtf8Sorting }),
    }),
    official: new official.RawAesKeyringNode({
      keyName,
      keyNamespace,
      unencryptedMasterKey: new Uint8Array(key),
      wrappingSuite: officialSuite,
      ...(officialUtf8Sorting === undefined ? {} : { utf8Sorting: officialUtf8Sorting }),
    }),
  }
}

export interface RsaPem {
  readonly publicKey: string
  readonly privateKey: string
}

/** A fresh 2048-bit RSA key pair as PEM (each test file calls this once). */
export function generateRsaPem(): RsaPem {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
}

export type OaepHash = 'sha1' | 'sha256' | 'sha384' | 'sha512'
export const OAEP_HASHES: readonly OaepHash[] = ['sha1', 'sha256', 'sha384', 'sha512']

export interface RsaOptions {
  readonly keyName?: string
  readonly keyNamespace?: string
  /** Which halves of the pair each keyring gets (default both). */
  readonly keys?: 'both' | 'public' | 'private'
}

export function rsaPair(pem: RsaPem, oaepHash: OaepHash, options: RsaOptions = {}): KeyringPair {
  const { keyName = `rsa-oaep-${oaepHash}`, keyNamespace = 'interop-rsa', keys = 'both' } = options
  const rsaKey = {
    ...(keys === 'private' ? {} : { publicKey: pem.publicKey }),
    ...(keys === 'public' ? {} : { privateKey: pem.privateKey }),
  }
  const padding = constants.RSA_PKCS1_OAEP_PADDING
  return {
    ours: new ours.RawRsaKeyringNode({ keyName, keyNamespace, rsaKey, padding, oaepHash }),
    official: new official.RawRsaKeyringNode({ keyName, keyNamespace, rsaKey, padding, oaepHash }),
  }
}

export function multiPair(generator: KeyringPair, children: readonly KeyringPair[]): KeyringPair {
  return {
    ours: new ours.MultiKeyringNode({ generator: generator.ours, children: children.map((c) => c.ours) }),
    official: new official.MultiKeyringNode({
      generator: generator.official,
      children: children.map((c) => c.official),
    }),
  }
}

// ---------------------------------------------------------------- one-shot operations per side

/** What a header looks like through either SDK's `messageHeader`. */
export interface HeaderView {
  readonly suiteId: number
  readonly frameLength: number
  readonly encryptionContext: Readonly<Record<string, string>>
  readonly encryptedDataKeys: ReadonlyArray<{ readonly providerId: string; readonly providerInfo: string }>
}

export interface EncryptOptions {
  readonly policy?: PolicyName
  readonly suite?: SuiteName
  readonly context?: Readonly<Record<string, string>>
  readonly frameLength?: number
}

export interface Encrypted {
  readonly ciphertext: Buffer
  readonly header: HeaderView
}

export interface Decrypted {
  readonly plaintext: Buffer
  readonly header: HeaderView
}

function policyFor(options: EncryptOptions): PolicyName {
  if (options.policy) return options.policy
  return options.suite === undefined ? 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' : suiteByName(options.suite).policy
}

export async function encryptWith(
  side: Side,
  keyrings: KeyringPair,
  plaintext: Buffer,
  options: EncryptOptions = {},
): Promise<Encrypted> {
  const policy = policyFor(options)
  const encryptionContext = { ...(options.context ?? {}) }
  const frameLength = options.frameLength
  if (side === 'ours') {
    const suiteId = options.suite === undefined ? undefined : ours.AlgorithmSuiteIdentifier[options.suite]
    const { result, messageHeader } = await ourClient(policy).encrypt(keyrings.ours, plaintext, {
      encryptionContext,
      ...(suiteId === undefined ? {} : { suiteId }),
      ...(frameLength === undefined ? {} : { frameLength }),
    })
    return { ciphertext: result, header: messageHeader }
  }
  const suiteId = options.suite === undefined ? undefined : official.AlgorithmSuiteIdentifier[options.suite]
  const { result, messageHeader } = await officialClient(policy).encrypt(keyrings.official, plaintext, {
    encryptionContext,
    ...(suiteId === undefined ? {} : { suiteId }),
    ...(frameLength === undefined ? {} : { frameLength }),
  })
  return { ciphertext: result, header: messageHeader }
}

export async function decryptWith(
  side: Side,
  keyrings: KeyringPair,
  ciphertext: Buffer,
  policy: PolicyName = 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
): Promise<Decrypted> {
  if (side === 'ours') {
    const { plaintext, messageHeader } = await ourClient(policy).decrypt(keyrings.ours, ciphertext)
    return { plaintext, header: messageHeader }
  }
  const { plaintext, messageHeader } = await officialClient(policy).decrypt(keyrings.official, ciphertext)
  return { plaintext, header: messageHeader }
}

export function other(side: Side): Side {
  return side === 'ours' ? 'official' : 'ours'
}

/** Deterministic, non-repeating-looking plaintext of a given size. */
export function plaintextOf(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size)
  let x = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}

// ---------------------------------------------------------------- independent message layout

export interface FrameLayout {
  readonly sequenceNumber: number
  readonly final: boolean
  /** Offset of the frame's first byte (sequence number, or the final-frame marker). */
  readonly start: number
  readonly ivOffset: number
  readonly contentOffset: number
  readonly contentLength: number
  readonly tagOffset: number
  readonly end: number
}

export interface MessageLayout {
  readonly version: 1 | 2
  readonly suiteId: number
  readonly headerLength: number
  readonly edkCount: number
  readonly frameLength: number
  readonly frames: readonly FrameLayout[]
  readonly bodyEnd: number
  /** 0 for unsigned suites, else 2 + signature length. */
  readonly footerLength: number
}

/**
 * Walks a framed message by the published format (data-format/message-header.md, message-body.md,
 * message-footer.md), sharing no code with either SDK. Throws on anything unexpected.
 */
export function messageLayout(bytes: Buffer): MessageLayout {
  let o = 0
  const need = (n: number): void => {
    if (o + n > bytes.length) throw new Error(`layout: message ends at ${bytes.length}, needed ${o + n}`)
  }
  const read = (n: 1 | 2 | 4): number => {
    need(n)
    const v = n === 1 ? bytes.readUInt8(o) : n === 2 ? bytes.readUInt16BE(o) : bytes.readUInt32BE(o)
    o += n
    return v
  }
  const u8 = (): number => read(1)
  const u16 = (): number => read(2)
  const u32 = (): number => read(4)
  const skip = (n: number): void => {
    need(n)
    o += n
  }

  const version = u8()
  if (version !== 1 && version !== 2) throw new Error(`layout: version ${version}`)
  if (version === 1 && u8() !== 0x80) throw new Error('layout: type')
  const suiteId = u16()
  const suite = SUITES.find((s) => s.id === suiteId)
  if (!suite) throw new Error(`layout: suite ${hex4(suiteId)}`)
  skip(version === 1 ? 16 : 32)
  skip(u16())
  const edkCount = u16()
  for (let i = 0; i < edkCount; i++) {
    skip(u16())
    skip(u16())
    skip(u16())
  }
  if (u8() !== 2) throw new Error('layout: not framed')
  if (version === 1) {
    skip(4)
    if (u8() !== 12) throw new Error('layout: iv length')
  }
  const frameLength = u32()
  if (version === 2) skip(32)
  if (version === 1) skip(12)
  skip(16)
  const headerLength = o

  const frames: FrameLayout[] = []
  for (;;) {
    const start = o
    const marker = u32()
    const final = marker === 0xffffffff
    const sequenceNumber = final ? u32() : marker
    if (sequenceNumber !== frames.length + 1)
      throw new Error(`layout: sequence ${sequenceNumber} at frame ${frames.length + 1}`)
    const ivOffset = o
    skip(12)
    const contentLength = final ? u32() : frameLength
    const contentOffset = o
    skip(contentLength)
    const tagOffset = o
    skip(16)
    frames.push({ sequenceNumber, final, start, ivOffset, contentOffset, contentLength, tagOffset, end: o })
    if (final) break
  }
  const bodyEnd = o
  let footerLength = 0
  if (suite.signed) {
    skip(u16())
    footerLength = o - bodyEnd
  }
  if (o !== bytes.length) throw new Error(`layout: ${bytes.length - o} trailing bytes`)
  return { version, suiteId, headerLength, edkCount, frameLength, frames, bodyEnd, footerLength }
}

/** A copy of `bytes` with one bit flipped at `offset`. */
export function flipByte(bytes: Buffer, offset: number): Buffer {
  if (offset < 0 || offset >= bytes.length) throw new Error(`flip offset ${offset} outside ${bytes.length}`)
  const copy = Buffer.from(bytes)
  copy[offset] = (copy[offset] ?? 0) ^ 0x01
  return copy
}
