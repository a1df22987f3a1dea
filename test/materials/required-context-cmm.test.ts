// Required-encryption-context CMM: required pairs must be supplied, are authenticated but not stored, and must be reproduced to decrypt.
import test from 'ava'
import { generateKeyPairSync } from 'node:crypto'
import { buildClient } from '../../lib/api/client'
import { AuthenticationError, EsdkError, InvalidArgumentError } from '../../lib/core/errors'
import { CommitmentPolicy } from '../../lib/core/policy'
import { parseHeader } from '../../lib/format/header'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'
import { RawRsaKeyringNode } from '../../lib/materials/raw-rsa-keyring'
import { RequiredEncryptionContextCMM } from '../../lib/materials/required-context-cmm'
import { contextEntries } from '../format/spec-bytes'
import { specDeriveKey, specHeaderTag } from '../session/spec-decrypt'
import { TransparentKeyring } from './test-keyrings'

const client = buildClient({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, backend: 'js' })
const aes = new RawAesKeyringNode({
  keyName: 'k',
  keyNamespace: 'ns',
  unencryptedMasterKey: Buffer.alloc(32, 3),
  wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
})
// RSA wrapping does not bind the context, so with it only the header tag can notice a wrong pair.
const rsaPair = generateKeyPairSync('rsa', { modulusLength: 2048 })
const rsa = new RawRsaKeyringNode({
  keyName: 'r',
  keyNamespace: 'ns',
  rsaKey: { publicKey: rsaPair.publicKey, privateKey: rsaPair.privateKey },
})

const REQUIRED_KEY = 'tenant-id-required'
const CONTEXT = { stored: 'kept in the header', [REQUIRED_KEY]: 'tenant-42' }

test('constructor: exactly one of keyring/underlyingCMM and a non-empty key list', (t) => {
  t.throws(() => new RequiredEncryptionContextCMM({ requiredEncryptionContextKeys: ['a'] }), {
    instanceOf: InvalidArgumentError,
  })
  t.throws(() => new RequiredEncryptionContextCMM({ keyring: aes, requiredEncryptionContextKeys: [] }), {
    instanceOf: InvalidArgumentError,
  })
  t.throws(
    () =>
      new RequiredEncryptionContextCMM({
        keyring: aes,
        underlyingCMM: new RequiredEncryptionContextCMM({ keyring: aes, requiredEncryptionContextKeys: ['a'] }),
        requiredEncryptionContextKeys: ['a'],
      }),
    {
      instanceOf: InvalidArgumentError,
    },
  )
})

test('encrypt without a required key is refused', async (t) => {
  const cmm = new RequiredEncryptionContextCMM({ keyring: aes, requiredEncryptionContextKeys: [REQUIRED_KEY] })
  const err = await t.throwsAsync(client.encrypt(cmm, 'x', { encryptionContext: { stored: 'v' } }), {
    instanceOf: InvalidArgumentError,
  })
  t.is(err?.code, 'INVALID_ARGUMENT')
})

test('encrypt without a required key is refused even when the key is an Object.prototype name', async (t) => {
  // "toString" is an ordinary context key; a prototype-chain lookup must not count it as present.
  const cmm = new RequiredEncryptionContextCMM({ keyring: aes, requiredEncryptionContextKeys: ['toString'] })
  await t.throwsAsync(client.encrypt(cmm, 'x', { encryptionContext: { stored: 'v' } }), {
    instanceOf: InvalidArgumentError,
  })
})

test('the required pairs are not stored in the header, the others are', async (t) => {
  const cmm = new RequiredEncryptionContextCMM({ keyring: aes, requiredEncryptionContextKeys: [REQUIRED_KEY] })
  const { result, messageHeader } = await client.encrypt(cmm, 'secret', { encryptionContext: CONTEXT })
  t.false(REQUIRED_KEY in messageHeader.encryptionContext)
  t.is(messageHeader.encryptionContext.stored, 'kept in the header')
  const parsed = parseHeader(result, { maxEncryptedDataKeys: false })
  if (!parsed.done) return t.fail('header incomplete')
  t.false(Object.prototype.hasOwnProperty.call(parsed.header.encryptionContext, REQUIRED_KEY))
  t.is(result.indexOf(REQUIRED_KEY), -1, 'the required key name appears nowhere in the message')
  t.is(result.indexOf('tenant-42'), -1, 'nor its value')
})

