// Raw ECDH keyring: all three schemas on P-256/384/521 through each backend, the spec's EDK layout re-derived by hand, EDK matching, and construction checks.
import test from 'ava'
import { KeyObject, createDecipheriv, diffieHellman, generateKeyPairSync } from 'node:crypto'
import { kdfCounterMode as officialKdf } from '@aws-crypto/kdf-ctr-mode-node'
import { buildClient } from '../../lib/api/client'
import { getBackendInfo } from '../../lib/backend/select'
import { CommitmentPolicy } from '../../lib/core/policy'
import { AlgorithmSuiteIdentifier } from '../../lib/core/suites'
import { serializedContextEntries } from '../../lib/format/encryption-context'
import { MultiKeyringNode } from '../../lib/materials/multi-keyring'
import { OPENSSL_CURVE, EcCurve, decompressPoint, publicKeyFromPoint } from '../../lib/materials/ec-points'
import { EcdhCurveSpec, RawEcdhKeyringNode } from '../../lib/materials/raw-ecdh-keyring'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'

const CURVES: ReadonlyArray<{ spec: EcdhCurveSpec; curve: EcCurve; name: string; compressed: number }> = [
  { spec: EcdhCurveSpec.ECC_NIST_P256, curve: 'P-256', name: 'p256', compressed: 33 },
  { spec: EcdhCurveSpec.ECC_NIST_P384, curve: 'P-384', name: 'p384', compressed: 49 },
  { spec: EcdhCurveSpec.ECC_NIST_P521, curve: 'P-521', name: 'p521', compressed: 67 },
]
const BACKENDS = getBackendInfo().backend === 'native' ? (['js', 'native'] as const) : (['js'] as const)

function pair(curve: EcCurve): { pem: string; spki: Buffer; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: OPENSSL_CURVE[curve] })
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    spki: publicKey.export({ type: 'spki', format: 'der' }),
    privateKey,
  }
}

const CONTEXT = { tenant: 'acme', é: 'accent', purpose: 'raw ecdh test' }

