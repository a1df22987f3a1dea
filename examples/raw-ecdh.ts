// The README's raw ECDH examples: a sender encrypts to a recipient's public key (ephemeral), the recipient decrypts by discovery, and a static key pair.
import { generateKeyPairSync } from 'node:crypto'
import { EcdhCurveSpec, RawEcdhKeyringNode, buildClient } from '../lib/index'

async function main(): Promise<void> {
  const { encrypt, decrypt } = buildClient()
  // The recipient's key pair: the private key stays with the recipient (PEM PKCS#8), the public key travels (DER SPKI).
  const recipient = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const recipientPublicKey = recipient.publicKey.export({ type: 'spki', format: 'der' })
  const recipientPrivatePem = recipient.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string

  // Anyone with the public key can encrypt to it: a fresh key pair per message.
  const toRecipient = new RawEcdhKeyringNode({
    curveSpec: EcdhCurveSpec.ECC_NIST_P256,
    keyAgreementScheme: { EphemeralPrivateKeyToStaticPublicKey: { recipientPublicKey } },
  })
  const { result } = await encrypt(toRecipient, 'for the recipient only', {
    encryptionContext: { purpose: 'ecdh example' },
  })

  // Only the private key opens it.
  const recipientKeyring = new RawEcdhKeyringNode({
    curveSpec: EcdhCurveSpec.ECC_NIST_P256,
    keyAgreementScheme: { PublicKeyDiscovery: { recipientStaticPrivateKey: recipientPrivatePem } },
  })
  console.log(`ephemeral -> discovery: ${(await decrypt(recipientKeyring, result)).plaintext.toString()}`)

  // Two parties with static keys: each side's keyring both encrypts and decrypts their messages.
  const alice = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
  const bob = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
  const aliceToBob = new RawEcdhKeyringNode({
    curveSpec: EcdhCurveSpec.ECC_NIST_P384,
    keyAgreementScheme: {
      RawPrivateKeyToStaticPublicKey: {
        senderStaticPrivateKey: alice.privateKey,
        recipientPublicKey: bob.publicKey.export({ type: 'spki', format: 'der' }),
      },
    },
  })
  const bobToAlice = new RawEcdhKeyringNode({
    curveSpec: EcdhCurveSpec.ECC_NIST_P384,
    keyAgreementScheme: {
      RawPrivateKeyToStaticPublicKey: {
        senderStaticPrivateKey: bob.privateKey,
        recipientPublicKey: alice.publicKey.export({ type: 'spki', format: 'der' }),
      },
    },
  })
  const { result: note } = await encrypt(aliceToBob, 'hello bob')
  console.log(
    `static pair: ${(await decrypt(bobToAlice, note)).plaintext.toString()} / sender rereads: ${(await decrypt(aliceToBob, note)).plaintext.toString()}`,
  )
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
