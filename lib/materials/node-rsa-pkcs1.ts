// node:crypto's RSA PKCS#1 v1.5 unwrap, for runtimes whose OpenSSL rejects implicitly (Node 22.20+ and 24: OpenSSL 3.5).
import { KeyObject, constants, privateDecrypt } from 'node:crypto'
import { randomFill } from '../core/random'
import { allocSecret } from '../core/secret-bytes'
import { RsaPkcs1Unwrap } from './rsa-pkcs1'

/**
 * What node:crypto does with a PKCS#1 v1.5 private decryption in this process:
 * - 'implicit': OpenSSL (3.2+) rejects implicitly, so Node allows it: a bad ciphertext decrypts to
 *   bytes derived from the key and ciphertext, never to an error (Node 22.20+, 24);
 * - 'refused': Node refuses the padding outright, because its OpenSSL cannot reject implicitly
 *   (Node 20's OpenSSL 3.0 without --security-revert=CVE-2023-46809);
 * - 'explicit': a bad ciphertext throws, which is the padding oracle itself (Node 20 with the flag).
 */
export type NodePkcs1Behaviour = 'implicit' | 'refused' | 'explicit'

let behaviour: NodePkcs1Behaviour | undefined

/**
 * Found once per process by trying it (a known-answer check, not a version guess): the ciphertext 2
 * (below every modulus) decrypts to random-looking bytes, never to valid PKCS#1 v1.5 padding, so
 * the runtime either returns a substitute, throws the padding error, or refuses the padding.
 */
export function nodePkcs1Behaviour(privateKey: KeyObject): NodePkcs1Behaviour {
  if (behaviour !== undefined) return behaviour
  const probe = Buffer.alloc(modulusBytes(privateKey))
  probe[probe.length - 1] = 2
  try {
    privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, probe).fill(0)
    behaviour = 'implicit'
  } catch (e) {
    behaviour = (e as NodeJS.ErrnoException).code === 'ERR_INVALID_ARG_VALUE' ? 'refused' : 'explicit'
  }
  return behaviour
}

function modulusBytes(privateKey: KeyObject): number {
  const bits = privateKey.asymmetricKeyDetails?.modulusLength
  if (bits === undefined) throw new TypeError('not an RSA key')
  return (bits + 7) >> 3
}

/**
 * The same contract as the native backend's unwrap (RsaPkcs1Unwrap): a ciphertext not as long as
 * the modulus, or whose plaintext is not exactly `keyLength` bytes, yields random bytes instead. The
 * padding check, the part an attacker could time, is OpenSSL's own implicit rejection; the length
 * check after it sees either the real plaintext or OpenSSL's substitute, which only the key holder
 * can tell apart, and the choice is made by a mask, not a branch on the bytes.
 */
export const nodeRsaPkcs1: RsaPkcs1Unwrap = Object.freeze({
  unwrap(privateKey: KeyObject, wrapped: Uint8Array, keyLength: number): Buffer {
    const out = randomFill(allocSecret(keyLength))
    // The modulus length is public, so this branch tells nothing about the key or the padding.
    if (wrapped.length !== modulusBytes(privateKey)) return out
    let plain: Buffer
    try {
      plain = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, wrapped)
    } catch (e) {
      // A ciphertext at or above the modulus: anyone holding the public key can see that, so saying
      // so is no oracle; anything else is a fault of the key, not of the ciphertext.
      if ((e as NodeJS.ErrnoException).code === 'ERR_OSSL_RSA_DATA_TOO_LARGE_FOR_MODULUS') return out
      throw e
    }
    try {
      const keep = -Number(plain.length === keyLength) & 0xff
      for (let i = 0; i < keyLength; i++) {
        const p = plain[i] ?? 0
        out[i] = (p & keep) | ((out[i] as number) & ~keep)
      }
    } finally {
      plain.fill(0)
    }
    return out
  },
  // Nothing imported: node:crypto uses the KeyObject itself.
  forget(): void {},
})
