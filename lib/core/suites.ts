// The eleven ESDK algorithm suites and their properties (data-format/message-header.md, framework/algorithm-suites.md).

export enum AlgorithmSuiteIdentifier {
  ALG_AES128_GCM_IV12_TAG16 = 0x0014,
  ALG_AES192_GCM_IV12_TAG16 = 0x0046,
  ALG_AES256_GCM_IV12_TAG16 = 0x0078,
  ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256 = 0x0114,
  ALG_AES192_GCM_IV12_TAG16_HKDF_SHA256 = 0x0146,
  ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256 = 0x0178,
  ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256 = 0x0214,
  ALG_AES192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 = 0x0346,
  ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 = 0x0378,
  ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY = 0x0478,
  ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384 = 0x0578,
}

export type KdfHash = 'sha256' | 'sha384' | 'sha512'
export type SignatureCurve = 'P-256' | 'P-384'

export interface SignatureSpec {
  readonly curve: SignatureCurve
  readonly hash: 'sha256' | 'sha384'
  /** SEC1 compressed public point length, as carried in `aws-crypto-public-key`. */
  readonly publicKeyLength: number
}

export interface AlgorithmSuite {
  readonly id: AlgorithmSuiteIdentifier
  readonly messageFormat: 1 | 2
  readonly encryption: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm'
  /** Length of both the data key and the derived encryption key (official name). */
  readonly keyLengthBytes: 16 | 24 | 32
  readonly ivLength: 12
  readonly tagLength: 16
  /** undefined for the identity-KDF suites, which use the data key as the encryption key. */
  readonly kdf: KdfHash | undefined
  readonly signature: SignatureSpec | undefined
  /** Committing suites carry a 32-byte commitment as suite data in the v2 header. */
  readonly commitment: boolean
  readonly suiteDataLength: 0 | 32
  readonly messageIdLength: 16 | 32
}

const P256: SignatureSpec = { curve: 'P-256', hash: 'sha256', publicKeyLength: 33 }
const P384: SignatureSpec = { curve: 'P-384', hash: 'sha384', publicKeyLength: 49 }

function suite(
  id: AlgorithmSuiteIdentifier,
  keyLengthBytes: 16 | 24 | 32,
  kdf: KdfHash | undefined,
  signature: SignatureSpec | undefined,
): AlgorithmSuite {
  const commitment = kdf === 'sha512'
  return Object.freeze({
    id,
    messageFormat: commitment ? 2 : 1,
    encryption: `aes-${keyLengthBytes * 8}-gcm` as AlgorithmSuite['encryption'],
    keyLengthBytes,
    ivLength: 12,
    tagLength: 16,
    kdf,
    signature,
    commitment,
    suiteDataLength: commitment ? 32 : 0,
    messageIdLength: commitment ? 32 : 16,
  })
}

const A = AlgorithmSuiteIdentifier
const SUITES: ReadonlyMap<number, AlgorithmSuite> = new Map(
  [
    suite(A.ALG_AES128_GCM_IV12_TAG16, 16, undefined, undefined),
    suite(A.ALG_AES192_GCM_IV12_TAG16, 24, undefined, undefined),
    suite(A.ALG_AES256_GCM_IV12_TAG16, 32, undefined, undefined),
    suite(A.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256, 16, 'sha256', undefined),
    suite(A.ALG_AES192_GCM_IV12_TAG16_HKDF_SHA256, 24, 'sha256', undefined),
    suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256, 32, 'sha256', undefined),
    suite(A.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256, 16, 'sha256', P256),
    suite(A.ALG_AES192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384, 24, 'sha384', P384),
    suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384, 32, 'sha384', P384),
    suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY, 32, 'sha512', undefined),
    suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384, 32, 'sha512', P384),
  ].map((s) => [s.id, s]),
)

export const ALL_SUITES: readonly AlgorithmSuite[] = [...SUITES.values()]

/** The suite for an id, or undefined when the id is not one of the eleven. */
export function findSuite(id: number): AlgorithmSuite | undefined {
  return SUITES.get(id)
}
