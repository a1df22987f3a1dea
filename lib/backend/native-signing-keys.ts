// Native ECDSA signing keys for the default CMM: one fresh key pair per message, held in native memory.
import { KeyObject } from 'node:crypto'
import { SignatureSpec } from '../core/suites'
import { SigningKey } from '../materials/materials'
import { SigningKeyProvider, drawPrivateScalar, privateKeyFromParts } from '../materials/signature-keys'
import { NativeCryptoAddon, SigningKeyHandle } from './native-types'

const CURVE_BITS = { 'P-256': 256, 'P-384': 384 } as const

/**
 * A key pair living in native memory, with the nonce of its first signature already computed.
 * The private scalar is cleansed by dispose() or, at the latest, when the handle is collected.
 */
export class NativeSigningKey implements SigningKey {
  readonly publicKeyCompressed: Buffer
  private keyObject: KeyObject | undefined

  constructor(
    private readonly addon: NativeCryptoAddon,
    readonly handle: SigningKeyHandle,
    readonly spec: SignatureSpec,
  ) {
    this.publicKeyCompressed = Buffer.alloc(spec.publicKeyLength)
    addon.signingKeyPublicKey(handle, this.publicKeyCompressed)
  }

  /** The node:crypto form, made only if something asks (the JS backend signing with a native key). */
  get privateKey(): KeyObject {
    if (!this.keyObject) {
      const size = this.spec.publicKeyLength - 1
      const d = Buffer.alloc(size)
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

  dispose(): void {
    this.addon.disposeSigningKey(this.handle)
  }
}

/** The native backend's provider: keys from the thread-pool stock, or from the test random source while one is set. */
export function nativeSigningKeys(addon: NativeCryptoAddon): SigningKeyProvider {
  return Object.freeze({
    acquire(spec: SignatureSpec): SigningKey {
      // Made on the calling thread from a fresh random scalar (the test random source when one is
      // set). A thread-pool stock of ready keys was tried and hung a test run once (a waiter never
      // resolved); it stays out until that is understood.
      const d = drawPrivateScalar(spec)
      try {
        return new NativeSigningKey(addon, addon.signingKeyFromScalar(CURVE_BITS[spec.curve], d), spec)
      } finally {
        d.fill(0)
      }
    },
  })
}
