// buildClient and per-call argument validation: policies, limits, backend choice, frame lengths, suites and the CMM argument.
import test from 'ava'
import { buildClient } from '../../lib/api/client'
import { EsdkError, InvalidArgumentError, UnsupportedError } from '../../lib/core/errors'
import { CommitmentPolicy } from '../../lib/core/policy'
import { BackendChoice } from '../../lib/backend/select'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'

const keyring = new RawAesKeyringNode({
  keyName: 'k',
  keyNamespace: 'api-tests',
  unencryptedMasterKey: Buffer.alloc(32, 1),
  wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
})

test('an unknown commitment policy is refused', (t) => {
  for (const commitmentPolicy of ['FORBID', 'require_encrypt_require_decrypt', ''] as unknown as CommitmentPolicy[]) {
    t.throws(() => buildClient({ commitmentPolicy }), { instanceOf: InvalidArgumentError }, commitmentPolicy)
    t.throws(() => buildClient(commitmentPolicy || ('x' as CommitmentPolicy)), { instanceOf: InvalidArgumentError })
  }
})

test('maxEncryptedDataKeys must be a positive integer or false', (t) => {
  for (const maxEncryptedDataKeys of [0, -1, 1.5, Number.NaN, Infinity, '1', true] as unknown as number[]) {
    t.throws(
      () => buildClient({ maxEncryptedDataKeys }),
      { instanceOf: InvalidArgumentError },
      String(maxEncryptedDataKeys),
    )
  }
  t.notThrows(() => buildClient({ maxEncryptedDataKeys: 1 }))
  t.notThrows(() => buildClient({ maxEncryptedDataKeys: false }))
  t.notThrows(() => buildClient({ maxEncryptedDataKeys: 65535 }))
})

test('maxEncryptedDataKeys: null is refused (as the official SDK does), not read as "no limit"', (t) => {
  t.throws(() => buildClient({ maxEncryptedDataKeys: null as unknown as false }), { instanceOf: InvalidArgumentError })
})

test('a backend value other than auto, native or js is refused', (t) => {
  for (const backend of ['gpu', 'JS', 'Native', 'openssl', 1] as unknown as BackendChoice[]) {
    t.throws(() => buildClient({ backend }), { instanceOf: InvalidArgumentError }, String(backend))
  }
  t.notThrows(() => buildClient({ backend: 'js' }))
  t.notThrows(() => buildClient({ backend: 'auto' }))
})

test('backend: "native" either works or fails with a typed error, never silently', async (t) => {
  let c
  try {
    c = buildClient({ backend: 'native' })
  } catch (e) {
    t.true(e instanceof EsdkError)
    t.is((e as EsdkError).code, 'NATIVE_BINDING')
    return
  }
  const { result } = await c.encrypt(keyring, 'native')
  t.is((await c.decrypt(keyring, result)).plaintext.toString(), 'native')
})

test('frameLength must be an integer from 1 to 2^32 - 1', async (t) => {
  const c = buildClient()
  for (const frameLength of [0, -1, 2 ** 32, 1.5, Number.NaN, Infinity, '4096'] as unknown as number[]) {
    const err = await t.throwsAsync(
      c.encrypt(keyring, 'x', { frameLength }),
      { instanceOf: InvalidArgumentError },
      String(frameLength),
    )
    t.is(err?.code, 'INVALID_ARGUMENT')
  }
  for (const frameLength of [1, 2 ** 32 - 1]) {
    const { result, messageHeader } = await c.encrypt(keyring, 'abc', { frameLength })
    t.is(messageHeader.frameLength, frameLength)
    t.is((await c.decrypt(keyring, result)).plaintext.toString(), 'abc', `frame length ${frameLength}`)
  }
})

test('an unknown suite id is refused as unsupported', async (t) => {
  const c = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
  for (const suiteId of [0x0000, 0x0015, 0x0999, 0x10078]) {
    const err = await t.throwsAsync(
      c.encrypt(keyring, 'x', { suiteId }),
      { instanceOf: UnsupportedError },
      `0x${suiteId.toString(16)}`,
    )
    t.is(err?.code, 'UNSUPPORTED')
  }
})

test('the first argument must be a keyring or a CMM', async (t) => {
  const c = buildClient()
  for (const bad of [undefined, null, {}, 'keyring', { onEncrypt: 1 }]) {
    await t.throwsAsync(c.encrypt(bad as unknown as RawAesKeyringNode, 'x'), { instanceOf: InvalidArgumentError })
  }
  const { result } = await c.encrypt(keyring, 'x')
  await t.throwsAsync(c.decrypt({} as unknown as RawAesKeyringNode, result), { instanceOf: InvalidArgumentError })
})

test('the client object is frozen and a policy string is accepted in place of options', async (t) => {
  const c = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
  t.true(Object.isFrozen(c))
  t.is((await c.encrypt(keyring, 'x')).messageHeader.suiteId, 0x0378)
})
