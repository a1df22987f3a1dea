// Builds raw AES, raw RSA and raw ECDH keyrings through the library's public API from parsed key material.
import { constants } from 'node:crypto'
import {
  EcdhCurveSpec,
  OaepHash,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  RawEcdhKeyAgreementScheme,
  RawEcdhKeyringNode,
  RawRsaKeyringNode,
} from '../../lib/index'

const WRAPPING_BY_BITS: ReadonlyMap<number, RawAesWrappingSuiteIdentifier> = new Map([
  [128, RawAesWrappingSuiteIdentifier.AES128_GCM_IV12_TAG16_NO_PADDING],
  [192, RawAesWrappingSuiteIdentifier.AES192_GCM_IV12_TAG16_NO_PADDING],
  [256, RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING],
])

export function rawAesKeyring(keyNamespace: string, keyName: string, material: Buffer): RawAesKeyringNode {
  const wrappingSuite = WRAPPING_BY_BITS.get(material.length * 8)
  if (wrappingSuite === undefined) throw new Error(`no AES wrapping suite for a ${material.length * 8}-bit key`)
  return new RawAesKeyringNode({ keyName, keyNamespace, unencryptedMasterKey: material, wrappingSuite })
}

export type RsaPadding = { readonly scheme: 'pkcs1' } | { readonly scheme: 'oaep'; readonly hash: OaepHash }

export interface RsaKeyHalf {
  readonly half: 'private' | 'public'
  readonly pem: string
}

/** A public-only keyring is built on purpose: the library must treat it as never matching on decrypt. */
export function rawRsaKeyring(
  keyNamespace: string,
  keyName: string,
  key: RsaKeyHalf,
  padding: RsaPadding,
): RawRsaKeyringNode {
  return new RawRsaKeyringNode({
    keyName,
    keyNamespace,
    rsaKey: key.half === 'private' ? { privateKey: key.pem } : { publicKey: key.pem },
    padding: padding.scheme === 'pkcs1' ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_OAEP_PADDING,
    ...(padding.scheme === 'oaep' ? { oaepHash: padding.hash } : {}),
    allowPkcs1Decrypt: true,
  })
}

const OAEP_HASHES: ReadonlyMap<string, OaepHash> = new Map([
  ['sha1', 'sha1'],
  ['sha-1', 'sha1'],
  ['sha256', 'sha256'],
  ['sha-256', 'sha256'],
  ['sha384', 'sha384'],
  ['sha-384', 'sha384'],
  ['sha512', 'sha512'],
  ['sha-512', 'sha512'],
])

/** Reads padding names in both spellings: manifests ("pkcs1", "oaep-mgf1" + "sha256") and legacy ("PKCS1", "OAEP-MGF1" + "SHA-256"). */
export function parseRsaPadding(algorithm: string, hash: string | undefined): RsaPadding {
  const scheme = algorithm.toLowerCase()
  if (scheme === 'pkcs1') return { scheme: 'pkcs1' }
  if (scheme !== 'oaep-mgf1') throw new Error(`unknown RSA padding ${JSON.stringify(algorithm)}`)
  const oaepHash = hash === undefined ? undefined : OAEP_HASHES.get(hash.toLowerCase())
  if (oaepHash === undefined) throw new Error(`unknown OAEP hash ${JSON.stringify(hash)}`)
  return { scheme: 'oaep', hash: oaepHash }
}

const ECDH_CURVES: ReadonlyMap<string, EcdhCurveSpec> = new Map([
  ['ecc-256', EcdhCurveSpec.ECC_NIST_P256],
  ['ecc-384', EcdhCurveSpec.ECC_NIST_P384],
  ['ecc-521', EcdhCurveSpec.ECC_NIST_P521],
])

/** A raw ECDH keyring for a manifest's curve name (`ecc-256`, `ecc-384`, `ecc-521`). */
export function rawEcdhKeyringFor(curve: string, keyAgreementScheme: RawEcdhKeyAgreementScheme): RawEcdhKeyringNode {
  const curveSpec = ECDH_CURVES.get(curve)
  if (curveSpec === undefined) throw new Error(`unknown ECDH curve ${JSON.stringify(curve)}`)
  return new RawEcdhKeyringNode({ curveSpec, keyAgreementScheme })
}