for (const [name, keyring] of [
  ['raw AES', aes],
  ['raw RSA', rsa],
] as const) {
  test(`${name}: the message decrypts only when the required pairs are reproduced`, async (t) => {
    const cmm = new RequiredEncryptionContextCMM({ keyring, requiredEncryptionContextKeys: [REQUIRED_KEY] })
    const { result } = await client.encrypt(cmm, 'secret', { encryptionContext: CONTEXT })

    const ok = await client.decrypt(keyring, result, { encryptionContext: { [REQUIRED_KEY]: 'tenant-42' } })
    t.is(ok.plaintext.toString(), 'secret')
    // client-apis/decrypt.md: the context returned is the header's plus the pairs authenticated only (reproduced).
    t.like(ok.messageHeader.encryptionContext, CONTEXT)
    const viaCmm = await client.decrypt(cmm, result, {
      encryptionContext: { [REQUIRED_KEY]: 'tenant-42', stored: 'kept in the header' },
    })
    t.is(viaCmm.plaintext.toString(), 'secret')

    const missing = await t.throwsAsync(client.decrypt(keyring, result))
    t.true(missing instanceof EsdkError, 'not reproduced')
    const wrong = await t.throwsAsync(
      client.decrypt(keyring, result, { encryptionContext: { [REQUIRED_KEY]: 'tenant-43' } }),
    )
    t.true(wrong instanceof EsdkError, 'wrong value')
    if (name === 'raw RSA') {
      // Only the header tag covers the pair here, so the failure must be an authentication failure.
      t.true(missing instanceof AuthenticationError)
      t.is((wrong as EsdkError).code, 'AUTHENTICATION_FAILED')
    }
  })
}

test('the header tag covers the header body ‖ the serialized required pairs (computed by the spec)', async (t) => {
  const keyring = new TransparentKeyring('spec', 0x31)
  const cmm = new RequiredEncryptionContextCMM({ keyring, requiredEncryptionContextKeys: ['r2', 'r1'] })
  const { result } = await client.encrypt(cmm, 'x', {
    suiteId: 0x0478,
    encryptionContext: { stored: 's', r1: 'one', r2: 'two' },
  })
  const parsed = parseHeader(result, { maxEncryptedDataKeys: false })
  if (!parsed.done) return t.fail('header incomplete')
  const { key } = specDeriveKey(0x0478, Buffer.alloc(32, 0x31), parsed.header.messageId)
  // Required pairs, sorted by key, in the entries form (count ‖ pairs, no outer length).
  const required = contextEntries([
    ['r1', 'one'],
    ['r2', 'two'],
  ])
  const headerBody = result.subarray(0, parsed.headerBody.length)
  t.deepEqual(parsed.headerAuthTag, specHeaderTag(key, Buffer.alloc(12), Buffer.concat([headerBody, required])))
  t.notDeepEqual(
    parsed.headerAuthTag,
    specHeaderTag(key, Buffer.alloc(12), headerBody),
    'the pairs really are in the AAD',
  )
})

test('decrypting through the required CMM without the required key in the reproduced context is refused', async (t) => {
  const cmm = new RequiredEncryptionContextCMM({ keyring: aes, requiredEncryptionContextKeys: [REQUIRED_KEY] })
  const { result } = await client.encrypt(cmm, 'secret', { encryptionContext: CONTEXT })
  await t.throwsAsync(client.decrypt(cmm, result), { instanceOf: InvalidArgumentError })
  await t.throwsAsync(client.decrypt(cmm, result, { encryptionContext: { stored: 'kept in the header' } }), {
    instanceOf: InvalidArgumentError,
  })
})

test('a reproduced pair that contradicts a stored pair is refused', async (t) => {
  const cmm = new RequiredEncryptionContextCMM({ keyring: aes, requiredEncryptionContextKeys: [REQUIRED_KEY] })
  const { result } = await client.encrypt(cmm, 'secret', { encryptionContext: CONTEXT })
  await t.throwsAsync(
    client.decrypt(aes, result, { encryptionContext: { [REQUIRED_KEY]: 'tenant-42', stored: 'other' } }),
    {
      instanceOf: InvalidArgumentError,
    },
  )
})

test('a required key that is stored as well (not required) still round-trips with the default CMM', async (t) => {
  const keyring = new TransparentKeyring('t')
  const { result } = await client.encrypt(keyring, 'plain', { encryptionContext: CONTEXT })
  const out = await client.decrypt(keyring, result, { encryptionContext: CONTEXT })
  t.is(out.plaintext.toString(), 'plain')
})

test('decrypt through the required CMM without the required key is refused even for an Object.prototype name', async (t) => {
  const keyring = new TransparentKeyring('t')
  const { result } = await client.encrypt(keyring, 'plain', { encryptionContext: { stored: 'v' } })
  const cmm = new RequiredEncryptionContextCMM({ keyring, requiredEncryptionContextKeys: ['constructor'] })
  await t.throwsAsync(client.decrypt(cmm, result), { instanceOf: InvalidArgumentError })
})

test('a required key the header stores as well is authenticated once: the required CMM decrypts it with the reproduced pair', async (t) => {
  // Encrypted by the default CMM, so REQUIRED_KEY is stored; a required-context CMM on decrypt must not add it to
  // the header tag's AAD a second time (decrypt-setup.ts authenticatedOnlyContext).
  const both = { ...CONTEXT, [REQUIRED_KEY]: 'tenant-42' }
  const { result } = await client.encrypt(aes, 'stored and required', { encryptionContext: both })
  const cmm = new RequiredEncryptionContextCMM({ keyring: aes, requiredEncryptionContextKeys: [REQUIRED_KEY] })
  const out = await client.decrypt(cmm, result, { encryptionContext: { [REQUIRED_KEY]: 'tenant-42' } })
  t.is(out.plaintext.toString(), 'stored and required')
  t.like(out.messageHeader.encryptionContext, both)
})
