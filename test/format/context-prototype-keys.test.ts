// Context keys that collide with Object.prototype names ("__proto__", "constructor") are kept, bound and checked like any other.
import test from 'ava'
import {
  CommitmentPolicy,
  EsdkError,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  RequiredEncryptionContextCMM,
  buildClient,
} from '../../lib/index'

const keyring = new RawAesKeyringNode({
  keyName: 'k',
  keyNamespace: 'ns',
  unencryptedMasterKey: Buffer.alloc(32, 1),
  wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
})
const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
const parsed = (json: string): Record<string, string> => JSON.parse(json) as Record<string, string>

test('a "__proto__" key is stored in the header and returned', async (t) => {
  const { result, messageHeader } = await client.encrypt(keyring, 'hi', {
    encryptionContext: parsed('{"__proto__":"bound","constructor":"c","a":"b"}'),
  })
  t.true(Object.prototype.hasOwnProperty.call(messageHeader.encryptionContext, '__proto__'))
  const { messageHeader: opened } = await client.decrypt(keyring, result)
  t.is(Object.getOwnPropertyDescriptor(opened.encryptionContext, '__proto__')?.value, 'bound')
  t.is(opened.encryptionContext['constructor'], 'c')
})

test('a reproduced "__proto__" pair the message does not hold is not ignored', async (t) => {
  const { result } = await client.encrypt(keyring, 'hi', { encryptionContext: { a: 'b' } })
  // The extra pair joins the keyring's wrapping AAD and the header AAD, so the raw AES unwrap fails first.
  await t.throwsAsync(client.decrypt(keyring, result, { encryptionContext: parsed('{"__proto__":"never-stored"}') }), {
    instanceOf: EsdkError,
  })
})

test('a required "constructor" key must really be in the caller context', async (t) => {
  const cmm = new RequiredEncryptionContextCMM({ keyring, requiredEncryptionContextKeys: ['constructor'] })
  await t.throwsAsync(client.encrypt(cmm, 'hi', { encryptionContext: { a: 'b' } }), { code: 'INVALID_ARGUMENT' })
  const { result } = await client.encrypt(cmm, 'hi', { encryptionContext: { constructor: 'x' } })
  const { plaintext } = await client.decrypt(cmm, result, { encryptionContext: { constructor: 'x' } })
  t.is(plaintext.toString(), 'hi')
})
