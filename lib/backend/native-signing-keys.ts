// Native ECDSA signing keys for the default CMM: one fresh key pair per message, held in native memory, made ahead on the thread pool when it can.
import { KeyObject } from 'node:crypto'
import { isRandomSourceOverridden } from '../core/random'
import { SignatureSpec } from '../core/suites'
import { SigningKey } from '../materials/materials'
import { SigningKeyProvider, drawPrivateScalar, privateKeyFromParts } from '../materials/signature-keys'
import { NativeCryptoAddon, SigningKeyHandle } from './native-types'
import { allocSecret } from '../core/secret-bytes'

const CURVE_BITS = { 'P-256': 256, 'P-384': 384 } as const

/** Native signing keys handed to JS and not yet disposed (tests check that messages give theirs back). */
let undisposed = 0

/** How many NativeSigningKeys exist that dispose() has not been called on: a test hook, not API. */
export function undisposedNativeSigningKeys(): number {
  return undisposed
}

/**
 * A key pair living in native memory, with the nonce of its first signature already computed.
 * The private scalar is cleansed by dispose() or, at the latest, when the handle is collected.
 */
export class NativeSigningKey implements SigningKey {
  readonly publicKeyCompressed: Buffer
  private keyObject: KeyObject | undefined
  private disposed = false

  constructor(
    private readonly addon: NativeCryptoAddon,
    readonly handle: SigningKeyHandle,
    readonly spec: SignatureSpec,
  ) {
    this.publicKeyCompressed = Buffer.alloc(spec.publicKeyLength)
    addon.signingKeyPublicKey(handle, this.publicKeyCompressed)
    undisposed++
  }

  /** The node:crypto form, made only if something asks (the JS backend signing with a native key). */
  get privateKey(): KeyObject {
    if (!this.keyObject) {
      const size = this.spec.publicKeyLength - 1
      const d = allocSecret(size)
      const point = Buffer.alloc(1 + 2 * size)
      try {
        this.addon.exportSigningKey(this.handle, d, point)
        this.keyObject = privateKeyFromParts(this.spec, d, point)
      } finally {
        d.fill(0)
      }
    }
    return this.keyObject
  }

  /** Frees and cleanses the native key now (idempotent); the handle then refuses every use. */
  dispose(): void {
    this.addon.disposeSigningKey(this.handle)
    this.keyObject = undefined
    if (!this.disposed) undisposed--
    this.disposed = true
  }
}

/** The native backend's provider: a key from the addon's thread-pool stock when one is ready, else one made here. */
export function nativeSigningKeys(addon: NativeCryptoAddon): SigningKeyProvider {
  return Object.freeze({
    acquire(spec: SignatureSpec): SigningKey {
      // The stock lives in the addon (native/signing_key_stock.cc): pool work puts keys straight
      // into it, so it fills even while this thread runs a tight loop of awaits that never yields
      // to the event loop. Nobody ever waits on it: when it is empty, the key is made here. Its
      // keys come from OpenSSL's DRBG; a run with the test random source derives its own.
      if (!isRandomSourceOverridden()) {
        const ready = addon.takeSigningKey(CURVE_BITS[spec.curve])
        if (ready) return new NativeSigningKey(addon, ready, spec)
      }
      // Made on the calling thread from a fresh random scalar (the test random source when one is set).
      const d = drawPrivateScalar(spec)
      try {
        return new NativeSigningKey(addon, addon.signingKeyFromScalar(CURVE_BITS[spec.curve], d), spec)
      } finally {
        d.fill(0)
      }
    },
  })
}
