// AwsKmsEcdhKeyringNode against the local KMS (ECC key agreement keys, GetPublicKey, DeriveSharedSecret) on each backend, and with the raw ECDH keyring on the other side.
import test from 'ava'
import { createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto'
import { DeriveSharedSecretCommand, GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms'
import {
  AwsKmsEcdhKeyringNode,
  CommitmentPolicy,
  EcdhCurveSpec,
  RawEcdhKeyringNode,
  buildClient,
  getBackendInfo,
} from '../../lib/index'
import { LocalKms, startLocalKms } from '../../lib/testing'

const BACKENDS = getBackendInfo().backend === 'native' ? (['js', 'native'] as const) : (['js'] as const)

let kms: LocalKms
let client: KMSClient
let p256: string
let p256b: string
let p384: string

test.before(async () => {
  kms = await startLocalKms()
  client = new KMSClient(kms.clientConfig('us-west-2'))
  p256 = kms.keys.createKey({ region: 'us-west-2', keySpec: 'ECC_NIST_P256' }).arn
  p256b = kms.keys.createKey({ region: 'us-west-2', keySpec: 'ECC_NIST_P256' }).arn
  p384 = kms.keys.createKey({ region: 'us-west-2', keySpec: 'ECC_NIST_P384' }).arn
})
test.after.always(async () => {
  client?.destroy()
  await kms?.close()
})

test('the stand-in: GetPublicKey gives a DER public key with spec and usage; DeriveSharedSecret is ECDH with the private half; usages are enforced', async (t) => {
  const answer = await client.send(new GetPublicKeyCommand({ KeyId: p256 }))
  t.is(answer.KeySpec, 'ECC_NIST_P256')
  t.is(answer.KeyUsage, 'KEY_AGREEMENT')
  t.deepEqual(answer.KeyAgreementAlgorithms, ['ECDH'])
  const kmsPublic = createPublicKey({ key: Buffer.from(answer.PublicKey ?? []), format: 'der', type: 'spki' })
  const mine = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const derived = await client.send(
    new DeriveSharedSecretCommand({
      KeyId: p256,
      KeyAgreementAlgorithm: 'ECDH',
      PublicKey: mine.publicKey.export({ type: 'spki', format: 'der' }),
    }),
  )
  t.deepEqual(
    Buffer.from(derived.SharedSecret ?? []),
    diffieHellman({ privateKey: mine.privateKey, publicKey: kmsPublic }),
  )
  t.is(derived.KeyId, p256)
  const symmetric = kms.keys.keyArn('us-west-2')
  await t.throwsAsync(client.send(new GetPublicKeyCommand({ KeyId: symmetric })), {
    name: 'UnsupportedOperationException',
  })
  await t.throwsAsync(
    client.send(
      new DeriveSharedSecretCommand({
        KeyId: symmetric,
        KeyAgreementAlgorithm: 'ECDH',
        PublicKey: mine.publicKey.export({ type: 'spki', format: 'der' }),
      }),
    ),
    { name: 'InvalidKeyUsageException' },
  )
  const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'der' })
  await t.throwsAsync(
    client.send(new DeriveSharedSecretCommand({ KeyId: p256, KeyAgreementAlgorithm: 'ECDH', PublicKey: other })),
    { name: 'ValidationException' },
  )
})

async function kmsPublicDer(arn: string): Promise<Buffer> {
  return Buffer.from((await client.send(new GetPublicKeyCommand({ KeyId: arn }))).PublicKey ?? [])
}

