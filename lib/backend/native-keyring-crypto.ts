// The native backend's keyring-crypto port: AES-GCM key wrapping, RSA PKCS#1 v1.5, ECDH and the counter-mode KDF in the addon; HKDF as node:crypto does it.
import { allocSecret } from '../core/secret-bytes'
import { KeyringCrypto } from '../materials/keyring-crypto'
import { nodeKeyringCrypto } from '../materials/node-keyring-crypto'
import { nativeEcdh } from './native-ecdh'
import { nativeRsaPkcs1 } from './native-rsa-pkcs1'
import { NativeCryptoAddon } from './native-types'

const TAG_LENGTH = 16
const EMPTY = Buffer.alloc(0)

/** The shared empty buffer for any empty argument: a fresh `Buffer.alloc(0)` is a V8 on-heap array the addon would force off the heap per call. */
function offHeap(bytes: Uint8Array): Uint8Array {
  return bytes.length === 0 ? EMPTY : bytes
}

export function nativeKeyringCrypto(native: NativeCryptoAddon): KeyringCrypto {
  const ecdh = nativeEcdh(native)
  return Object.freeze({
    ...nodeKeyringCrypto,
    name: 'native' as const,
    aesGcmSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
      const out = Buffer.allocUnsafe(plaintext.length + TAG_LENGTH)
      native.gcmSeal(key, iv, offHeap(aad), plaintext, out)
      return out
    },
    aesGcmOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | Error {
      // The result is a data key: its own off-heap buffer (allocSecret). Every byte is written, or zeroed on failure.
      const out = allocSecret(Math.max(0, sealed.length - TAG_LENGTH))
      if (sealed.length >= TAG_LENGTH && native.gcmOpen(key, iv, offHeap(aad), sealed, out)) return out
      return new Error('unable to authenticate the wrapped data key')
    },
    rsaPkcs1: nativeRsaPkcs1(native),
    ecdhDeriveKeyingMaterial: ecdh.ecdhDeriveKeyingMaterial,
    kdfCounterMode: ecdh.kdfCounterMode,
  })
}
