// getEncryptHelper and getDecryptionHelper (official names): node:crypto ciphers, signer and verifier over a material's derived keys, with one dispose that wipes them.
import {
  Cipher,
  Decipher,
  Sign,
  Verify,
  createCipheriv,
  createDecipheriv,
  createSign,
  createVerify,
  timingSafeEqual,
} from 'node:crypto'
import { AuthenticationError, BadStateError } from '../core/errors'
import { wipe } from '../core/wipe'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../materials/materials'
import { jsDeriveKeys } from './js-backend'

const TAG_LENGTH = 16

export interface NodeEncryptionMaterialHelper {
  /** The message's key derivation (suite KDF, and the commitment for committing suites) and a cipher factory per IV. */
  getCipherInfo(messageId: Uint8Array): {
    getCipher(iv: Uint8Array): Cipher & { getAuthTag(): Buffer }
    keyCommitment?: Buffer
  }
  getSigner?: () => Sign & { awsCryptoSign(): Buffer }
  /** Wipes every derived key and the material's data key. */
  dispose(): void
}

export interface NodeDecryptionMaterialHelper {
  /** Derives the message's key; for committing suites `commitKey` (the header's suite data) must match, in constant time. */
  getDecipherInfo(
    messageId: Uint8Array,
    commitKey?: Uint8Array,
  ): (iv: Uint8Array) => Decipher & { setAuthTag(tag: Uint8Array): Decipher }
  getVerify?: () => Verify & { awsCryptoVerify(signature: Buffer): boolean }
  dispose(): void
}

export function getEncryptHelper(material: NodeEncryptionMaterial): NodeEncryptionMaterialHelper {
  const { suite } = material
  const derived: Buffer[] = []
  const helper: NodeEncryptionMaterialHelper = {
    getCipherInfo(messageId) {
      const { encryptionKey, commitment } = jsDeriveKeys(
        suite,
        material.getUnencryptedDataKey(),
        Buffer.from(messageId),
      )
      derived.push(encryptionKey)
      return {
        getCipher: (iv) => createCipheriv(suite.encryption, encryptionKey, iv, { authTagLength: TAG_LENGTH }),
        ...(commitment ? { keyCommitment: commitment } : {}),
      }
    },
    dispose() {
      for (const key of derived) wipe(key)
      derived.length = 0
      material.zeroUnencryptedDataKey()
    },
  }
  const spec = suite.signature
  if (spec) {
    helper.getSigner = () => {
      const key = material.signatureKey
      if (!key) throw new BadStateError('the material has no signature key')
      const signer = createSign(spec.hash)
      return Object.assign(signer, { awsCryptoSign: () => signer.sign({ key: key.privateKey, dsaEncoding: 'der' }) })
    }
  }
  return Object.freeze(helper)
}

export function getDecryptionHelper(material: NodeDecryptionMaterial): NodeDecryptionMaterialHelper {
  const { suite } = material
  const derived: Buffer[] = []
  const helper: NodeDecryptionMaterialHelper = {
    getDecipherInfo(messageId, commitKey) {
      const { encryptionKey, commitment } = jsDeriveKeys(
        suite,
        material.getUnencryptedDataKey(),
        Buffer.from(messageId),
      )
      derived.push(encryptionKey)
      // client-apis/decrypt.md: the commitment is checked, in constant time, before the key is used.
      if (
        commitment &&
        !(commitKey && commitKey.length === commitment.length && timingSafeEqual(commitment, commitKey))
      ) {
        wipe(encryptionKey)
        throw new AuthenticationError()
      }
      return (iv) => createDecipheriv(suite.encryption, encryptionKey, iv, { authTagLength: TAG_LENGTH })
    },
    dispose() {
      for (const key of derived) wipe(key)
      derived.length = 0
      material.zeroUnencryptedDataKey()
    },
  }
  const spec = suite.signature
  if (spec) {
    helper.getVerify = () => {
      const key = material.verificationKey
      if (!key) throw new BadStateError('the material has no verification key')
      const verifier = createVerify(spec.hash)
      return Object.assign(verifier, {
        awsCryptoVerify: (signature: Buffer) => verifier.verify({ key, dsaEncoding: 'der' }, signature),
      })
    }
  }
  return Object.freeze(helper)
}