for (const backend of BACKENDS) {
  const { encrypt, decrypt } = buildClient({
    commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    maxEncryptedDataKeys: false,
    backend,
  })
  for (const c of CURVES) {
    test(`[${backend}] ${c.curve}: ephemeral encrypts for the recipient, whose discovery keyring decrypts; neither does the other's job`, async (t) => {
      const recipient = pair(c.curve)
      const ephemeral = new RawEcdhKeyringNode({
        curveSpec: c.spec,
        keyAgreementScheme: { EphemeralPrivateKeyToStaticPublicKey: { recipientPublicKey: recipient.spki } },
      })
      const discovery = new RawEcdhKeyringNode({
        curveSpec: c.spec,
        keyAgreementScheme: { PublicKeyDiscovery: { recipientStaticPrivateKey: recipient.pem } },
      })
      const { result, messageHeader } = await encrypt(ephemeral, 'to the recipient', { encryptionContext: CONTEXT })
      t.is((await decrypt(discovery, result)).plaintext.toString(), 'to the recipient')
      const edk = messageHeader.encryptedDataKeys[0]
      if (!edk) return t.fail('no EDK')
      t.is(edk.providerId, 'raw-ecdh')
      t.is(edk.rawInfo.length, 1 + 4 + c.compressed + 4 + c.compressed)
      t.is(edk.encryptedDataKey.length, 32 + 32 + 32 + 16)
      await t.throwsAsync(encrypt(discovery, 'x'), {
        code: 'KEYRING',
        message: 'PublicKeyDiscovery Key Agreement Scheme is forbidden on encrypt.',
      })
      await t.throwsAsync(decrypt(ephemeral, result), {
        code: 'KEYRING',
        message: /EphemeralPrivateKeyToStaticPublicKey Key Agreement Scheme is forbidden on decrypt/,
      })
      const stranger = new RawEcdhKeyringNode({
        curveSpec: c.spec,
        keyAgreementScheme: { PublicKeyDiscovery: { recipientStaticPrivateKey: pair(c.curve).pem } },
      })
      await t.throwsAsync(decrypt(stranger, result), { code: 'KEYRING' })
    })

    test(`[${backend}] ${c.curve}: a static pair decrypts its own messages, and the other party decrypts them with its reversed pair`, async (t) => {
      const alice = pair(c.curve)
      const bob = pair(c.curve)
      const aliceToBob = new RawEcdhKeyringNode({
        curveSpec: c.spec,
        keyAgreementScheme: {
          RawPrivateKeyToStaticPublicKey: { senderStaticPrivateKey: alice.pem, recipientPublicKey: bob.spki },
        },
      })
      const bobToAlice = new RawEcdhKeyringNode({
        curveSpec: c.spec,
        keyAgreementScheme: {
          RawPrivateKeyToStaticPublicKey: {
            senderStaticPrivateKey: bob.privateKey,
            recipientPublicKey: alice.privateKey,
          },
        },
      })
      const bobDiscovery = new RawEcdhKeyringNode({
        curveSpec: c.spec,
        keyAgreementScheme: { PublicKeyDiscovery: { recipientStaticPrivateKey: bob.pem } },
      })
      for (const suiteId of [
        AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
        AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
      ]) {
        const { result } = await encrypt(aliceToBob, 'between the two', { encryptionContext: CONTEXT, suiteId })
        t.is((await decrypt(aliceToBob, result)).plaintext.toString(), 'between the two', 'the sender itself')
        t.is(
          (await decrypt(bobToAlice, result)).plaintext.toString(),
          'between the two',
          'the other party, keys reversed',
        )
        t.is(
          (await decrypt(bobDiscovery, result)).plaintext.toString(),
          'between the two',
          'the recipient, by discovery',
        )
      }
    })
  }

  test(`[${backend}] the EDK is exactly the spec's layout: re-derived by hand with node:crypto ECDH, the official KDF and AES-GCM`, async (t) => {
    const recipient = pair('P-384')
    const ephemeral = new RawEcdhKeyringNode({
      curveSpec: EcdhCurveSpec.ECC_NIST_P384,
      keyAgreementScheme: { EphemeralPrivateKeyToStaticPublicKey: { recipientPublicKey: recipient.spki } },
    })
    const { encrypt: enc } = buildClient({
      commitmentPolicy: CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
      maxEncryptedDataKeys: false,
      backend,
    })
    const { messageHeader } = await enc(ephemeral, 'layout', {
      encryptionContext: CONTEXT,
      suiteId: AlgorithmSuiteIdentifier.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256,
    })
    const edk = messageHeader.encryptedDataKeys[0]
    if (!edk) return t.fail('no EDK')
    const info = Buffer.from(edk.rawInfo)
    t.is(info[0], 1, 'version')
    t.is(info.readUInt32BE(1), 49)
    const recipientKey = info.subarray(5, 54)
    t.is(info.readUInt32BE(54), 49)
    const senderKey = info.subarray(58)
    const recipientPoint = decompressPoint('P-384', recipientKey)
    const senderPoint = decompressPoint('P-384', senderKey)
    if (!recipientPoint || !senderPoint) return t.fail('stored keys are not points')
    t.deepEqual(publicKeyFromPoint('P-384', recipientPoint).export({ type: 'spki', format: 'der' }), recipient.spki)
    const ct = Buffer.from(edk.encryptedDataKey)
    const salt = ct.subarray(0, 32)
    const commitment = ct.subarray(32, 64)
    const z = diffieHellman({ privateKey: recipient.privateKey, publicKey: publicKeyFromPoint('P-384', senderPoint) })
    const fixedInfo = Buffer.concat([
      Buffer.from('ecdh-key-derivation\0p384\0HMAC_SHA384\0'),
      senderKey,
      recipientKey,
      Buffer.from([0, 1, 0]),
      Buffer.from(serializedContextEntries(CONTEXT)),
    ])
    const km = Buffer.from(
      officialKdf({ digestAlgorithm: 'sha384', ikm: z, nonce: salt, purpose: fixedInfo, expectedLength: 64 }),
    )
    t.deepEqual(km.subarray(0, 32), commitment, 'the stored commitment key is the first half')
    const decipher = createDecipheriv('aes-256-gcm', km.subarray(32), Buffer.alloc(12))
      .setAAD(fixedInfo)
      .setAuthTag(ct.subarray(64 + 16))
    const dataKey = Buffer.concat([decipher.update(ct.subarray(64, 80)), decipher.final()])
    t.is(dataKey.length, 16, 'the data key unwraps with the second half, zero IV, FixedInfo as AAD')
  })

  test(`[${backend}] a flipped commitment key fails the EDK (constant-time check); a multi-keyring moves on to the next keyring`, async (t) => {
    const recipient = pair('P-256')
    const ephemeral = new RawEcdhKeyringNode({
      curveSpec: EcdhCurveSpec.ECC_NIST_P256,
      keyAgreementScheme: { EphemeralPrivateKeyToStaticPublicKey: { recipientPublicKey: recipient.spki } },
    })
    const discovery = new RawEcdhKeyringNode({
      curveSpec: EcdhCurveSpec.ECC_NIST_P256,
      keyAgreementScheme: { PublicKeyDiscovery: { recipientStaticPrivateKey: recipient.pem } },
    })
    const aes = new RawAesKeyringNode({
      keyName: 'k',
      keyNamespace: 'n',
      unencryptedMasterKey: Buffer.alloc(32, 3),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    })
    const multi = new MultiKeyringNode({ generator: ephemeral, children: [aes] })
    const { result, messageHeader } = await encrypt(multi, 'both', { encryptionContext: CONTEXT })
    t.is(messageHeader.encryptedDataKeys.length, 2)
    t.is((await decrypt(discovery, result)).plaintext.toString(), 'both')
    t.is((await decrypt(aes, result)).plaintext.toString(), 'both')
    // Flip one byte of the stored commitment key in the message: the keyring refuses that EDK by the commitment check.
    const edk = messageHeader.encryptedDataKeys[0]
    if (!edk) return t.fail('no EDK')
    const at = result.indexOf(Buffer.from(edk.encryptedDataKey))
    const tampered = Buffer.from(result)
    tampered[at + 40] = (tampered[at + 40] as number) ^ 1
    const error = await t.throwsAsync(decrypt(discovery, tampered), { code: 'KEYRING' })
    t.regex(JSON.stringify((error as { causes?: unknown[] })?.causes?.map(String)), /Commitment keys do not match/)
    // A multi-keyring moves past the refused EDK to the AES one, which unwraps; the header tag (which covers every EDK) then fails.
    await t.throwsAsync(decrypt(new MultiKeyringNode({ children: [discovery, aes] }), tampered), {
      code: 'AUTHENTICATION_FAILED',
    })
  })
}

