// Interop of every algorithm suite under the commitment policy that allows it, in both directions, plus default-suite and policy-refusal agreement.
import test from 'ava'
import {
  PUBLIC_KEY_CONTEXT_KEY,
  SIDES,
  SUITES,
  type PolicyName,
  type Side,
  type SuiteCase,
  aesPair,
  decryptWith,
  direction,
  encryptWith,
  hex4,
  messageLayout,
  other,
  plaintextOf,
  suiteByName,
  suiteTitle,
  withoutPublicKey,
} from './helpers'

// Ours writes the wrapping AAD in UTF-8 order, so the official side is configured to match.
const keyrings = aesPair({ officialUtf8Sorting: true })
const FRAME = 1024

const suiteRoundTrip = test.macro({
  async exec(t, suite: SuiteCase, from: Side) {
    const to = other(from)
    const plaintext = plaintextOf(3 * FRAME + 7, suite.id)
    const context = { purpose: 'suite-interop', suite: hex4(suite.id) }
    const encrypted = await encryptWith(from, keyrings, plaintext, { suite: suite.name, context, frameLength: FRAME })
    t.is(encrypted.header.suiteId, suite.id, 'encrypting side reports the requested suite')

    const layout = messageLayout(encrypted.ciphertext)
    t.is(layout.version, suite.committing ? 2 : 1, 'message format version follows commitment')
    t.is(layout.suiteId, suite.id)
    t.is(layout.frames.length, 4)
    t.is(layout.footerLength > 0, suite.signed, 'footer present exactly for signed suites')

    const decrypted = await decryptWith(to, keyrings, encrypted.ciphertext, suite.policy)
    t.true(decrypted.plaintext.equals(plaintext), 'plaintext survives the crossing')
    t.is(decrypted.header.suiteId, suite.id)
    t.is(decrypted.header.frameLength, FRAME)
    t.deepEqual(withoutPublicKey(decrypted.header.encryptionContext), context)
    t.is(
      PUBLIC_KEY_CONTEXT_KEY in decrypted.header.encryptionContext,
      suite.signed,
      'verification key in context exactly for signed suites',
    )
    t.deepEqual(
      decrypted.header.encryptedDataKeys.map((e) => e.providerId),
      ['interop-aes'],
    )
  },
  title: (_provided, suite: SuiteCase, from: Side) =>
    `${suiteTitle(suite)} under ${suite.policy}: ${direction(from, other(from))}`,
})

for (const suite of SUITES) {
  for (const from of SIDES) test(suiteRoundTrip, suite, from)
}

const DEFAULT_SUITE: Record<PolicyName, SuiteCase> = {
  FORBID_ENCRYPT_ALLOW_DECRYPT: suiteByName('ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384'),
  REQUIRE_ENCRYPT_REQUIRE_DECRYPT: suiteByName('ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384'),
}

for (const policy of Object.keys(DEFAULT_SUITE) as PolicyName[]) {
  const expected = DEFAULT_SUITE[policy]
  for (const from of SIDES) {
    test(`default suite under ${policy} is ${hex4(expected.id)}: ${direction(from, other(from))}`, async (t) => {
      const plaintext = plaintextOf(100)
      const encrypted = await encryptWith(from, keyrings, plaintext, { policy })
      t.is(encrypted.header.suiteId, expected.id)
      t.is(encrypted.header.frameLength, 4096, 'default frame length')
      const decrypted = await decryptWith(other(from), keyrings, encrypted.ciphertext, policy)
      t.true(decrypted.plaintext.equals(plaintext))
      t.is(decrypted.header.suiteId, expected.id)
    })
  }
}

// A non-committing message must be refused under REQUIRE_ENCRYPT_REQUIRE_DECRYPT by both SDKs, whoever wrote it.
for (const suite of SUITES.filter(
  (s) => s.name === 'ALG_AES256_GCM_IV12_TAG16' || s.name === 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384',
)) {
  for (const from of SIDES) {
    test(`${suiteTitle(suite)} written by ${from} is refused under REQUIRE_ENCRYPT_REQUIRE_DECRYPT by both`, async (t) => {
      const { ciphertext } = await encryptWith(from, keyrings, plaintextOf(10), { suite: suite.name })
      await t.throwsAsync(decryptWith('ours', keyrings, ciphertext, 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT'), {
        code: 'COMMITMENT_POLICY',
      })
      await t.throwsAsync(decryptWith('official', keyrings, ciphertext, 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT'))
    })
  }
}

// Encrypting with a suite the policy forbids is refused by both SDKs.
for (const [name, policy] of [
  ['ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY', 'FORBID_ENCRYPT_ALLOW_DECRYPT'],
  ['ALG_AES128_GCM_IV12_TAG16', 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT'],
] as const) {
  const suite = suiteByName(name)
  test(`encrypting ${suiteTitle(suite)} under ${policy} is refused by both`, async (t) => {
    await t.throwsAsync(encryptWith('ours', keyrings, plaintextOf(10), { suite: name, policy }), {
      code: 'COMMITMENT_POLICY',
    })
    await t.throwsAsync(encryptWith('official', keyrings, plaintextOf(10), { suite: name, policy }))
  })
}
