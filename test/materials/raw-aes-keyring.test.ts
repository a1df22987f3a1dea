// Raw AES keyring: constructor checks, wrap/unwrap, the spec provider-info and AAD layout, EDK filtering, and both context orders.
import test from 'ava'
import { createDecipheriv } from 'node:crypto'
import * as official from '@aws-crypto/client-node'
import { EsdkError, InvalidArgumentError, KeyringError } from '../../lib/core/errors'
import { CommitmentPolicy } from '../../lib/core/policy'
import { AlgorithmSuite, findSuite } from '../../lib/core/suites'
import { EncryptedDataKey } from '../../lib/format/header'
import { buildClient } from '../../lib/api/client'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'

/** An unpooled copy: the official keyring refuses pooled buffers and zeroes the one it is given. */
function isolatedCopy(key: Buffer): Buffer {
  const out = Buffer.alloc(key.length)
  key.copy(out)
  return out
}

const W = RawAesWrappingSuiteIdentifier
const KEY_256 = Buffer.alloc(32, 0x42)

function keyring(overrides: Partial<ConstructorParameters<typeof RawAesKeyringNode>[0]> = {}): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyName: 'my-key',
    keyNamespace: 'my-namespace',
    unencryptedMasterKey: KEY_256,
    wrappingSuite: W.AES256_GCM_IV12_TAG16_NO_PADDING,
    ...overrides,
  })
}

function suite(id: number): AlgorithmSuite {
  const s = findSuite(id)
  if (!s) throw new Error(`no suite ${id}`)
  return s
}

async function wrap(
  k: RawAesKeyringNode,
  s: AlgorithmSuite,
  ctx: Record<string, string>,
): Promise<{ dataKey: Buffer; edk: EncryptedDataKey }> {
  const m = new NodeEncryptionMaterial(s, ctx)
  await k.onEncrypt(m)
  const edk = m.encryptedDataKeys[0]
  if (!edk || m.encryptedDataKeys.length !== 1) throw new Error('expected one EDK')
  return { dataKey: Buffer.from(m.getUnencryptedDataKey()), edk }
}

async function unwrap(
  k: RawAesKeyringNode,
  s: AlgorithmSuite,
  ctx: Record<string, string>,
  edks: EncryptedDataKey[],
): Promise<NodeDecryptionMaterial> {
  return k.onDecrypt(new NodeDecryptionMaterial(s, ctx), edks)
}

test('constructor: a namespace that is or starts with aws-kms is refused', (t) => {
  for (const keyNamespace of ['aws-kms', 'aws-kms-custom', 'aws-kms/x']) {
    t.throws(() => keyring({ keyNamespace }), { instanceOf: InvalidArgumentError }, keyNamespace)
  }
  t.notThrows(() => keyring({ keyNamespace: 'my-aws-kms' }), 'aws-kms elsewhere in the name is fine')
})

test('constructor: the wrapping key must match the wrapping suite length', (t) => {
  const cases: Array<[RawAesWrappingSuiteIdentifier, number]> = [
    [W.AES128_GCM_IV12_TAG16_NO_PADDING, 16],
    [W.AES192_GCM_IV12_TAG16_NO_PADDING, 24],
    [W.AES256_GCM_IV12_TAG16_NO_PADDING, 32],
  ]
  for (const [wrappingSuite, n] of cases) {
    t.notThrows(() => keyring({ wrappingSuite, unencryptedMasterKey: Buffer.alloc(n, 1) }))
    for (const wrong of [n - 1, n + 1, n === 32 ? 16 : 32]) {
      t.throws(
        () => keyring({ wrappingSuite, unencryptedMasterKey: Buffer.alloc(wrong, 1) }),
        { instanceOf: InvalidArgumentError },
        `${n} vs ${wrong}`,
      )
    }
  }
})

test('constructor: key name, namespace and wrapping suite are required', (t) => {
  t.throws(() => keyring({ keyName: '' }), { instanceOf: InvalidArgumentError })
  t.throws(() => keyring({ keyNamespace: '' }), { instanceOf: InvalidArgumentError })
  t.throws(() => keyring({ wrappingSuite: 0x0178 as RawAesWrappingSuiteIdentifier }), {
    instanceOf: InvalidArgumentError,
  })
  t.throws(() => keyring({ unencryptedMasterKey: 'x'.repeat(32) as unknown as Uint8Array }), {
    instanceOf: InvalidArgumentError,
  })
})

