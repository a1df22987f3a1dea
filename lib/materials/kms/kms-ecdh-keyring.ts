// AwsKmsEcdhKeyringNode: the raw ECDH keyring's layout with the agreement done by AWS KMS DeriveSharedSecret (framework/aws-kms/aws-kms-ecdh-keyring.md).
import { KeyringError, KmsError, needs } from '../../core/errors'
import { randomPublicBytes } from '../../core/random'
import { wipe } from '../../core/wipe'
import { serializedContextEntries } from '../../format/encryption-context'
import { EncryptedDataKey } from '../../format/header'
import { EcCurve, FIELD_BYTES, compressPoint, decompressPoint, spkiOfPoint } from '../ec-points'
import { KeyringNode } from '../keyring'
import type { KeyringCrypto } from '../keyring-crypto'
import { NodeDecryptionMaterial, NodeEncryptionMaterial, ensureDataKey } from '../materials'
import {
  EcdhCurveSpec,
  EcdhPublicKeyInput,
  EcdhWireFormat,
  KMS_ECDH_PROVIDER_ID,
  RAW_ECDH_PROVIDER_ID,
  ecdhCurveOf,
  ecdhPublicPoint,
} from '../raw-ecdh-keyring'
import { AwsEsdkKMSInterface, isKmsClient } from './kms-client'
import { deriveSharedSecret, getPublicKey } from './kms-operations'

/** key-agreement-schemas.md "AWS KMS ECDH Key Agreement Schemas", one property naming the one in use, as the MPL's union. */
export type KmsEcdhKeyAgreementScheme =
  | {
      readonly KmsPrivateKeyToStaticPublicKey: {
        readonly senderKmsIdentifier: string
        /** DER SubjectPublicKeyInfo of the sender's KMS key; fetched with GetPublicKey (and checked) when omitted. */
        readonly senderPublicKey?: EcdhPublicKeyInput
        readonly recipientPublicKey: EcdhPublicKeyInput
      }
    }
  | {
      readonly KmsPublicKeyDiscovery: {
        readonly recipientKmsIdentifier: string
        readonly recipientPublicKey?: EcdhPublicKeyInput
      }
    }

export interface AwsKmsEcdhKeyringNodeInput {
  readonly keyAgreementScheme: KmsEcdhKeyAgreementScheme
  readonly curveSpec: EcdhCurveSpec | `${EcdhCurveSpec}`
  readonly kmsClient: AwsEsdkKMSInterface
  readonly grantTokens?: readonly string[]
}

const SALT_LENGTH = 32

/** The KMS key's public point, fetched once: its usage must be KEY_AGREEMENT and its spec the configured curve (key-agreement-schemas.md). */
class KmsPublicPoint {
  private pending: Promise<Buffer> | undefined
  constructor(
    private readonly client: AwsEsdkKMSInterface,
    private readonly keyId: string,
    private readonly curveSpec: EcdhCurveSpec,
    private readonly curve: EcCurve,
    private readonly grantTokens: readonly string[] | undefined,
    known: Buffer | undefined,
  ) {
    if (known) this.pending = Promise.resolve(known)
  }

  get(): Promise<Buffer> {
    this.pending ??= this.fetch()
    // A failed fetch is not kept: the next message asks again.
    this.pending.catch(() => (this.pending = undefined))
    return this.pending
  }

  private async fetch(): Promise<Buffer> {
    const answer = await getPublicKey(this.client, this.keyId, this.grantTokens)
    if (answer.keyUsage !== 'KEY_AGREEMENT')
      throw new KmsError('GetPublicKey', this.keyId, `the key usage is ${answer.keyUsage}, not KEY_AGREEMENT`)
    if (answer.keySpec !== this.curveSpec)
      throw new KmsError('GetPublicKey', this.keyId, `the key spec is ${answer.keySpec}, not ${this.curveSpec}`)
    return ecdhPublicPoint(this.curve, answer.publicKey, `the public key of ${this.keyId}`)
  }
}

