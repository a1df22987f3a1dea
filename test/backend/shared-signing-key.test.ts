// A signing key shared by several messages (a caching CMM hands one key to many) never signs twice with one nonce, one after the other or on several pool threads at once.
import { createVerify, randomBytes } from 'node:crypto'
import { footerRoom } from '../../lib/backend/backend'
import { NativeSigningKey } from '../../lib/backend/native-signing-keys'
import { A, bodySize, nativeBackend, nativeOnly, suite as suiteOf } from './backends'

/** The r half of a DER ECDSA signature (SEQUENCE { INTEGER r, INTEGER s }). */
function rOf(der: Buffer): string {
  const lengthBytes = (der[1] as number) & 0x80 ? (der[1] as number) & 0x7f : 0
  const at = 2 + lengthBytes
  const rLength = der[at + 1] as number
  return der.subarray(at + 2, at + 2 + rLength).toString('hex')
}

nativeOnly(
  'eight big messages sealed at once on the pool with one signing key: eight different nonces, eight valid signatures',
  async (t) => {
    const backend = nativeBackend
    if (!backend) return t.fail('native backend')
    const suite = suiteOf(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384)
    const spec = suite.signature
    if (!spec) return t.fail('signed suite')
    const signingKey = backend.signingKeys.acquire(spec)
    t.true(signingKey instanceof NativeSigningKey, 'a native key with its stored nonce')
    const size = 2 * 1024 * 1024 + 5
    const frameLength = 4096
    const headerBodyLength = 100
    const jobs = Array.from({ length: 8 }, async () => {
      const unsignedLength = headerBodyLength + 16 + bodySize(size, frameLength)
      const out = Buffer.alloc(unsignedLength + footerRoom(suite))
      randomBytes(headerBodyLength - 32).copy(out)
      const length = await backend.sealMessage({
        suite,
        dataKey: randomBytes(32),
        messageId: randomBytes(32),
        out,
        headerBodyLength,
        extraAad: Buffer.alloc(0),
        plaintext: randomBytes(size),
        frameLength,
        signingKey,
      })
      const der = out.subarray(unsignedLength + 2, length)
      const verified = createVerify('sha384')
        .update(out.subarray(0, unsignedLength))
        .verify({ key: signingKey.privateKey, dsaEncoding: 'der' }, der)
      return { r: rOf(der), verified }
    })
    const signed = await Promise.all(jobs)
    t.true(
      signed.every((s) => s.verified),
      'every signature verifies',
    )
    t.is(new Set(signed.map((s) => s.r)).size, signed.length, 'no nonce used twice')
  },
)

nativeOnly('one key signing one digest again and again: a fresh nonce each time after the stored one', async (t) => {
  const backend = nativeBackend
  if (!backend) return t.fail('native backend')
  const suite = suiteOf(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384)
  const spec = suite.signature
  if (!spec) return t.fail('signed suite')
  const signingKey = backend.signingKeys.acquire(spec)
  const rs = new Set<string>()
  for (let i = 0; i < 6; i++) {
    const out = Buffer.alloc(100 + 16 + bodySize(10, 4096) + footerRoom(suite))
    const length = await backend.sealMessage({
      suite,
      dataKey: randomBytes(32),
      messageId: randomBytes(32),
      out,
      headerBodyLength: 100,
      extraAad: Buffer.alloc(0),
      plaintext: Buffer.alloc(10),
      frameLength: 4096,
      signingKey,
    })
    rs.add(rOf(out.subarray(100 + 16 + bodySize(10, 4096) + 2, length)))
  }
  t.is(rs.size, 6)
})