test('construction: curve, scheme and key checks', (t) => {
  const p256 = pair('P-256')
  const p384 = pair('P-384')
  const ok = {
    curveSpec: EcdhCurveSpec.ECC_NIST_P256,
    keyAgreementScheme: { EphemeralPrivateKeyToStaticPublicKey: { recipientPublicKey: p256.spki } },
  }
  t.notThrows(() => new RawEcdhKeyringNode(ok))
  t.notThrows(() => new RawEcdhKeyringNode({ ...ok, curveSpec: 'ECC_NIST_P256' }), 'the spec name as a string')
  t.throws(() => new RawEcdhKeyringNode({ ...ok, curveSpec: 'SM2' as EcdhCurveSpec }), { code: 'INVALID_ARGUMENT' })
  t.throws(
    () => new RawEcdhKeyringNode({ ...ok, curveSpec: EcdhCurveSpec.ECC_NIST_P384 }),
    { code: 'INVALID_ARGUMENT', message: /P-384/ },
    'a P-256 key for P-384',
  )
  t.throws(
    () =>
      new RawEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P256,
        keyAgreementScheme: { PublicKeyDiscovery: { recipientStaticPrivateKey: p384.pem } },
      }),
    { code: 'INVALID_ARGUMENT' },
  )
  t.throws(
    () =>
      new RawEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P256,
        keyAgreementScheme: { PublicKeyDiscovery: { recipientStaticPrivateKey: 'not a pem' } },
      }),
    { code: 'INVALID_ARGUMENT', message: /PEM/ },
  )
  t.throws(
    () =>
      new RawEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P256,
        keyAgreementScheme: { EphemeralPrivateKeyToStaticPublicKey: { recipientPublicKey: p256.spki.subarray(1) } },
      }),
    { code: 'INVALID_ARGUMENT' },
  )
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' })
  t.throws(
    () =>
      new RawEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P256,
        keyAgreementScheme: { EphemeralPrivateKeyToStaticPublicKey: { recipientPublicKey: rsa } },
      }),
    { code: 'INVALID_ARGUMENT' },
  )
  const both = {
    PublicKeyDiscovery: { recipientStaticPrivateKey: p256.pem },
    EphemeralPrivateKeyToStaticPublicKey: { recipientPublicKey: p256.spki },
  }
  t.throws(
    () => new RawEcdhKeyringNode({ curveSpec: EcdhCurveSpec.ECC_NIST_P256, keyAgreementScheme: both as never }),
    { code: 'INVALID_ARGUMENT', message: /exactly one/ },
  )
})