for (const id of [0x0014, 0x0146, 0x0578]) {
  test(`wrap then unwrap returns the same data key (suite 0x${id.toString(16)})`, async (t) => {
    const k = keyring()
    const ctx = { purpose: 'test', ключ: 'v' }
    const { dataKey, edk } = await wrap(k, suite(id), ctx)
    t.is(dataKey.length, suite(id).keyLengthBytes)
    const m = await unwrap(k, suite(id), ctx, [edk])
    t.deepEqual(m.getUnencryptedDataKey(), dataKey)
  })
}

test('the EDK layout follows the spec and unwraps with plain AES-GCM', async (t) => {
  const k = keyring()
  // Keys whose UTF-8 order (B < a) differs from localeCompare (a < B).
  const ctx = { a: '1', B: '2' }
  const { dataKey, edk } = await wrap(k, suite(0x0178), ctx)
  t.is(edk.providerId, 'my-namespace')
  const info = Buffer.from(edk.rawInfo)
  const name = Buffer.from('my-key')
  // key name ‖ uint32 tag length in bits (128) ‖ uint32 IV length (12) ‖ IV (12)
  t.is(info.length, name.length + 4 + 4 + 12)
  t.deepEqual(info.subarray(0, name.length), name)
  t.is(info.subarray(name.length, name.length + 8).toString('hex'), '00000080' + '0000000c')
  const iv = info.subarray(name.length + 8)
  // ciphertext = wrapped key ‖ tag
  t.is(edk.encryptedDataKey.length, 32 + 16)
  const wrapped = Buffer.from(edk.encryptedDataKey)
  // AAD = the serialized context entries in UTF-8 key order, no outer length.
  const aad = Buffer.from('0002' + '0001' + '42' + '0001' + '32' + '0001' + '61' + '0001' + '31', 'hex')
  const d = createDecipheriv('aes-256-gcm', KEY_256, iv, { authTagLength: 16 })
    .setAAD(aad)
    .setAuthTag(wrapped.subarray(32))
  t.deepEqual(Buffer.concat([d.update(wrapped.subarray(0, 32)), d.final()]), dataKey)
})

test('each wrap uses a fresh IV', async (t) => {
  const k = keyring()
  const a = await wrap(k, suite(0x0178), {})
  const b = await wrap(k, suite(0x0178), {})
  t.notDeepEqual(Buffer.from(a.edk.rawInfo), Buffer.from(b.edk.rawInfo))
})

test('EDKs from another namespace, key name or layout are ignored without error', async (t) => {
  const k = keyring()
  const { edk } = await wrap(k, suite(0x0178), {})
  const info = Buffer.from(edk.rawInfo)
  const badTagBits = Buffer.from(info)
  badTagBits.writeUInt32BE(64, 'my-key'.length)
  const foreign = [
    new EncryptedDataKey({
      providerId: 'other-namespace',
      providerInfo: edk.providerInfo,
      rawInfo: info,
      encryptedDataKey: edk.encryptedDataKey,
    }),
    new EncryptedDataKey({
      providerId: 'my-namespace',
      providerInfo: 'other-key',
      encryptedDataKey: edk.encryptedDataKey,
    }),
    new EncryptedDataKey({
      providerId: 'my-namespace',
      providerInfo: '',
      rawInfo: badTagBits,
      encryptedDataKey: edk.encryptedDataKey,
    }),
  ]
  for (const f of foreign) {
    const m = await unwrap(k, suite(0x0178), {}, [f])
    t.false(m.hasUnencryptedDataKey)
  }
  // A foreign EDK listed first does not stop ours from being used.
  const m = await unwrap(k, suite(0x0178), {}, [...foreign, edk])
  t.true(m.hasUnencryptedDataKey)
})

test('a different context or a different wrapping key cannot unwrap: KeyringError', async (t) => {
  const { edk } = await wrap(keyring(), suite(0x0178), { a: '1' })
  await t.throwsAsync(unwrap(keyring(), suite(0x0178), { a: '2' }, [edk]), { instanceOf: KeyringError })
  await t.throwsAsync(unwrap(keyring(), suite(0x0178), {}, [edk]), { instanceOf: KeyringError })
  await t.throwsAsync(
    unwrap(keyring({ unencryptedMasterKey: Buffer.alloc(32, 1) }), suite(0x0178), { a: '1' }, [edk]),
    { instanceOf: KeyringError },
  )
})

