// Keyrings from the checked -w configurations: AWS KMS (strict or discovery, through the real SDK client, endpoint overridable) and raw AES / RSA keys read from files.
import { constants, createPrivateKey, createPublicKey, KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { EncryptedDataKey } from '../format/header'
import { KeyringNode } from '../materials/keyring'
import { MultiKeyringNode } from '../materials/multi-keyring'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../materials/raw-aes-keyring'
import { OaepHash, RawRsaKeyringNode } from '../materials/raw-rsa-keyring'
import { KmsKeyringNode } from '../materials/kms/kms-keyring'
import { getClient } from '../materials/kms/client-supplier'
import { KMS } from '../materials/kms/aws-sdk'
import { wipe } from '../core/wipe'
import { OperationError, UsageError } from './errors'
import { KeyWitness, KeyWitnessLog } from './key-witness'
import { KmsKeyConfig, RawKeyConfig, WrappingKeyConfig } from './wrapping-key-config'

const AES_SUITES: Readonly<Record<number, RawAesWrappingSuiteIdentifier>> = {
  16: RawAesWrappingSuiteIdentifier.AES128_GCM_IV12_TAG16_NO_PADDING,
  24: RawAesWrappingSuiteIdentifier.AES192_GCM_IV12_TAG16_NO_PADDING,
  32: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
}

export interface KeyringSettings {
  readonly kmsEndpoint: string | undefined
  readonly log: KeyWitnessLog
  readonly decrypting: boolean
}

/** One keyring for the run: the first configuration's first key generates, every other key wraps too (a multi-keyring). */
export function buildKeyring(configs: readonly WrappingKeyConfig[], settings: KeyringSettings): KeyringNode {
  const keyrings = configs.map((c) => {
    const keyring = c.provider === 'aws-kms' ? kmsKeyring(c, settings) : rawKeyring(c, settings.decrypting)
    const label = c.provider === 'aws-kms' ? (edk: EncryptedDataKey) => edk.providerInfo : () => c.name
    return new KeyWitness(keyring, label, settings.log)
  })
  const [generator, ...children] = keyrings
  if (generator === undefined) throw new UsageError('-w/--wrapping-keys is required')
  return children.length === 0 ? generator : new MultiKeyringNode({ generator, children })
}

function kmsKeyring(c: KmsKeyConfig, settings: KeyringSettings): KeyringNode {
  const endpoint = c.endpoint ?? settings.kmsEndpoint
  const clientProvider = getClient(KMS, {
    customUserAgent: 'esdk-native-cli',
    ...(c.region === undefined ? {} : { region: c.region }),
    ...(c.profile === undefined ? {} : { profile: c.profile }),
    ...(endpoint === undefined ? {} : { endpoint }),
  })
  if (c.discovery) {
    const filter =
      c.discoveryPartition === undefined
        ? {}
        : { discoveryFilter: { partition: c.discoveryPartition, accountIDs: [...c.discoveryAccounts] } }
    return new KmsKeyringNode({ discovery: true, clientProvider, ...filter })
  }
  const [generatorKeyId, ...keyIds] = c.keys
  return new KmsKeyringNode({ generatorKeyId, keyIds, clientProvider })
}

function readKeyFile(path: string, provider: string): Buffer {
  try {
    return readFileSync(path)
  } catch (e) {
    throw new OperationError(
      `${provider}: cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    )
  }
}

function rawKeyring(c: RawKeyConfig, decrypting: boolean): KeyringNode {
  const bytes = readKeyFile(c.keyFile, c.provider)
  try {
    if (c.provider === 'raw-aes') {
      const suite = AES_SUITES[bytes.length]
      if (suite === undefined)
        throw new OperationError(
          `raw-aes: key file ${c.keyFile} must hold 16, 24 or 32 raw bytes (it holds ${bytes.length})`,
        )
      return new RawAesKeyringNode({
        keyName: c.name,
        keyNamespace: c.namespace,
        unencryptedMasterKey: bytes,
        wrappingSuite: suite,
      })
    }
    const pkcs1 = c.padding === 'pkcs1'
    const rsaKey = rsaKeyOf(bytes, c.keyFile)
    if (decrypting && rsaKey.privateKey === undefined)
      throw new OperationError(`raw-rsa: decrypting needs a private key; ${c.keyFile} holds a public key`)
    return new RawRsaKeyringNode({
      keyName: c.name,
      keyNamespace: c.namespace,
      rsaKey,
      padding: pkcs1 ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_OAEP_PADDING,
      ...(pkcs1 ? { allowPkcs1Decrypt: true } : { oaepHash: c.padding.slice('oaep-'.length) as OaepHash }),
    })
  } finally {
    // The keyrings keep their own copies (raw-aes-keyring.ts) or KeyObjects.
    wipe(bytes)
  }
}

function rsaKeyOf(pem: Buffer, file: string): { publicKey?: KeyObject; privateKey?: KeyObject } {
  try {
    const privateKey = createPrivateKey(pem)
    return { privateKey, publicKey: createPublicKey(privateKey) }
  } catch {
    try {
      return { publicKey: createPublicKey(pem) }
    } catch {
      throw new OperationError(`raw-rsa: ${file} is not a PEM RSA key`)
    }
  }
}
