// Commitment policy on both sides of a message: requested suites, default suites, the CMM's suite, and decrypting old messages.
import test from 'ava'
import { once } from 'node:events'
import { buildClient } from '../../lib/api/client'
import { CommitmentPolicyError, KeyringError } from '../../lib/core/errors'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { DecryptionRequest, EncryptionRequest, NodeMaterialsManager } from '../../lib/materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { TransparentKeyring } from '../materials/test-keyrings'
import {
  ALL_SUITE_IDS,
  P,
  aesKeyring,
  client,
  clientFor,
  hex4,
  isCommitting,
  officialAesKeyring,
  suite,
} from './fixtures'
import * as official from '@aws-crypto/client-node'

const NON_COMMITTING = ALL_SUITE_IDS.filter((id) => !isCommitting(id))

test('REQUIRE_ENCRYPT_REQUIRE_DECRYPT refuses to decrypt every non-committing message, ours or official', async (t) => {
  const strict = client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  for (const suiteId of NON_COMMITTING) {
    const { result } = await clientFor(suiteId).encrypt(aesKeyring(), 'old message', { suiteId })
    const err = await t.throwsAsync(
      strict.decrypt(aesKeyring(), result),
      { instanceOf: CommitmentPolicyError },
      hex4(suiteId),
    )
    t.is(err?.code, 'COMMITMENT_POLICY')
  }
  const fromOfficial = await official
    .buildClient(official.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
    .encrypt(officialAesKeyring(), 'official 0x0378', {
      suiteId: official.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
    })
  const err = await t.throwsAsync(strict.decrypt(aesKeyring(), fromOfficial.result), {
    instanceOf: CommitmentPolicyError,
  })
  t.is(err?.code, 'COMMITMENT_POLICY')
})

test('the decrypt policy is checked from the header, before the keyring is asked for anything', async (t) => {
  const keyring = new TransparentKeyring('policy')
  const { result } = await clientFor(0x0178).encrypt(keyring, 'x', { suiteId: 0x0178 })
  const before = keyring.decryptCalls
  await t.throwsAsync(client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT).decrypt(keyring, result), {
    instanceOf: CommitmentPolicyError,
  })
  t.is(keyring.decryptCalls, before)
})

test('the ALLOW_DECRYPT policies decrypt both committing and non-committing messages', async (t) => {
  for (const policy of [P.FORBID_ENCRYPT_ALLOW_DECRYPT, P.REQUIRE_ENCRYPT_ALLOW_DECRYPT]) {
    for (const suiteId of [0x0378, 0x0578]) {
      const { result } = await clientFor(suiteId).encrypt(aesKeyring(), 'm', { suiteId })
      t.is((await client(policy).decrypt(aesKeyring(), result)).plaintext.toString(), 'm', `${policy} ${hex4(suiteId)}`)
    }
  }
})

test('FORBID_ENCRYPT_ALLOW_DECRYPT refuses to encrypt with a committing suite, before the keyring runs', async (t) => {
  for (const suiteId of [0x0478, 0x0578]) {
    const keyring = new TransparentKeyring('forbid')
    const err = await t.throwsAsync(client(P.FORBID_ENCRYPT_ALLOW_DECRYPT).encrypt(keyring, 'x', { suiteId }), {
      instanceOf: CommitmentPolicyError,
    })
    t.is(err?.code, 'COMMITMENT_POLICY')
    t.is(keyring.encryptCalls, 0)
  }
})

test('the REQUIRE_ENCRYPT policies refuse to encrypt with any non-committing suite', async (t) => {
  for (const policy of [P.REQUIRE_ENCRYPT_ALLOW_DECRYPT, P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT]) {
    for (const suiteId of NON_COMMITTING) {
      await t.throwsAsync(
        client(policy).encrypt(aesKeyring(), 'x', { suiteId }),
        { instanceOf: CommitmentPolicyError },
        `${policy} ${hex4(suiteId)}`,
      )
    }
  }
})

test('default suites: 0x0578 by default and under REQUIRE_*, 0x0378 under FORBID', async (t) => {
  const check = async (c: ReturnType<typeof client>, expected: number): Promise<void> => {
    const { result, messageHeader } = await c.encrypt(aesKeyring(), 'x')
    t.is(messageHeader.suiteId, expected)
    const versionOffset = expected === 0x0578 ? 1 : 2 // v2: version ‖ suite; v1: version ‖ type ‖ suite
    t.is(result.readUInt16BE(versionOffset), expected, 'suite id on the wire')
  }
  await check(client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT), 0x0578)
  await check(client(P.REQUIRE_ENCRYPT_ALLOW_DECRYPT), 0x0578)
  await check(client(P.FORBID_ENCRYPT_ALLOW_DECRYPT), 0x0378)
  await check(buildClient(), 0x0578)
})

