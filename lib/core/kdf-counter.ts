// The SP 800-108 key derivation in counter mode with HMAC that the raw ECDH and hierarchical keyrings use, over node:crypto.
import { createHmac } from 'node:crypto'
import { InvalidArgumentError } from './errors'
import { allocSecret } from './secret-bytes'
import { wipe } from './wipe'

export type KdfCounterHash = 'sha256' | 'sha384'

const HASH_LENGTH: Readonly<Record<KdfCounterHash, number>> = { sha256: 32, sha384: 48 }
const SEPARATOR = Buffer.from([0])

/** Inputs of one derivation (NIST SP 800-108r1 section 4.1, with the fields the ESDK keyrings fix). */
export interface KdfCounterInput {
  readonly hash: KdfCounterHash
  /** K_IN: the shared secret (raw ECDH: 32, 48 or 66 bytes) or the branch key (32 bytes). */
  readonly ikm: Uint8Array
  /** Label: the raw ECDH FixedInfo, or "aws-kms-hierarchy" for branch keys. */
  readonly label: Uint8Array
  /** Context: the random salt stored in the encrypted data key (16 or 32 bytes). */
  readonly context: Uint8Array
  /** L in bytes: 32 or 64. */
  readonly length: number
}

/**
 * Refuses inputs outside what the keyrings define (framework/key-agreement-schemas.md "Key
 * Derivation"; aws-kms-hierarchical-keyring.md): the same bounds every official implementation checks.
 */
export function checkKdfCounterInput({ hash, ikm, context, length }: KdfCounterInput): void {
  if (hash !== 'sha256' && hash !== 'sha384')
    throw new InvalidArgumentError('the counter-mode KDF takes HMAC-SHA256 or HMAC-SHA384')
  if (ikm.length !== 32 && ikm.length !== 48 && ikm.length !== 66)
    throw new InvalidArgumentError(`counter-mode KDF key of ${ikm.length} bytes`)
  if (context.length !== 16 && context.length !== 32)
    throw new InvalidArgumentError(`counter-mode KDF salt of ${context.length} bytes`)
  if (length !== 32 && length !== 64) throw new InvalidArgumentError(`counter-mode KDF output of ${length} bytes`)
}

/**
 * K(i) = HMAC(K_IN, [i]_32 ‖ Label ‖ 0x00 ‖ Context ‖ [L in bits]_32) for i = 1, 2, ..., concatenated
 * and truncated to L, in an unpooled buffer the caller owns and wipes.
 */
export function kdfCounterMode(input: KdfCounterInput): Buffer {
  checkKdfCounterInput(input)
  const { hash, ikm, label, context, length } = input
  const suffix = Buffer.allocUnsafe(4)
  suffix.writeUInt32BE(length * 8)
  const counter = Buffer.allocUnsafe(4)
  const out = allocSecret(length)
  for (let i = 1, o = 0; o < length; i++) {
    counter.writeUInt32BE(i)
    const block = createHmac(hash, ikm)
      .update(counter)
      .update(label)
      .update(SEPARATOR)
      .update(context)
      .update(suffix)
      .digest()
    o += block.copy(out, o, 0, Math.min(HASH_LENGTH[hash], length - o))
    wipe(block)
  }
  return out
}
