// The native backend's ECDH and counter-mode KDF for the keyring-crypto port: each static EC private key imported into the addon once, freed with its KeyObject.
import { KeyObject } from 'node:crypto'
import { InvalidArgumentError } from '../core/errors'
import { KdfCounterInput, checkKdfCounterInput } from '../core/kdf-counter'
import { allocSecret } from '../core/secret-bytes'
import { EcCurve, curveOfKey } from '../materials/ec-points'
import { EcdhDeriveInput } from '../materials/keyring-crypto'
import { EcdhKeyHandle, NativeCryptoAddon } from './native-types'

const CURVE_BITS: Readonly<Record<EcCurve, 256 | 384 | 521>> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 }
const EMPTY = Buffer.alloc(0)

export interface NativeEcdh {
  ecdhDeriveKeyingMaterial(input: EcdhDeriveInput): Buffer
  kdfCounterMode(input: KdfCounterInput): Buffer
}

/** The addon's point check reports ERR_ESDK_NATIVE_POINT; callers see the port's InvalidArgumentError instead. */
function isPointError(e: unknown): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === 'ERR_ESDK_NATIVE_POINT'
}

export function nativeEcdh(addon: NativeCryptoAddon): NativeEcdh {
  // Keyed by the keyring's KeyObject: parsed from PKCS#8 once, collected (and freed) with it.
  const handles = new WeakMap<KeyObject, EcdhKeyHandle>()

  function handleFor(curve: EcCurve, key: KeyObject): EcdhKeyHandle {
    let handle = handles.get(key)
    if (!handle) {
      if (key.type !== 'private' || curveOfKey(key) !== curve)
        throw new InvalidArgumentError(`the private key is not a ${curve} EC private key`)
      const der = key.export({ type: 'pkcs8', format: 'der' })
      try {
        handle = addon.ecdhPrivateKeyFromDer(CURVE_BITS[curve], der)
      } finally {
        der.fill(0)
      }
      handles.set(key, handle)
    }
    return handle
  }

  return Object.freeze({
    ecdhDeriveKeyingMaterial(input: EcdhDeriveInput): Buffer {
      const { curve, privateKey, peerPoint, salt, fixedInfo } = input
      const handle = privateKey === 'ephemeral' ? undefined : handleFor(curve, privateKey)
      const out = allocSecret(64)
      try {
        addon.ecdhDeriveKeyingMaterial(
          CURVE_BITS[curve],
          handle,
          input.ephemeralPublicKeyOut ?? EMPTY,
          peerPoint,
          salt,
          fixedInfo,
          out,
        )
      } catch (e) {
        if (isPointError(e)) throw new InvalidArgumentError(`the peer public key is not a point on ${curve}`)
        throw e
      }
      return out
    },
    kdfCounterMode(input: KdfCounterInput): Buffer {
      checkKdfCounterInput(input)
      const out = allocSecret(input.length)
      addon.kdfCounterMode(
        input.hash === 'sha256' ? 256 : 384,
        input.ikm,
        input.label.length === 0 ? EMPTY : input.label,
        input.context,
        out,
      )
      return out
    },
  })
}