for (const backend of BACKENDS) {
  const { encrypt, decrypt } = buildClient({
    commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    maxEncryptedDataKeys: false,
    backend,
  })

  test.serial(
    `[${backend}] KmsPrivateKeyToStaticPublicKey: KMS sender to a raw recipient; the recipient's raw keyring, the sender and the reversed pair decrypt`,
    async (t) => {
      const recipient = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      const recipientDer = recipient.publicKey.export({ type: 'spki', format: 'der' })
      const sender = new AwsKmsEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P256,
        kmsClient: client,
        keyAgreementScheme: {
          KmsPrivateKeyToStaticPublicKey: { senderKmsIdentifier: p256, recipientPublicKey: recipientDer },
        },
      })
      kms.clearCalls()
      const { result, messageHeader } = await encrypt(sender, 'kms ecdh', { encryptionContext: { a: 'b', Z: 'z' } })
      t.deepEqual(kms.counters, { GetPublicKey: 1, DeriveSharedSecret: 1 })
      t.is(messageHeader.encryptedDataKeys[0]?.providerId, 'aws-kms-ecdh')
      t.is((await decrypt(sender, result)).plaintext.toString(), 'kms ecdh')
      const raw = new RawEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P256,
        keyAgreementScheme: { PublicKeyDiscovery: { recipientStaticPrivateKey: recipient.privateKey } },
      })
      t.is((await decrypt(raw, result)).plaintext.toString(), 'kms ecdh', 'a raw keyring opens aws-kms-ecdh EDKs')
      const reversed = new RawEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P256,
        keyAgreementScheme: {
          RawPrivateKeyToStaticPublicKey: {
            senderStaticPrivateKey: recipient.privateKey,
            recipientPublicKey: await kmsPublicDer(p256),
          },
        },
      })
      t.is((await decrypt(reversed, result)).plaintext.toString(), 'kms ecdh')
      const { result: back } = await encrypt(reversed, 'reply')
      t.is((await decrypt(sender, back)).plaintext.toString(), 'reply', 'and the KMS keyring opens the raw reply')
    },
  )

  test.serial(
    `[${backend}] KmsPublicKeyDiscovery: a KMS recipient opens messages raw and KMS senders wrote to its public key, and refuses to encrypt`,
    async (t) => {
      const recipientDer = await kmsPublicDer(p256)
      const ephemeral = new RawEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P256,
        keyAgreementScheme: { EphemeralPrivateKeyToStaticPublicKey: { recipientPublicKey: recipientDer } },
      })
      const kmsSender = new AwsKmsEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P256,
        kmsClient: client,
        keyAgreementScheme: {
          KmsPrivateKeyToStaticPublicKey: { senderKmsIdentifier: p256b, recipientPublicKey: recipientDer },
        },
      })
      const discovery = new AwsKmsEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P256,
        kmsClient: client,
        keyAgreementScheme: { KmsPublicKeyDiscovery: { recipientKmsIdentifier: p256 } },
      })
      for (const ring of [ephemeral, kmsSender]) {
        const { result } = await encrypt(ring, 'to the KMS key')
        t.is((await decrypt(discovery, result)).plaintext.toString(), 'to the KMS key')
      }
      await t.throwsAsync(encrypt(discovery, 'x'), { code: 'KEYRING', message: /forbidden on encrypt/ })
      const elsewhere = new AwsKmsEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P256,
        kmsClient: client,
        keyAgreementScheme: { KmsPublicKeyDiscovery: { recipientKmsIdentifier: p256b } },
      })
      const { result } = await encrypt(ephemeral, 'not for b')
      await t.throwsAsync(decrypt(elsewhere, result), { code: 'KEYRING' })
    },
  )
}

test('GetPublicKey is checked: KEY_AGREEMENT usage and the configured curve, or the keyring refuses', async (t) => {
  const { encrypt } = buildClient()
  const recipientDer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
    type: 'spki',
    format: 'der',
  })
  const wrongCurve = new AwsKmsEcdhKeyringNode({
    curveSpec: EcdhCurveSpec.ECC_NIST_P256,
    kmsClient: client,
    keyAgreementScheme: {
      KmsPrivateKeyToStaticPublicKey: { senderKmsIdentifier: p384, recipientPublicKey: recipientDer },
    },
  })
  await t.throwsAsync(encrypt(wrongCurve, 'x'), {
    code: 'KMS',
    message: /key spec is ECC_NIST_P384, not ECC_NIST_P256/,
  })
  const symmetric = new AwsKmsEcdhKeyringNode({
    curveSpec: EcdhCurveSpec.ECC_NIST_P256,
    kmsClient: client,
    keyAgreementScheme: {
      KmsPrivateKeyToStaticPublicKey: {
        senderKmsIdentifier: kms.keys.keyArn('us-west-2'),
        recipientPublicKey: recipientDer,
      },
    },
  })
  await t.throwsAsync(encrypt(symmetric, 'x'), { code: 'KMS', message: /GetPublicKey/ })
  t.throws(
    () =>
      new AwsKmsEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P256,
        kmsClient: {} as never,
        keyAgreementScheme: { KmsPublicKeyDiscovery: { recipientKmsIdentifier: p256 } },
      }),
    { code: 'INVALID_ARGUMENT' },
  )
  t.throws(
    () =>
      new AwsKmsEcdhKeyringNode({
        curveSpec: EcdhCurveSpec.ECC_NIST_P384,
        kmsClient: client,
        keyAgreementScheme: {
          KmsPrivateKeyToStaticPublicKey: { senderKmsIdentifier: p384, recipientPublicKey: recipientDer },
        },
      }),
    { code: 'INVALID_ARGUMENT' },
    'a P-256 recipient for a P-384 keyring',
  )
})
