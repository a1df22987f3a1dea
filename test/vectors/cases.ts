// What every set loader produces: one case per vector, either runnable offline or classified as not runnable here.
import type { KeyringNode, NodeMaterialsManager } from '../../lib/index'

export type DecryptMaterials = KeyringNode | NodeMaterialsManager

export type Plan =
  | {
      readonly kind: 'run'
      readonly materials: DecryptMaterials
      readonly ciphertext: () => Buffer
      /** What the manifest says decrypt returns; absent for vectors the manifest expects to fail. */
      readonly plaintext: (() => Buffer) | undefined
      /** Passed to decrypt as the reproduced encryption context (client-apis/decrypt.md). */
      readonly reproducedContext: Record<string, string> | undefined
    }
  /** Needs AWS KMS (or another service): counted, never run. */
  | { readonly kind: 'needs-network'; readonly keyring: string }
  /** Needs a keyring the library does not have yet (raw ECDH, hierarchical). */
  | { readonly kind: 'pending'; readonly keyring: string }
  /** The runner could not make sense of this vector's description: always a failure when it should run. */
  | { readonly kind: 'broken'; readonly error: string }

export interface VectorCase {
  readonly id: string
  readonly plan: Plan
}

/** Turns anything a loader throws for one vector into a 'broken' plan, so one bad entry never hides the rest. */
export function planOrBroken(make: () => Plan): Plan {
  try {
    return make()
  } catch (e) {
    return { kind: 'broken', error: e instanceof Error ? e.message : String(e) }
  }
}
