// HKDF (RFC 5869) over node:crypto's HMAC for the JS backend: one extract shared by both expands, every intermediate wiped.
import { createHmac } from 'node:crypto'
import { wipe } from '../core/wipe'
import { KdfHash } from '../core/suites'
import { allocSecret } from '../core/secret-bytes'

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
