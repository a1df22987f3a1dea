// HKDF (RFC 5869) over node:crypto's HMAC: one extract shared by several expands, every intermediate wiped; the JS backend's key derivation and the keyrings' default.
import { createHmac } from 'node:crypto'
import { wipe } from './wipe'
import { KdfHash } from './suites'
import { allocSecret } from './secret-bytes'

const COUNTER_ONE = Buffer.from([1])

/**
 * HKDF-Extract (RFC 5869 2.2): PRK = HMAC-Hash(salt, IKM). An empty salt is HashLen zero bytes,
 * which HMAC's zero padding of short keys makes identical to no bytes at all.
 * The PRK is a secret: the caller wipes it.
 */
export function hkdfExtract(hash: KdfHash, salt: Uint8Array, ikm: Uint8Array): Buffer {
  return createHmac(hash, salt).update(ikm).digest()
}

/**
 * HKDF-Expand (RFC 5869 2.3) for L <= HashLen, all the ESDK suites need: OKM = T(1) =
 * HMAC(PRK, info ‖ 0x01), truncated, in an unpooled buffer the caller owns and wipes.
 * One hkdfSync per output would redo the extract and turn the key into a KeyObject each time,
 * several times the cost of these HMACs.
 */
export function hkdfExpandOne(hash: KdfHash, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const block = createHmac(hash, prk).update(info).update(COUNTER_ONE).digest()
  try {
    if (length > block.length) throw new RangeError('HKDF output longer than one hash block')
    const out = allocSecret(length)
    block.copy(out, 0, 0, length)
    return out
  } finally {
    wipe(block)
  }
}

/** Output lengths of each hash, the bound on what one expand block gives. */
const HASH_LENGTH: Readonly<Record<KdfHash, number>> = { sha256: 32, sha384: 48, sha512: 64 }

/**
 * HKDF (RFC 5869 2.2-2.3) of any length up to 255 blocks, into an unpooled buffer the caller owns
 * and wipes: the general form the keyring-crypto port offers, beside the suites' one-block fast path.
 */
export function hkdf(hash: KdfHash, salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, length: number): Buffer {
  const blockLength = HASH_LENGTH[hash]
  if (!Number.isInteger(length) || length < 1 || length > 255 * blockLength)
    throw new RangeError(`HKDF output of ${length} bytes`)
  const prk = hkdfExtract(hash, salt, ikm)
  const out = allocSecret(length)
  let previous: Buffer = Buffer.alloc(0)
  try {
    for (let i = 1, o = 0; o < length; i++) {
      const block = createHmac(hash, prk)
        .update(previous)
        .update(info)
        .update(Buffer.from([i]))
        .digest()
      wipe(previous)
      previous = block
      o += block.copy(out, o, 0, Math.min(block.length, length - o))
    }
    return out
  } finally {
    wipe(previous)
    wipe(prk)
  }
}
