// The messageHeader results: decrypt reports the same stored fields that encrypt did, and both agree with the official SDK.
import test, { ExecutionContext } from 'ava'
import * as official from '@aws-crypto/client-node'
import { buildClient } from '../../lib/api/client'
import { CommitmentPolicy } from '../../lib/core/policy'
import { MessageHeader } from '../../lib/format/header'
import { MultiKeyringNode } from '../../lib/materials/multi-keyring'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'

const KEYS = { a: Buffer.alloc(32, 0xa), b: Buffer.alloc(32, 0xb) }

function ours(name: 'a' | 'b'): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyName: name,
    keyNamespace: 'hdr',
    unencryptedMasterKey: KEYS[name],
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
}

function theirs(name: 'a' | 'b'): official.RawAesKeyringNode {
  const copy = Buffer.alloc(32)
  KEYS[name].copy(copy)
  return new official.RawAesKeyringNode({
    keyName: name,
    keyNamespace: 'hdr',
    unencryptedMasterKey: copy,
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting: true,
  })
}

type AnyHeader = MessageHeader | official.MessageHeader

function sameStoredFields(t: ExecutionContext, actual: AnyHeader, expected: AnyHeader, label: string): void {
  t.is(actual.version, expected.version, `${label}: version`)
  t.is(actual.suiteId, expected.suiteId, `${label}: suiteId`)
  t.deepEqual(Buffer.from(actual.messageId), Buffer.from(expected.messageId), `${label}: messageId`)
  t.deepEqual({ ...actual.encryptionContext }, { ...expected.encryptionContext }, `${label}: encryptionContext`)
  t.is(actual.contentType, expected.contentType, `${label}: contentType`)
  t.is(actual.frameLength, expected.frameLength, `${label}: frameLength`)
  t.is(actual.encryptedDataKeys.length, expected.encryptedDataKeys.length, `${label}: EDK count`)
  actual.encryptedDataKeys.forEach((edk, i) => {
    const other = expected.encryptedDataKeys[i]
    if (!other) return t.fail(`${label}: EDK ${i} missing`)
    t.is(edk.providerId, other.providerId, `${label}: EDK ${i} providerId`)
    t.is(edk.providerInfo, other.providerInfo, `${label}: EDK ${i} providerInfo`)
    t.deepEqual(Buffer.from(edk.encryptedDataKey), Buffer.from(other.encryptedDataKey), `${label}: EDK ${i} key`)
  })
  const suiteData = (h: AnyHeader): Buffer | undefined =>
    'suiteData' in h && h.suiteData ? Buffer.from(h.suiteData) : undefined
  t.deepEqual(suiteData(actual), suiteData(expected), `${label}: suiteData`)
  if (actual.version === 1) t.is((actual as { type?: number }).type, 0x80, `${label}: type`)
}

for (const suiteId of [0x0178, 0x0378, 0x0478, 0x0578]) {
  const hex = `0x${suiteId.toString(16).padStart(4, '0')}`
  const committing = suiteId >= 0x0478

  test(`${hex}: decrypt returns the header encrypt returned, and the official SDK sees the same`, async (t) => {
    const c = buildClient(
      committing ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
    )
    const keyring = new MultiKeyringNode({ generator: ours('a'), children: [ours('b')] })
    const enc = await c.encrypt(keyring, 'header check', {
      suiteId,
      frameLength: 100,
      encryptionContext: { who: 'me', wo: 'dort' },
    })
    const dec = await c.decrypt(ours('b'), enc.result)
    sameStoredFields(t, dec.messageHeader, enc.messageHeader, 'ours')
    t.is(enc.messageHeader.headerIvLength, 12)
    t.is(dec.messageHeader.headerIvLength, 12)
    t.is(enc.messageHeader.suiteId, suiteId)
    t.is(enc.messageHeader.frameLength, 100)

    const officialOut = await official
      .buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
      .decrypt(theirs('a'), enc.result)
    sameStoredFields(t, enc.messageHeader, officialOut.messageHeader, 'official reader')
  })

  test(`${hex}: decrypting an official message returns the header the official encrypt reported`, async (t) => {
    const policy = committing
      ? official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
      : official.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
    const o = await official
      .buildClient(policy)
      .encrypt(new official.MultiKeyringNode({ generator: theirs('a'), children: [theirs('b')] }), 'from them', {
        suiteId: suiteId as official.AlgorithmSuiteIdentifier,
        encryptionContext: { who: 'them' },
      })
    const dec = await buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).decrypt(ours('a'), o.result)
    t.is(dec.plaintext.toString(), 'from them')
    sameStoredFields(t, dec.messageHeader, o.messageHeader, 'official writer')
  })
}
