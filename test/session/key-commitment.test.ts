// Key commitment: the v2 suite data is the spec-derived commitment, and a message whose commitment is altered never decrypts.
import test from 'ava'
import { AuthenticationError } from '../../lib/core/errors'
import { TransparentKeyring } from '../materials/test-keyrings'
import { EsdkClient } from '../../lib/api/client'
import { BACKENDS, P, client, hex4 } from './fixtures'
import { specDecrypt, specDeriveKey, specHeaderTag } from './spec-decrypt'

const FILL = 0x29
async function committed(
  reader: EsdkClient,
  suiteId: number,
): Promise<{ message: Buffer; keyring: TransparentKeyring; headerBodyLength: number; messageId: Buffer }> {
  const keyring = new TransparentKeyring('commit', FILL)
  const { result } = await reader.encrypt(keyring, 'committed plaintext', { suiteId, frameLength: 16 })
  const m = specDecrypt(result, Buffer.alloc(32, FILL))
  return { message: result, keyring, headerBodyLength: m.headerBodyLength, messageId: m.messageId }
}

for (const backend of BACKENDS) {
  const reader = client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, { backend })

  for (const suiteId of [0x0478, 0x0578]) {
    test(`[${backend}] ${hex4(suiteId)}: the suite data is HKDF-SHA512(data key, salt = message id, info = "COMMITKEY")`, async (t) => {
      const { message, headerBodyLength, messageId } = await committed(reader, suiteId)
      const expected = specDeriveKey(suiteId, Buffer.alloc(32, FILL), messageId).commitment
      t.deepEqual(message.subarray(headerBodyLength - 32, headerBodyLength), expected)
    })

    test(`[${backend}] ${hex4(suiteId)}: flipping any bit of the commitment gives AUTHENTICATION_FAILED`, async (t) => {
      const { message, keyring, headerBodyLength } = await committed(reader, suiteId)
      for (let i = headerBodyLength - 32; i < headerBodyLength; i += 7) {
        const tampered = Buffer.from(message)
        tampered[i] = (tampered[i] ?? 0) ^ 0x04
        const err = await t.throwsAsync(
          reader.decrypt(keyring, tampered),
          { instanceOf: AuthenticationError },
          `byte ${i}`,
        )
        t.is(err?.code, 'AUTHENTICATION_FAILED')
      }
    })

    test(`[${backend}] ${hex4(suiteId)}: an altered commitment fails even when the header tag is recomputed to match`, async (t) => {
      const { message, keyring, headerBodyLength, messageId } = await committed(reader, suiteId)
      const { key } = specDeriveKey(suiteId, Buffer.alloc(32, FILL), messageId)
      const withTag = (body: Buffer): Buffer =>
        Buffer.concat([body, specHeaderTag(key, Buffer.alloc(12), body), message.subarray(headerBodyLength + 16)])

      // Control: re-tagging the untouched header must still decrypt, so the recomputation is right.
      // (Signed suites also sign the header, so only the unsigned suite can be re-tagged this way.)
      if (suiteId === 0x0478) {
        const retagged = withTag(Buffer.from(message.subarray(0, headerBodyLength)))
        t.deepEqual(retagged, message)
        t.is((await reader.decrypt(keyring, retagged)).plaintext.toString(), 'committed plaintext')
      }

      const body = Buffer.from(message.subarray(0, headerBodyLength))
      body[headerBodyLength - 1] = (body[headerBodyLength - 1] ?? 0) ^ 0xff
      const err = await t.throwsAsync(reader.decrypt(keyring, withTag(body)), { instanceOf: AuthenticationError })
      t.is(err?.code, 'AUTHENTICATION_FAILED')
    })
  }

  test(`[${backend}] a commitment copied from another message (same data key, different message id) is refused`, async (t) => {
    const a = await committed(reader, 0x0478)
    const b = await committed(reader, 0x0478)
    const spliced = Buffer.from(a.message)
    b.message.copy(spliced, a.headerBodyLength - 32, b.headerBodyLength - 32, b.headerBodyLength)
    await t.throwsAsync(reader.decrypt(a.keyring, spliced), { instanceOf: AuthenticationError })
  })
}
