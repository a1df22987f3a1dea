// Default CMM: aws-crypto-public-key exactly when the suite signs, policy and reserved-key checks, and the reproduced-context merge.
import test from 'ava'
import { ECDH } from 'node:crypto'
import { CommitmentPolicyError, EsdkError, InvalidArgumentError, KeyringError } from '../../lib/core/errors'
import { CommitmentPolicy } from '../../lib/core/policy'
import { ALL_SUITES, AlgorithmSuite, findSuite } from '../../lib/core/suites'
import { EncryptedDataKey } from '../../lib/format/header'
import { NodeDefaultCryptographicMaterialsManager, mergeReproducedContext } from '../../lib/materials/default-cmm'
import { generateSigningKey } from '../../lib/materials/signature-keys'
import { TransparentKeyring } from './test-keyrings'

const KEY = 'aws-crypto-public-key'
const ALLOW = CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT

function policyFor(s: AlgorithmSuite): CommitmentPolicy {
  return s.commitment ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
}

function suite(id: number): AlgorithmSuite {
  const s = findSuite(id)
  if (!s) throw new Error('suite')
  return s
}

const cmm = (): NodeDefaultCryptographicMaterialsManager =>
  new NodeDefaultCryptographicMaterialsManager(new TransparentKeyring('k'))

for (const s of ALL_SUITES) {
  test(`encrypt 0x${s.id.toString(16).padStart(4, '0')}: ${KEY} is added exactly when the suite signs, and matches the signing key`, async (t) => {
    const callerContext = { a: 'b' }
    const m = await cmm().getEncryptionMaterials({
      suite: s,
      encryptionContext: callerContext,
      commitmentPolicy: policyFor(s),
    })
    t.deepEqual(callerContext, { a: 'b' }, "the caller's context is not modified")
    t.is(m.suite.id, s.id)
    t.is(m.encryptionContext.a, 'b')
    t.is(m.encryptedDataKeys.length, 1)
    if (!s.signature) {
      t.false(KEY in m.encryptionContext)
      t.is(m.signatureKey, undefined)
      return
    }
    const value = m.encryptionContext[KEY]
    if (value === undefined || !m.signatureKey) return t.fail('signed suite without a public key or signing key')
    const point = Buffer.from(value, 'base64')
    t.is(value, point.toString('base64'), 'canonical base64')
    t.is(point.length, s.signature.publicKeyLength)
    const jwk = m.signatureKey.privateKey.export({ format: 'jwk' })
    const full = Buffer.concat([
      Buffer.from([4]),
      Buffer.from(jwk.x ?? '', 'base64url'),
      Buffer.from(jwk.y ?? '', 'base64url'),
    ])
    const curve = s.signature.curve === 'P-256' ? 'prime256v1' : 'secp384r1'
    t.deepEqual(point, ECDH.convertKey(full, curve, undefined, undefined, 'compressed') as Buffer)
  })
}

test('encrypt: a fresh signing key per request', async (t) => {
  const s = suite(0x0578)
  const a = await cmm().getEncryptionMaterials({ suite: s, encryptionContext: {}, commitmentPolicy: ALLOW })
  const b = await cmm().getEncryptionMaterials({ suite: s, encryptionContext: {}, commitmentPolicy: ALLOW })
  t.not(a.encryptionContext[KEY], b.encryptionContext[KEY])
})

test('encrypt: without a requested suite the policy default is used', async (t) => {
  const forbid = await cmm().getEncryptionMaterials({
    encryptionContext: {},
    commitmentPolicy: CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
  })
  t.is(forbid.suite.id, 0x0378)
  const require = await cmm().getEncryptionMaterials({
    encryptionContext: {},
    commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  })
  t.is(require.suite.id, 0x0578)
})

test('encrypt: a caller-supplied aws-crypto-public-key is refused', async (t) => {
  for (const id of [0x0578, 0x0478]) {
    await t.throwsAsync(
      cmm().getEncryptionMaterials({ suite: suite(id), encryptionContext: { [KEY]: 'AAAA' }, commitmentPolicy: ALLOW }),
      { instanceOf: InvalidArgumentError },
    )
  }
})

test('encrypt: a suite the policy forbids is refused', async (t) => {
  await t.throwsAsync(
    cmm().getEncryptionMaterials({
      suite: suite(0x0478),
      encryptionContext: {},
      commitmentPolicy: CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
    }),
    { instanceOf: CommitmentPolicyError },
  )
  await t.throwsAsync(
    cmm().getEncryptionMaterials({ suite: suite(0x0178), encryptionContext: {}, commitmentPolicy: ALLOW }),
    {
      instanceOf: CommitmentPolicyError,
    },
  )
})

