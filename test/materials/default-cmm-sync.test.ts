// The default CMM's synchronous path: signed suites answer without a promise, and no signing key is drawn for a keyring that cannot answer.
import test from 'ava'
import { CommitmentPolicy } from '../../lib/core/policy'
import { SignatureSpec, findSuite } from '../../lib/core/suites'
import { EncryptedDataKey } from '../../lib/format/header'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { KeyringNode } from '../../lib/materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial, SigningKey } from '../../lib/materials/materials'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'
import { SigningKeyProvider, generateSigningKey } from '../../lib/materials/signature-keys'
import { TransparentKeyring } from './test-keyrings'
import { buildClient } from '../../lib/api/client'
import * as official from '@aws-crypto/client-node'
import { eachBackend } from '../backend/backends'

const P384 = findSuite(0x0578)
const KEY = Buffer.alloc(32, 7)

function rawAes(): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyName: 'k',
    keyNamespace: 'ns',
    unencryptedMasterKey: KEY,
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
}

/** Counts the keys it hands out and the ones given back through dispose(). */
class CountingProvider implements SigningKeyProvider {
  acquired = 0
  disposed = 0
  acquire(spec: SignatureSpec): SigningKey {
    this.acquired++
    const key = generateSigningKey(spec)
    return Object.assign(Object.create(null) as object, key, { dispose: () => void this.disposed++ }) as SigningKey
  }
}

/** A keyring with a synchronous hook that always declines (a multi-keyring over an async child behaves so). */
class DecliningKeyring extends KeyringNode {
  syncCalls = 0
  protected override _onEncryptSync(): NodeEncryptionMaterial | undefined {
    this.syncCalls++
    return undefined
  }
  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    material.setUnencryptedDataKey(Buffer.alloc(material.suite.keyLengthBytes, 1))
    return material.addEncryptedDataKey(
      new EncryptedDataKey({ providerId: 'declining', providerInfo: 'x', encryptedDataKey: Buffer.alloc(4) }),
    )
  }
  protected async _onDecrypt(material: NodeDecryptionMaterial): Promise<NodeDecryptionMaterial> {
    return material
  }
}

test('a signed suite over a raw keyring is answered synchronously, with the key in the context', (t) => {
  if (!P384) return t.fail('suite')
  const provider = new CountingProvider()
  const cmm = new NodeDefaultCryptographicMaterialsManager(rawAes())
  const material = cmm.getEncryptionMaterialsSync({
    suite: P384,
    encryptionContext: { a: 'b' },
    commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    signingKeys: provider,
  })
  if (!material) return t.fail('expected a synchronous answer')
  t.is(provider.acquired, 1)
  t.is(provider.disposed, 0)
  t.truthy(material.signatureKey)
  t.is(
    material.encryptionContext['aws-crypto-public-key'],
    material.signatureKey?.publicKeyCompressed.toString('base64'),
  )
  t.is(material.encryptionContext.a, 'b')
  t.is(material.encryptedDataKeys.length, 1)
})

test('a keyring without a synchronous hook gets no signing key drawn on the synchronous path', (t) => {
  if (!P384) return t.fail('suite')
  const provider = new CountingProvider()
  const cmm = new NodeDefaultCryptographicMaterialsManager(new TransparentKeyring('t'))
  t.is(
    cmm.getEncryptionMaterialsSync({
      suite: P384,
      encryptionContext: {},
      commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
      signingKeys: provider,
    }),
    undefined,
  )
  t.is(provider.acquired, 0)
})

test('a keyring whose hook declines costs one disposed key once, then none', async (t) => {
  if (!P384) return t.fail('suite')
  const provider = new CountingProvider()
  const keyring = new DecliningKeyring()
  const cmm = new NodeDefaultCryptographicMaterialsManager(keyring)
  const request = {
    suite: P384,
    encryptionContext: {},
    commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    signingKeys: provider,
  }
  t.is(cmm.getEncryptionMaterialsSync(request), undefined)
  t.is(provider.acquired, 1)
  t.is(provider.disposed, 1, 'the key drawn for nothing was disposed')
  t.is(cmm.getEncryptionMaterialsSync(request), undefined)
  t.is(keyring.syncCalls, 1, 'the keyring is not asked again')
  t.is(provider.acquired, 1)
  const material = await cmm.getEncryptionMaterials(request)
  t.truthy(material.signatureKey)
  t.is(provider.acquired, 2)
})

eachBackend(
  'one-shot 0x0578 over a raw AES keyring (the synchronous path) decrypts with the official SDK',
  async (t, backend) => {
    const client = buildClient({ backend: backend.name })
    const { result } = await client.encrypt(rawAes(), Buffer.from('signed, synchronously'), {
      encryptionContext: { purpose: 'sync' },
    })
    const keyring = new official.RawAesKeyringNode({
      keyName: 'k',
      keyNamespace: 'ns',
      unencryptedMasterKey: new Uint8Array(KEY),
      wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    })
    const { plaintext, messageHeader } = await official
      .buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
      .decrypt(keyring, result)
    t.is(Buffer.from(plaintext).toString(), 'signed, synchronously')
    t.is(messageHeader.suiteId, 0x0578)
  },
)