export class AwsKmsEcdhKeyringNode extends KeyringNode {
  readonly curveSpec: EcdhCurveSpec
  readonly keyAgreementScheme: 'KmsPrivateKeyToStaticPublicKey' | 'KmsPublicKeyDiscovery'
  readonly kmsKeyId: string
  readonly grantTokens: readonly string[] | undefined
  private readonly client: AwsEsdkKMSInterface
  private readonly wire: EcdhWireFormat
  /** The KMS key's own point (the sender's, or the discovery recipient's). */
  private readonly kmsPoint: KmsPublicPoint
  /** KmsPrivateKeyToStaticPublicKey: the other party's point. */
  private readonly recipientPoint: Buffer | undefined

  constructor({ keyAgreementScheme, curveSpec, kmsClient, grantTokens }: AwsKmsEcdhKeyringNodeInput) {
    super()
    const { curve, name } = ecdhCurveOf(curveSpec)
    needs(isKmsClient(kmsClient), 'kmsClient must be an AWS KMS client')
    needs(
      grantTokens === undefined || (Array.isArray(grantTokens) && grantTokens.every((g) => typeof g === 'string')),
      'grantTokens must be strings',
    )
    needs(
      typeof keyAgreementScheme === 'object' &&
        keyAgreementScheme !== null &&
        Object.keys(keyAgreementScheme).length === 1,
      'keyAgreementScheme must name exactly one of KmsPrivateKeyToStaticPublicKey, KmsPublicKeyDiscovery',
    )
    this.curveSpec = curveSpec as EcdhCurveSpec
    this.client = kmsClient
    this.grantTokens = grantTokens ? Object.freeze([...grantTokens]) : undefined
    this.wire = new EcdhWireFormat(curve, name)
    if ('KmsPrivateKeyToStaticPublicKey' in keyAgreementScheme) {
      const { senderKmsIdentifier, senderPublicKey, recipientPublicKey } =
        keyAgreementScheme.KmsPrivateKeyToStaticPublicKey
      needs(typeof senderKmsIdentifier === 'string' && senderKmsIdentifier !== '', 'senderKmsIdentifier is required')
      this.keyAgreementScheme = 'KmsPrivateKeyToStaticPublicKey'
      this.kmsKeyId = senderKmsIdentifier
      this.recipientPoint = ecdhPublicPoint(curve, recipientPublicKey, 'recipientPublicKey')
      const known =
        senderPublicKey === undefined ? undefined : ecdhPublicPoint(curve, senderPublicKey, 'senderPublicKey')
      this.kmsPoint = new KmsPublicPoint(kmsClient, senderKmsIdentifier, this.curveSpec, curve, this.grantTokens, known)
    } else if ('KmsPublicKeyDiscovery' in keyAgreementScheme) {
      const { recipientKmsIdentifier, recipientPublicKey } = keyAgreementScheme.KmsPublicKeyDiscovery
      needs(
        typeof recipientKmsIdentifier === 'string' && recipientKmsIdentifier !== '',
        'recipientKmsIdentifier is required',
      )
      this.keyAgreementScheme = 'KmsPublicKeyDiscovery'
      this.kmsKeyId = recipientKmsIdentifier
      this.recipientPoint = undefined
      const known =
        recipientPublicKey === undefined ? undefined : ecdhPublicPoint(curve, recipientPublicKey, 'recipientPublicKey')
      this.kmsPoint = new KmsPublicPoint(
        kmsClient,
        recipientKmsIdentifier,
        this.curveSpec,
        curve,
        this.grantTokens,
        known,
      )
    } else {
      throw new KeyringError('keyAgreementScheme must be KmsPrivateKeyToStaticPublicKey or KmsPublicKeyDiscovery')
    }
    Object.freeze(this)
  }

  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    if (this.keyAgreementScheme === 'KmsPublicKeyDiscovery')
      throw new KeyringError('KmsPublicKeyDiscovery Key Agreement Scheme is forbidden on encrypt.')
    const recipientPoint = this.recipientPoint as Buffer
    const sender = compressPoint(await this.kmsPoint.get())
    const recipient = compressPoint(recipientPoint)
    const { fixedInfo } = this.wire.fixedInfo(sender, recipient, serializedContextEntries(material.encryptionContext))
    const salt = randomPublicBytes(SALT_LENGTH)
    const keyingMaterial = await this.derive(material.keyringCrypto, recipientPoint, salt, fixedInfo)
    try {
      ensureDataKey(material)
      const ciphertext = this.wire.wrap(
        material.keyringCrypto,
        keyingMaterial,
        salt,
        fixedInfo,
        material.getUnencryptedDataKey(),
      )
      const info = this.wire.providerInfo(sender, recipient)
      return material.addEncryptedDataKey(
        new EncryptedDataKey({
          providerId: KMS_ECDH_PROVIDER_ID,
          providerInfo: info.toString('utf8'),
          rawInfo: info,
          encryptedDataKey: ciphertext,
        }),
      )
    } finally {
      wipe(keyingMaterial)
    }
  }

  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    const own = await this.kmsPoint.get()
    const ownCompressed = compressPoint(own)
    const recipientCompressed = this.recipientPoint ? compressPoint(this.recipientPoint) : undefined
    const errors: unknown[] = []
    let context: Uint8Array | undefined
    for (const edk of edks) {
      if (edk.providerId !== KMS_ECDH_PROVIDER_ID && edk.providerId !== RAW_ECDH_PROVIDER_ID) continue
      const keys = this.wire.parseProviderInfo(edk.rawInfo)
      if (!keys) continue
      // aws-kms-ecdh-keyring.md "OnDecrypt": discovery matches the recipient; a static pair both keys, either way round.
      let peer: Buffer | undefined
      if (!recipientCompressed) {
        if (keys.recipient.equals(ownCompressed)) peer = keys.sender
      } else if (keys.sender.equals(ownCompressed) && keys.recipient.equals(recipientCompressed)) {
        peer = keys.recipient
      } else if (keys.recipient.equals(ownCompressed) && keys.sender.equals(recipientCompressed)) {
        peer = keys.sender
      }
      if (!peer) continue
      const parts = this.wire.parseCiphertext(edk.encryptedDataKey, material.suite.keyLengthBytes)
      const peerPoint = decompressPoint(this.wire.curve, peer)
      if (!parts || !peerPoint) {
        errors.push(new KeyringError('Received EDK Ciphertext of incorrect length, or a public key off the curve.'))
        continue
      }
      const { fixedInfo } = this.wire.fixedInfo(
        keys.sender,
        keys.recipient,
        (context ??= serializedContextEntries(material.encryptionContext)),
      )
      let keyingMaterial: Buffer
      try {
        keyingMaterial = await this.derive(material.keyringCrypto, peerPoint, parts.salt, fixedInfo)
      } catch (e) {
        errors.push(e)
        continue
      }
      try {
        const key = this.wire.unwrap(material.keyringCrypto, keyingMaterial, parts.commitment, parts.sealed, fixedInfo)
        if (!(key instanceof Error)) return material.adoptUnencryptedDataKey(key)
        errors.push(key)
      } finally {
        wipe(keyingMaterial)
      }
    }
    throw new KeyringError('AWS KMS ECDH keyring: no configured key was able to decrypt the data key.', errors)
  }

  /** DeriveSharedSecret with the KMS key and the peer's DER public key, then the counter-mode KDF through the port. */
  private async derive(
    crypto: KeyringCrypto,
    peerPoint: Uint8Array,
    salt: Uint8Array,
    fixedInfo: Uint8Array,
  ): Promise<Buffer> {
    const z = await deriveSharedSecret(
      this.client,
      this.kmsKeyId,
      spkiOfPoint(this.wire.curve, peerPoint),
      this.grantTokens,
    )
    try {
      if (z.length !== FIELD_BYTES[this.wire.curve])
        throw new KmsError(
          'DeriveSharedSecret',
          this.kmsKeyId,
          `the shared secret is ${z.length} bytes, not ${FIELD_BYTES[this.wire.curve]}`,
        )
      return crypto.kdfCounterMode({ hash: 'sha384', ikm: z, label: fixedInfo, context: salt, length: 64 })
    } finally {
      wipe(z)
    }
  }
}