test('constructor: a keyring is required', (t) => {
  t.throws(() => new NodeDefaultCryptographicMaterialsManager({} as TransparentKeyring), {
    instanceOf: InvalidArgumentError,
  })
})

async function edksFor(id: number): Promise<EncryptedDataKey[]> {
  const m = await cmm().getEncryptionMaterials({
    suite: suite(id),
    encryptionContext: {},
    commitmentPolicy: suite(id).commitment ? ALLOW : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
  })
  return [...m.encryptedDataKeys]
}

test('decrypt: a signed suite without aws-crypto-public-key is an error', async (t) => {
  for (const id of [0x0214, 0x0378, 0x0578]) {
    const err = await t.throwsAsync(
      cmm().decryptMaterials({
        suite: suite(id),
        encryptedDataKeys: await edksFor(id),
        encryptionContext: { a: 'b' },
        commitmentPolicy: ALLOW,
      }),
    )
    t.true(err instanceof EsdkError, `0x${id.toString(16)}`)
  }
})

test('decrypt: an unsigned suite with aws-crypto-public-key is an error', async (t) => {
  const publicKey = generateSigningKey({
    curve: 'P-384',
    hash: 'sha384',
    publicKeyLength: 49,
  }).publicKeyCompressed.toString('base64')
  for (const id of [0x0014, 0x0178, 0x0478]) {
    const err = await t.throwsAsync(
      cmm().decryptMaterials({
        suite: suite(id),
        encryptedDataKeys: await edksFor(id),
        encryptionContext: { [KEY]: publicKey },
        commitmentPolicy: ALLOW,
      }),
    )
    t.true(err instanceof EsdkError, `0x${id.toString(16)}`)
  }
})

test('decrypt: a signed suite with a valid key yields the verification key and the data key', async (t) => {
  const enc = await cmm().getEncryptionMaterials({
    suite: suite(0x0578),
    encryptionContext: {},
    commitmentPolicy: ALLOW,
  })
  const dec = await cmm().decryptMaterials({
    suite: suite(0x0578),
    encryptedDataKeys: enc.encryptedDataKeys,
    encryptionContext: enc.encryptionContext,
    commitmentPolicy: ALLOW,
  })
  t.deepEqual(dec.getUnencryptedDataKey(), enc.getUnencryptedDataKey())
  const signing = enc.signatureKey
  if (!dec.verificationKey || !signing) return t.fail('keys missing')
  const { d: _private, ...publicJwk } = signing.privateKey.export({ format: 'jwk' })
  t.deepEqual(dec.verificationKey.export({ format: 'jwk' }), publicJwk)
})

test('decrypt: a signed suite whose public key is not a valid point is an error', async (t) => {
  const bad = Buffer.concat([Buffer.from([2]), Buffer.alloc(48, 0xff)]).toString('base64')
  await t.throwsAsync(
    cmm().decryptMaterials({
      suite: suite(0x0578),
      encryptedDataKeys: await edksFor(0x0578),
      encryptionContext: { [KEY]: bad },
      commitmentPolicy: ALLOW,
    }),
    { instanceOf: EsdkError },
  )
})

test('decrypt: no keyring producing a key is a KeyringError', async (t) => {
  const other = new NodeDefaultCryptographicMaterialsManager(new TransparentKeyring('someone-else'))
  await t.throwsAsync(
    other.decryptMaterials({
      suite: suite(0x0478),
      encryptedDataKeys: await edksFor(0x0478),
      encryptionContext: {},
      commitmentPolicy: ALLOW,
    }),
    { instanceOf: KeyringError },
  )
})

test('reproduced context: equal shared pairs pass, different values are refused, new pairs become required keys', (t) => {
  t.deepEqual(mergeReproducedContext({ a: '1' }, undefined), { context: { a: '1' }, requiredKeys: [] })
  const merged = mergeReproducedContext({ a: '1' }, { a: '1', r: '2' })
  t.deepEqual({ ...merged.context }, { a: '1', r: '2' })
  t.deepEqual(merged.requiredKeys, ['r'])
  t.throws(() => mergeReproducedContext({ a: '1' }, { a: '2' }), { instanceOf: InvalidArgumentError })
})
