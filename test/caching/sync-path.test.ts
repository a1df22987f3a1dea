// The caching CMM's synchronous path: hits (and misses over a synchronous backing CMM) without a promise; undefined, with nothing counted, when the async path must run.
import test from 'ava'
import * as official from '@aws-crypto/client-node'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'
import { EncryptedDataKey } from '../../lib/format/header'
import { KeyringNode, NodeMaterialsManager } from '../../lib/materials/keyring'
import { CountingKeyring, FORBID, REQUIRE, WRAPPING_KEY, client, edkFingerprint, suite } from './helpers'
import { ProbeBacking, withoutSyncMethods } from './probe-backing'

/** A synchronous keyring (a raw AES one inside) that counts how often it makes or unwraps a data key. */
class CountingSyncKeyring extends KeyringNode {
  encrypts = 0
  decrypts = 0
  readonly inner = new RawAesKeyringNode({
    keyName: 'caching-test',
    keyNamespace: 'caching',
    unencryptedMasterKey: new Uint8Array(WRAPPING_KEY),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  protected override _onEncryptSync(material: NodeEncryptionMaterial): NodeEncryptionMaterial | undefined {
    this.encrypts++
    return this.inner.onEncryptSync(material)
  }
  protected override _onDecryptSync(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): NodeDecryptionMaterial | undefined {
    this.decrypts++
    return this.inner.onDecryptSync(material, edks)
  }
  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    return this.inner.onEncrypt(material)
  }
  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    return this.inner.onDecrypt(material, edks)
  }
}

const S = suite(0x0478)
const request = (plaintextLength = 100) => ({
  suite: S,
  encryptionContext: { purpose: 'sync' },
  commitmentPolicy: REQUIRE,
  plaintextLength,
})

function caching(backingMaterials: KeyringNode | NodeMaterialsManager, maxMessagesEncrypted = 1000) {
  return new NodeCachingMaterialsManager({
    backingMaterials,
    cache: getLocalCryptographicMaterialsCache(10),
    maxAge: 60_000,
    maxMessagesEncrypted,
  })
}

test('over a synchronous keyring, a miss and then hits are answered synchronously, within the message limit', (t) => {
  const keyring = new CountingSyncKeyring()
  const cmm = caching(keyring, 3)
  const prints: string[] = []
  for (let i = 0; i < 7; i++) {
    const m = cmm.getEncryptionMaterialsSync(request())
    if (!m) return t.fail(`request ${i} was not answered synchronously`)
    prints.push(edkFingerprint(m.encryptedDataKeys))
    m.zeroUnencryptedDataKey()
  }
  t.is(keyring.encrypts, 3, 'a data key per 3 messages')
  t.is(new Set(prints.slice(0, 3)).size, 1)
  t.not(prints[0], prints[3])
  const stats = cmm.getStats().encrypt
  t.is(stats.misses, 3)
  t.is(stats.hits, 4)
})

test('over an asynchronous keyring, a miss is left to the async path with nothing counted; hits are then synchronous', async (t) => {
  const keyring = new CountingKeyring()
  const cmm = caching(keyring)
  t.is(cmm.getEncryptionMaterialsSync(request()), undefined)
  t.is(keyring.encryptCalls, 0)
  t.is(cmm.getStats().encrypt.requests, 0)
  const filled = await cmm.getEncryptionMaterials(request())
  const hit = cmm.getEncryptionMaterialsSync(request())
  if (!hit) return t.fail('the hit was not synchronous')
  t.is(edkFingerprint(hit.encryptedDataKeys), edkFingerprint(filled.encryptedDataKeys))
  t.is(keyring.encryptCalls, 1)
  t.like(cmm.getStats().encrypt, { misses: 1, hits: 1 })
})

test('while a backing call for the entry is in flight, the synchronous path declines instead of making a second one', async (t) => {
  const keyring = new CountingKeyring()
  keyring.delayMs = 20
  const cmm = caching(keyring)
  const flight = cmm.getEncryptionMaterials(request())
  t.is(cmm.getEncryptionMaterialsSync(request()), undefined)
  await flight
  t.truthy(cmm.getEncryptionMaterialsSync(request()))
  t.is(keyring.encryptCalls, 1)
})

test('a synchronous backing failure is thrown synchronously and counted as a miss', (t) => {
  const keyring = new CountingSyncKeyring()
  const cmm = caching(keyring)
  t.throws(() => cmm.getEncryptionMaterialsSync({ ...request(), encryptionContext: { 'aws-crypto-public-key': 'x' } }))
  t.is(cmm.getStats().encrypt.misses, 1)
})

test('decrypt: a miss over a synchronous keyring unwraps once, later requests hit synchronously', async (t) => {
  const keyring = new CountingSyncKeyring()
  const cmm = caching(keyring)
  const ours = client(REQUIRE)
  const { result, messageHeader } = await ours.encrypt(cmm, Buffer.from('cached'), {
    suiteId: 0x0478,
    encryptionContext: { purpose: 'sync' },
  })
  const decryptRequest = {
    suite: S,
    encryptedDataKeys: messageHeader.encryptedDataKeys,
    encryptionContext: messageHeader.encryptionContext,
    commitmentPolicy: REQUIRE,
  }
  for (let i = 0; i < 3; i++) {
    const m = cmm.decryptMaterialsSync(decryptRequest)
    if (!m) return t.fail('not synchronous')
    m.zeroUnencryptedDataKey()
  }
  t.is(keyring.decrypts, 1)
  t.like(cmm.getStats().decrypt, { misses: 1, hits: 2 })
  t.is((await ours.decrypt(cmm, result)).plaintext.toString(), 'cached')
})

