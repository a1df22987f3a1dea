// The README's AWS KMS ECDH example: a KMS key agreement key sends to a raw public key, and a KMS recipient discovers messages sent to its key.
import { generateKeyPairSync } from 'node:crypto'
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms'
import { AwsKmsEcdhKeyringNode, EcdhCurveSpec, RawEcdhKeyringNode, buildClient } from '../lib/index'
import { startLocalKms } from '../lib/testing/index'

async function main(): Promise<void> {
  const kms = await startLocalKms()
  const kmsClient = new KMSClient(kms.clientConfig('us-west-2'))
  try {
    const { encrypt, decrypt } = buildClient()
    const kmsKey = kms.keys.createKey({ region: 'us-west-2', keySpec: 'ECC_NIST_P256' }).arn
    const partner = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })

    // The KMS key's private half never leaves KMS: DeriveSharedSecret does the agreement.
    const sender = new AwsKmsEcdhKeyringNode({
      curveSpec: EcdhCurveSpec.ECC_NIST_P256,
      kmsClient,
      keyAgreementScheme: {
        KmsPrivateKeyToStaticPublicKey: {
          senderKmsIdentifier: kmsKey,
          recipientPublicKey: partner.publicKey.export({ type: 'spki', format: 'der' }),
        },
      },
    })
    const { result } = await encrypt(sender, 'from a KMS key')
    const partnerKeyring = new RawEcdhKeyringNode({
      curveSpec: EcdhCurveSpec.ECC_NIST_P256,
      keyAgreementScheme: { PublicKeyDiscovery: { recipientStaticPrivateKey: partner.privateKey } },
    })
    console.log(`kms -> raw: ${(await decrypt(partnerKeyring, result)).plaintext.toString()}`)

    // Anyone with the KMS key's public key can write to it; the KMS key's owner reads by discovery.
    const kmsPublicKey =
      (await kmsClient.send(new GetPublicKeyCommand({ KeyId: kmsKey }))).PublicKey ?? new Uint8Array()
    const toKms = new RawEcdhKeyringNode({
      curveSpec: EcdhCurveSpec.ECC_NIST_P256,
      keyAgreementScheme: { EphemeralPrivateKeyToStaticPublicKey: { recipientPublicKey: kmsPublicKey } },
    })
    const { result: inbound } = await encrypt(toKms, 'to a KMS key')
    const discovery = new AwsKmsEcdhKeyringNode({
      curveSpec: EcdhCurveSpec.ECC_NIST_P256,
      kmsClient,
      keyAgreementScheme: { KmsPublicKeyDiscovery: { recipientKmsIdentifier: kmsKey } },
    })
    console.log(`raw -> kms discovery: ${(await decrypt(discovery, inbound)).plaintext.toString()}`)
  } finally {
    kmsClient.destroy()
    await kms.close()
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
