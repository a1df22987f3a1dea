// NodeAlgorithmSuite: the official class view of a suite (keyLength in bits, kdfHash, signatureCurve, commitment ...), built from core/suites.
import { InvalidArgumentError } from './errors'
import { MessageFormat } from './policy-suites'
import { AlgorithmSuiteIdentifier, KdfHash, findSuite } from './suites'

/** Frozen, as the official instances are; the fields are the official names and values. */
export class NodeAlgorithmSuite {
  readonly id: AlgorithmSuiteIdentifier
  readonly name: string
  readonly messageFormat: MessageFormat
  readonly encryption: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm'
  readonly keyLength: 128 | 192 | 256
  readonly keyLengthBytes: number
  readonly ivLength: 12
  readonly tagLength: 128
  readonly cacheSafe: boolean
  readonly kdf: 'HKDF' | undefined
  readonly kdfHash: KdfHash | undefined
  readonly signatureCurve: 'prime256v1' | 'secp384r1' | undefined
  readonly signatureHash: 'sha256' | 'sha384' | undefined
  readonly type = 'node' as const
  readonly commitment: 'NONE' | 'KEY'
  readonly commitmentHash: 'sha512' | undefined
  readonly suiteDataLength: 32 | undefined
  readonly commitmentLength: 256 | undefined
  readonly saltLengthBytes: 32 | undefined

  constructor(id: AlgorithmSuiteIdentifier) {
    const suite = findSuite(id)
    if (!suite) throw new InvalidArgumentError('No suite by that identifier exists.')
    this.id = suite.id
    this.name = AlgorithmSuiteIdentifier[suite.id]
    this.messageFormat = suite.messageFormat === 2 ? MessageFormat.V2 : MessageFormat.V1
    this.encryption = suite.encryption
    this.keyLength = (suite.keyLengthBytes * 8) as 128 | 192 | 256
    this.keyLengthBytes = suite.keyLengthBytes
    this.ivLength = 12
    this.tagLength = 128
    this.cacheSafe = suite.kdf !== undefined
    this.kdf = suite.kdf ? 'HKDF' : undefined
    this.kdfHash = suite.kdf
    this.signatureCurve = suite.signature ? (suite.signature.curve === 'P-256' ? 'prime256v1' : 'secp384r1') : undefined
    this.signatureHash = suite.signature?.hash
    this.commitment = suite.commitment ? 'KEY' : 'NONE'
    this.commitmentHash = suite.commitment ? 'sha512' : undefined
    this.suiteDataLength = suite.commitment ? 32 : undefined
    this.commitmentLength = suite.commitment ? 256 : undefined
    this.saltLengthBytes = suite.commitment ? 32 : undefined
    Object.freeze(this)
  }
}