test('an EDK wrapped with the legacy localeCompare AAD order (utf8Sorting: false) still unwraps', async (t) => {
  const ctx = { a: '1', B: '2' }
  const { dataKey, edk } = await wrap(keyring({ utf8Sorting: false }), suite(0x0178), ctx)
  const m = await unwrap(keyring(), suite(0x0178), ctx, [edk])
  t.deepEqual(m.getUnencryptedDataKey(), dataKey)
})

for (const utf8Sorting of [undefined, false, true]) {
  test(`messages from the official raw AES keyring (utf8Sorting: ${String(utf8Sorting)}) decrypt with ours, and ours with it`, async (t) => {
    const ctx = { a: '1', B: '2', '\u{1F600}': '3', '\uFFFD': '4' }
    const theirs = new official.RawAesKeyringNode({
      keyName: 'my-key',
      keyNamespace: 'my-namespace',
      unencryptedMasterKey: isolatedCopy(KEY_256),
      wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
      ...(utf8Sorting === undefined ? {} : { utf8Sorting }),
    })
    const officialClient = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    const ours = buildClient({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, backend: 'js' })
    const fromThem = await officialClient.encrypt(theirs, 'from official', { encryptionContext: ctx })
    t.is((await ours.decrypt(keyring(), fromThem.result)).plaintext.toString(), 'from official')
    if (utf8Sorting === true) {
      // Ours writes UTF-8 order, which an official keyring configured for it reads.
      const fromUs = await ours.encrypt(keyring(), 'from us', { encryptionContext: ctx })
      t.is((await officialClient.decrypt(theirs, fromUs.result)).plaintext.toString(), 'from us')
    }
  })
}

test('unwrap failures are EsdkErrors listing every cause', async (t) => {
  const k = keyring()
  const a = await wrap(k, suite(0x0178), { a: '1' })
  const b = await wrap(k, suite(0x0178), { a: '1' })
  const err = await t.throwsAsync(unwrap(k, suite(0x0178), { a: 'x' }, [a.edk, b.edk]), { instanceOf: KeyringError })
  t.true(err instanceof EsdkError)
  t.true((err?.causes.length ?? 0) >= 2)
})

test('the synchronous path answers like the async one, and a subclass that overrides _onEncrypt/_onDecrypt gets its override called', async (t) => {
  const suite = findSuite(0x0478) as AlgorithmSuite
  const plain = keyring()
  const material = new NodeEncryptionMaterial(suite, { a: 'b' })
  t.is(plain.onEncryptSync(material), material)
  t.is(material.encryptedDataKeys.length, 1)
  const decrypted = new NodeDecryptionMaterial(suite, { a: 'b' })
  t.is(plain.onDecryptSync(decrypted, material.encryptedDataKeys), decrypted)
  t.deepEqual(decrypted.getUnencryptedDataKey(), material.getUnencryptedDataKey())

  const calls: string[] = []
  class Logging extends RawAesKeyringNode {
    protected override async _onEncrypt(m: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
      calls.push('encrypt')
      return super._onEncrypt(m)
    }
    protected override async _onDecrypt(
      m: NodeDecryptionMaterial,
      edks: readonly EncryptedDataKey[],
    ): Promise<NodeDecryptionMaterial> {
      calls.push('decrypt')
      return super._onDecrypt(m, edks)
    }
  }
  const logging = new Logging({
    keyName: 'my-key',
    keyNamespace: 'my-namespace',
    unencryptedMasterKey: KEY_256,
    wrappingSuite: W.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  t.is(logging.onEncryptSync(new NodeEncryptionMaterial(suite, {})), undefined)
  t.is(logging.onDecryptSync(new NodeDecryptionMaterial(suite, {}), material.encryptedDataKeys), undefined)
  const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const { result } = await client.encrypt(logging, Buffer.from('hello'), { suiteId: 0x0478 })
  const { plaintext } = await client.decrypt(logging, result)
  t.is(plaintext.toString(), 'hello')
  t.deepEqual(calls, ['encrypt', 'decrypt'])
})
