// The native backend's RSA PKCS#1 v1.5 unwrap: each private KeyObject imported into the addon once, freed with it.
import { KeyObject } from 'node:crypto'
import { RsaPkcs1Unwrap } from '../materials/rsa-pkcs1'
import { NativeCryptoAddon, RsaKeyHandle } from './native-types'
import { allocSecret } from '../core/secret-bytes'

/**
 * Keyed by the caller's KeyObject (what the raw RSA keyring holds), so a keyring's key is parsed
 * from PKCS#8 once, not per message. The WeakMap holds the handle only as long as the KeyObject
 * lives; after that the handle is collected and its finalizer frees the native key.
 */
export function nativeRsaPkcs1(addon: NativeCryptoAddon): RsaPkcs1Unwrap {
  const handles = new WeakMap<KeyObject, RsaKeyHandle>()

  function handleFor(privateKey: KeyObject): RsaKeyHandle {
    let handle = handles.get(privateKey)
    if (!handle) {
      const der = privateKey.export({ type: 'pkcs8', format: 'der' })
      try {
        handle = addon.rsaPrivateKeyFromDer(der)
      } finally {
        der.fill(0)
      }
      handles.set(privateKey, handle)
    }
    return handle
  }

  return Object.freeze({
    unwrap(privateKey: KeyObject, wrapped: Uint8Array, keyLength: number): Buffer {
      const handle = handleFor(privateKey)
      // Unpooled; the addon writes every byte (the key or random ones), or wipes it and throws.
      const out = allocSecret(keyLength)
      addon.rsaPkcs1Unwrap(handle, wrapped, out)
      return out
    },
    forget(privateKey: KeyObject): void {
      const handle = handles.get(privateKey)
      if (!handle) return
      handles.delete(privateKey)
      addon.disposeRsaKey(handle)
    },
  })
}
