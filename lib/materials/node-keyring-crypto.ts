// The keyring-crypto port over node:crypto: the default, the JS backend's, and the yardstick the native one is held to.
import { KeyObject, createCipheriv, createDecipheriv, createECDH, diffieHellman } from 'node:crypto'
import { InvalidArgumentError } from '../core/errors'
import { hkdf } from '../core/hkdf'
import { kdfCounterMode } from '../core/kdf-counter'
import { cipherToOwnedBuffer } from '../core/secret-bytes'
import { wipe } from '../core/wipe'
import {
  EcCurve,
  OPENSSL_CURVE,
  compressedLength,
  curveOfKey,
  isValidUncompressedPoint,
  publicKeyFromPoint,
} from './ec-points'
import { EcdhDeriveInput, KeyringCrypto } from './keyring-crypto'

const TAG_LENGTH = 16
/** L of the raw ECDH derivation: a 32-byte commitment key and a 32-byte wrapping key (raw-ecdh-keyring.md "OnEncrypt"). */
const ECDH_KEYING_MATERIAL_LENGTH = 64
type GcmCipherName = 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm'

function gcmName(key: Uint8Array): GcmCipherName {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32)
    throw new InvalidArgumentError(`AES-GCM key of ${key.length} bytes`)
  return `aes-${key.length * 8}-gcm` as GcmCipherName
}

function aesGcmSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv(gcmName(key), key, iv, { authTagLength: TAG_LENGTH }).setAAD(aad)
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
}

function aesGcmOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | Error {
  try {
    if (sealed.length < TAG_LENGTH) return new Error('the wrapped key is shorter than its tag')
    const decipher = createDecipheriv(gcmName(key), key, iv, { authTagLength: TAG_LENGTH })
    decipher.setAAD(aad).setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH))
    return cipherToOwnedBuffer(() => [
      decipher.update(sealed.subarray(0, sealed.length - TAG_LENGTH)),
      decipher.final(),
    ])
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e))
  }
}

/** Z: the x-coordinate of d·Q at full field width (OpenSSL pads it), after checking Q. */
function sharedSecret(curve: EcCurve, input: EcdhDeriveInput): Buffer {
  const { privateKey, peerPoint } = input
  if (!isValidUncompressedPoint(curve, peerPoint))
    throw new InvalidArgumentError(`the peer public key is not a point on ${curve}`)
  if (privateKey === 'ephemeral') {
    const out = input.ephemeralPublicKeyOut
    if (!out || out.length !== compressedLength(curve))
      throw new InvalidArgumentError('an ephemeral key needs a view for its compressed public key')
    const ecdh = createECDH(OPENSSL_CURVE[curve])
    ecdh.generateKeys()
    out.set(ecdh.getPublicKey(null, 'compressed'))
    // The ECDH object keeps its private key until collected; nothing in node:crypto can wipe it.
    return ecdh.computeSecret(peerPoint)
  }
  if (!(privateKey instanceof KeyObject) || privateKey.type !== 'private' || curveOfKey(privateKey) !== curve) {
    throw new InvalidArgumentError(`the private key is not a ${curve} EC private key`)
  }
  return diffieHellman({ privateKey, publicKey: publicKeyFromPoint(curve, peerPoint) })
}

function ecdhDeriveKeyingMaterial(input: EcdhDeriveInput): Buffer {
  const z = sharedSecret(input.curve, input)
  try {
    return kdfCounterMode({
      hash: 'sha384',
      ikm: z,
      label: input.fixedInfo,
      context: input.salt,
      length: ECDH_KEYING_MATERIAL_LENGTH,
    })
  } finally {
    wipe(z)
  }
}

export const nodeKeyringCrypto: KeyringCrypto = Object.freeze({
  name: 'node' as const,
  aesGcmSeal,
  aesGcmOpen,
  rsaPkcs1: undefined,
  hkdf,
  kdfCounterMode,
  ecdhDeriveKeyingMaterial,
})