test('messages encrypted through the synchronous path decrypt with the official SDK', async (t) => {
  const cmm = caching(new CountingSyncKeyring())
  const keyring = new official.RawAesKeyringNode({
    keyName: 'caching-test',
    keyNamespace: 'caching',
    unencryptedMasterKey: new Uint8Array(WRAPPING_KEY),
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  const theirs = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  for (const suiteId of [0x0478, 0x0578]) {
    for (let i = 0; i < 3; i++) {
      const { result } = await client(REQUIRE).encrypt(cmm, Buffer.from(`record ${i}`), {
        suiteId,
        encryptionContext: { purpose: 'sync' },
      })
      t.is(Buffer.from((await theirs.decrypt(keyring, result)).plaintext).toString(), `record ${i}`)
    }
  }
  t.like(cmm.getStats().encrypt, { misses: 2, hits: 4 })
})

test('decrypt: identity-KDF messages bypass the cache on the synchronous path too, counted only when answered', async (t) => {
  // caching-cmm.md#decrypt-materials: an identity-KDF data key is never looked up nor stored.
  const keyring = new CountingSyncKeyring()
  const cmm = caching(keyring)
  const { messageHeader } = await client(FORBID).encrypt(keyring, Buffer.from('identity'), {
    suiteId: 0x0078,
    encryptionContext: { purpose: 'sync' },
  })
  const decryptRequest = {
    suite: suite(0x0078),
    encryptedDataKeys: messageHeader.encryptedDataKeys,
    encryptionContext: messageHeader.encryptionContext,
    commitmentPolicy: FORBID,
  }
  for (let i = 0; i < 3; i++) {
    const m = cmm.decryptMaterialsSync(decryptRequest)
    if (!m) return t.fail('not synchronous')
    t.true(m.hasUnencryptedDataKey)
    m.zeroUnencryptedDataKey()
  }
  t.is(keyring.decrypts, 3, 'one unwrap per message')
  t.like(cmm.getStats().decrypt, { bypasses: 3, misses: 0, hits: 0 })
  t.is(cmm.getStats().bypasses.identityKdf, 3)

  // Over a keyring that needs the async path, the synchronous one declines and counts nothing.
  const asyncKeyring = new CountingKeyring()
  const declined = caching(asyncKeyring)
  const { messageHeader: asyncHeader } = await client(FORBID).encrypt(asyncKeyring, Buffer.from('identity'), {
    suiteId: 0x0078,
  })
  const asyncRequest = {
    ...decryptRequest,
    encryptedDataKeys: asyncHeader.encryptedDataKeys,
    encryptionContext: asyncHeader.encryptionContext,
  }
  t.is(declined.decryptMaterialsSync(asyncRequest), undefined)
  t.is(declined.getStats().decrypt.requests, 0)
  t.true((await declined.decryptMaterials(asyncRequest)).hasUnencryptedDataKey)
  t.like(declined.getStats().decrypt, { bypasses: 1, misses: 0 })
})

test('encrypt: a bypass on the synchronous path is counted only when the backing CMM answers it', (t) => {
  const syncCmm = caching(new CountingSyncKeyring())
  const identity = { ...request(), suite: suite(0x0078), commitmentPolicy: FORBID }
  t.truthy(syncCmm.getEncryptionMaterialsSync(identity))
  t.like(syncCmm.getStats().encrypt, { bypasses: 1, misses: 0 })
  const asyncCmm = caching(new CountingKeyring())
  t.is(asyncCmm.getEncryptionMaterialsSync(identity), undefined)
  t.is(asyncCmm.getStats().encrypt.requests, 0)
})

test('decrypt: a synchronous backing failure is thrown synchronously and counted as a miss; nothing is stored', (t) => {
  const backing = new ProbeBacking()
  const cmm = caching(backing)
  backing.failNext = 1
  const decryptRequest = { suite: S, encryptedDataKeys: [], encryptionContext: {}, commitmentPolicy: REQUIRE }
  t.is(
    t.throws(() => cmm.decryptMaterialsSync(decryptRequest)),
    backing.failure,
  )
  t.like(cmm.getStats().decrypt, { requests: 1, misses: 1, hits: 0 })
  t.is(backing.calls, 1)
})

test('decrypt: over a backing CMM with no synchronous method, an identity-KDF request declines with nothing asked', (t) => {
  const probe = new ProbeBacking()
  const asyncOnly = withoutSyncMethods(probe)
  const cmm = caching(asyncOnly)
  const identity = { suite: suite(0x0078), encryptedDataKeys: [], encryptionContext: {}, commitmentPolicy: FORBID }
  t.is(cmm.decryptMaterialsSync(identity), undefined)
  t.is(probe.calls, 0)
  t.is(cmm.getStats().decrypt.requests, 0)
})