/** A CMM that ignores the request and always asks its inner CMM for one suite. */
class ForcedSuiteCmm implements NodeMaterialsManager {
  private readonly inner = new NodeDefaultCryptographicMaterialsManager(aesKeyring())
  constructor(private readonly suiteId: number) {}
  getEncryptionMaterials(request: EncryptionRequest): Promise<NodeEncryptionMaterial> {
    // The inner CMM is told a policy that allows the forced suite, as a misbehaving CMM might.
    const policy = isCommitting(this.suiteId) ? P.REQUIRE_ENCRYPT_ALLOW_DECRYPT : P.FORBID_ENCRYPT_ALLOW_DECRYPT
    return this.inner.getEncryptionMaterials({ ...request, suite: suite(this.suiteId), commitmentPolicy: policy })
  }
  async decryptMaterials(request: DecryptionRequest): Promise<NodeDecryptionMaterial> {
    const m = await this.inner.decryptMaterials(request)
    if (m.suite.id === this.suiteId) return m
    m.zeroUnencryptedDataKey()
    return new NodeDecryptionMaterial(suite(this.suiteId), m.encryptionContext)
  }
}

test("the CMM's suite is checked against the policy again on encrypt", async (t) => {
  const err = await t.throwsAsync(client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT).encrypt(new ForcedSuiteCmm(0x0178), 'x'), {
    instanceOf: CommitmentPolicyError,
  })
  t.is(err?.code, 'COMMITMENT_POLICY')
  await t.throwsAsync(client(P.FORBID_ENCRYPT_ALLOW_DECRYPT).encrypt(new ForcedSuiteCmm(0x0478), 'x'), {
    instanceOf: CommitmentPolicyError,
  })
})

test('a CMM that returns a different suite than requested is refused on encrypt', async (t) => {
  await t.throwsAsync(
    client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT).encrypt(new ForcedSuiteCmm(0x0578), 'x', { suiteId: 0x0478 }),
    { instanceOf: KeyringError },
  )
})

test('a CMM that returns materials for another suite is refused on decrypt', async (t) => {
  const { result } = await clientFor(0x0478).encrypt(aesKeyring(), 'x', { suiteId: 0x0478 })
  await t.throwsAsync(client(P.REQUIRE_ENCRYPT_ALLOW_DECRYPT).decrypt(new ForcedSuiteCmm(0x0178), result), {
    instanceOf: KeyringError,
  })
})

/** A CMM that counts every request and would serve any suite (its inner CMM is told a policy that allows it). */
class CountingCmm implements NodeMaterialsManager {
  calls = 0
  private readonly inner = new NodeDefaultCryptographicMaterialsManager(aesKeyring())
  getEncryptionMaterials(request: EncryptionRequest): Promise<NodeEncryptionMaterial> {
    this.calls++
    const policy =
      request.suite && isCommitting(request.suite.id) ? P.REQUIRE_ENCRYPT_ALLOW_DECRYPT : P.FORBID_ENCRYPT_ALLOW_DECRYPT
    return this.inner.getEncryptionMaterials({ ...request, commitmentPolicy: policy })
  }
  decryptMaterials(request: DecryptionRequest): Promise<NodeDecryptionMaterial> {
    return this.inner.decryptMaterials(request)
  }
}

test('a requested suite the policy forbids is refused before the CMM is asked: one-shot, stream and batch', async (t) => {
  const cases = [
    { policy: P.FORBID_ENCRYPT_ALLOW_DECRYPT, suiteId: 0x0478 },
    { policy: P.REQUIRE_ENCRYPT_ALLOW_DECRYPT, suiteId: 0x0178 },
  ] as const
  for (const { policy, suiteId } of cases) {
    const what = `${policy} ${hex4(suiteId)}`
    const cmm = new CountingCmm()
    await t.throwsAsync(client(policy).encrypt(cmm, 'x', { suiteId }), { instanceOf: CommitmentPolicyError }, what)
    const [streamError] = (await once(client(policy).encryptStream(cmm, { suiteId }), 'error')) as unknown[]
    t.true(streamError instanceof CommitmentPolicyError, `${what}: stream`)
    const refused = await client(policy)
      .encryptBatch(cmm, ['x'], { suiteId })
      .then(
        (entries) => entries.map((e) => (e.ok ? undefined : e.error)),
        (error: unknown) => [error],
      )
    t.true(refused[0] instanceof CommitmentPolicyError, `${what}: batch`)
    t.is(cmm.calls, 0, `${what}: the CMM was never asked`)
  }
})
