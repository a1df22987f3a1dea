// BranchKeyStoreNode: branch keys created, versioned and read from their storage, wrapped and unwrapped by AWS KMS (framework/branch-key-store.md).
import { randomUUID } from 'node:crypto'
import { KeyringError, needs } from '../../core/errors'
import { wipe } from '../../core/wipe'
import { AwsEsdkKMSInterface, isKmsClient } from '../kms/kms-client'
import { decryptDataKey, generateDataKeyWithoutPlaintext, reEncrypt } from '../kms/kms-operations'
import { loadKmsSdk } from '../kms/kms-sdk'
import { NodeBranchKeyMaterial } from './branch-key-material'
import {
  BEACON_KEY_TYPE_VALUE,
  BRANCH_KEY_ACTIVE_TYPE,
  BRANCH_KEY_ACTIVE_VERSION_FIELD,
  BRANCH_KEY_IDENTIFIER_FIELD,
  BRANCH_KEY_TYPE_PREFIX,
  CUSTOM_ENCRYPTION_CONTEXT_FIELD_PREFIX,
  EncryptedHierarchicalKey,
  HIERARCHY_VERSION_FIELD,
  IBranchKeyStorage,
  KEY_CREATE_TIME_FIELD,
  KMS_FIELD,
  TABLE_FIELD,
  TYPE_FIELD,
  WritableBranchKeyStorage,
  customEncryptionContext,
  isWritableStorage,
  recordOf,
} from './branch-key-record'
import { DynamoDbSendClient, isDynamoDbSendClient, newDynamoDbClient } from './dynamodb-sdk'
import { DynamoDBKeyStorage } from './dynamodb-storage'
import { KmsConfig, KmsKeyConfig } from './kms-config'

/** The user agent the spec asks a constructed KMS client to carry (branch-key-store.md "Initialization"). */
const KMS_CLIENT_USER_AGENT = 'aws-kms-hierarchy'
const BRANCH_KEY_LENGTH = 32

export interface DynamoDBTable {
  ddbTableName: string
  /** A `DynamoDBClient` (or anything with `send`); one is made for the configuration's region when omitted. */
  ddbClient?: DynamoDbSendClient
}
export type Storage = DynamoDBTable | IBranchKeyStorage

export interface KeyManagement {
  grantTokens?: string[]
  /** Any client the KMS keyrings accept (`KMS`, `KMSClient`, SDK v2); a `KMSClient` is made for the configuration's region when omitted. */
  kmsClient?: AwsEsdkKMSInterface
}

export interface BranchKeyStoreNodeInput {
  logicalKeyStoreName: string
  storage: Storage
  keyManagement?: KeyManagement
  kmsConfiguration: KmsConfig
  keyStoreId?: string
}

export interface KeyStoreInfoOutput {
  keystoreId: string
  keystoreTableName: string
  logicalKeyStoreName: string
  grantTokens: string[]
  kmsConfiguration: KmsConfig
}

export interface CreateKeyInput {
  branchKeyIdentifier?: string
  encryptionContext?: Record<string, string>
}

export interface CreateKeyOutput {
  branchKeyIdentifier: string
}

export interface VersionKeyInput {
  branchKeyIdentifier: string
}

function isCustomStorage(storage: Storage): storage is IBranchKeyStorage {
  return (
    typeof (storage as IBranchKeyStorage).getEncryptedActiveBranchKey === 'function' &&
    typeof (storage as IBranchKeyStorage).getEncryptedBranchKeyVersion === 'function'
  )
}

/** The official timestamp form: ISO 8601 with microseconds. */
function timestamp(): string {
  return new Date().toISOString().replace('Z', '000Z')
}

export class BranchKeyStoreNode {
  readonly logicalKeyStoreName: string
  readonly kmsConfiguration: KmsKeyConfig
  readonly keyStoreId: string
  readonly grantTokens: readonly string[] | undefined
  readonly storage: IBranchKeyStorage
  private readonly kmsClientSource: AwsEsdkKMSInterface | undefined
  private constructedKmsClient: AwsEsdkKMSInterface | undefined

  constructor({ logicalKeyStoreName, storage, keyManagement, kmsConfiguration, keyStoreId }: BranchKeyStoreNodeInput) {
    needs(typeof logicalKeyStoreName === 'string', 'Logical keystore name must be a string')
    needs(logicalKeyStoreName, 'Logical Keystore name required')
    this.kmsConfiguration = new KmsKeyConfig(kmsConfiguration)
    needs(
      typeof storage === 'object' && storage !== null,
      'storage must be { ddbTableName, ddbClient? } or a key storage',
    )
    if (isCustomStorage(storage)) {
      this.storage = storage
    } else {
      needs(
        storage.ddbClient === undefined || isDynamoDbSendClient(storage.ddbClient),
        'DDB client must be a DynamoDBClient',
      )
      const region = this.kmsConfiguration.getRegion()
      // Built on first use: a store that is never used loads no DynamoDB SDK.
      this.storage = new DynamoDBKeyStorage({
        ddbTableName: storage.ddbTableName,
        logicalKeyStoreName,
        ddbClient: storage.ddbClient ?? (() => newDynamoDbClient(region)),
      })
    }
    needs(
      logicalKeyStoreName === this.storage.getKeyStorageInfo().logicalName,
      'Configured logicalKeyStoreName does not match configured storage interface.',
    )
    needs(keyStoreId === undefined || typeof keyStoreId === 'string', 'Keystore id must be a string')
    if (keyManagement?.kmsClient !== undefined)
      needs(isKmsClient(keyManagement.kmsClient), 'KMS client must be a KMSClient')
    if (keyManagement?.grantTokens !== undefined) {
      needs(
        Array.isArray(keyManagement.grantTokens) && keyManagement.grantTokens.every((g) => typeof g === 'string'),
        'Grant tokens must be a string array',
      )
    }
    // branch-key-store.md "Keystore Id": a v4 UUID when none is given.
    this.keyStoreId = keyStoreId || randomUUID()
    this.grantTokens = keyManagement?.grantTokens ? Object.freeze([...keyManagement.grantTokens]) : undefined
    this.kmsClientSource = keyManagement?.kmsClient
    this.logicalKeyStoreName = logicalKeyStoreName
  }

  /** The KMS client in use: the given one, or a `KMSClient` for the configuration's region made on first use. */
  get kmsClient(): AwsEsdkKMSInterface {
    if (this.kmsClientSource) return this.kmsClientSource
    if (!this.constructedKmsClient) {
      const region = this.kmsConfiguration.getRegion()
      const { KMSClient } = loadKmsSdk()
      this.constructedKmsClient = new KMSClient({
        ...(region === undefined ? {} : { region }),
        customUserAgent: KMS_CLIENT_USER_AGENT,
      })
    }
    return this.constructedKmsClient
  }

  /** branch-key-store.md "GetActiveBranchKey". */
  async getActiveBranchKey(branchKeyId: string): Promise<NodeBranchKeyMaterial> {
    needs(branchKeyId && typeof branchKeyId === 'string', 'MUST supply a string branch key id')
    const encrypted = await this.storage.getEncryptedActiveBranchKey(branchKeyId)
    // The storage may be the caller's: verify what it returned.
    needs(encrypted.branchKeyId === branchKeyId, 'Unexpected branch key id.')
    needs(encrypted.type.kind === 'active', 'Unexpected type. Not an active record.')
    this.checkTable(encrypted)
    return this.unwrap(encrypted)
  }

  /** branch-key-store.md "GetBranchKeyVersion". */
  async getBranchKeyVersion(branchKeyId: string, branchKeyVersion: string): Promise<NodeBranchKeyMaterial> {
    needs(branchKeyId && typeof branchKeyId === 'string', 'MUST supply a string branch key id')
    needs(branchKeyVersion && typeof branchKeyVersion === 'string', 'MUST supply a string branch key version')
    const encrypted = await this.storage.getEncryptedBranchKeyVersion(branchKeyId, branchKeyVersion)
    needs(encrypted.branchKeyId === branchKeyId, 'Unexpected branch key id.')
    needs(
      encrypted.type.kind === 'version' && encrypted.type.version === branchKeyVersion,
      'Unexpected branch key version.',
    )
    this.checkTable(encrypted)
    return this.unwrap(encrypted)
  }

  /**
   * branch-key-store.md "CreateKey": a version record and the ACTIVE record of one fresh branch key
   * (GenerateDataKeyWithoutPlaintext, then ReEncrypt to the ACTIVE context), and a beacon key,
   * written in one conditional transaction.
   */
  async createKey(input?: CreateKeyInput): Promise<CreateKeyOutput> {
    const kmsArn = this.kmsConfiguration.keyArn
    needs(kmsArn, 'CreateKey is not supported with Discovery or MRDiscovery KMS Configuration')
    if (input?.branchKeyIdentifier) {
      needs(
        input.encryptionContext && Object.keys(input.encryptionContext).length > 0,
        'If branch key identifier is provided, encryption context must also be provided',
      )
    }
    const storage = this.writableStorage()
    const branchKeyIdentifier = input?.branchKeyIdentifier || randomUUID()
    const decryptOnly: Record<string, string> = {
      [BRANCH_KEY_IDENTIFIER_FIELD]: branchKeyIdentifier,
      [TYPE_FIELD]: `${BRANCH_KEY_TYPE_PREFIX}${randomUUID()}`,
      [KEY_CREATE_TIME_FIELD]: timestamp(),
      [TABLE_FIELD]: this.logicalKeyStoreName,
      [KMS_FIELD]: kmsArn,
      [HIERARCHY_VERSION_FIELD]: '1',
    }
    for (const [key, value] of Object.entries(input?.encryptionContext ?? {}))
      decryptOnly[`${CUSTOM_ENCRYPTION_CONTEXT_FIELD_PREFIX}${key}`] = value
    const active = activeContextOf(decryptOnly)
    const beacon = { ...decryptOnly, [TYPE_FIELD]: BEACON_KEY_TYPE_VALUE }
    const options = { grantTokens: this.grantTokens }
    const version = await generateDataKeyWithoutPlaintext(this.kmsClient, kmsArn, BRANCH_KEY_LENGTH, {
      ...options,
      encryptionContext: decryptOnly,
    })
    const activeBlob = await reEncrypt(
      this.kmsClient,
      kmsArn,
      version.ciphertextBlob,
      decryptOnly,
      active,
      this.grantTokens,
    )
    const beaconKey = await generateDataKeyWithoutPlaintext(this.kmsClient, kmsArn, BRANCH_KEY_LENGTH, {
      ...options,
      encryptionContext: beacon,
    })
    await storage.writeNewKey(
      recordOf(decryptOnly, version.ciphertextBlob),
      recordOf(active, activeBlob),
      recordOf(beacon, beaconKey.ciphertextBlob),
    )
    return { branchKeyIdentifier }
  }

  /**
   * branch-key-store.md "VersionKey": the ACTIVE key is first proven usable (ReEncrypt to itself),
   * then a new version is made and becomes ACTIVE, unless the ACTIVE record changed meanwhile.
   */
  async versionKey(input: VersionKeyInput): Promise<void> {
    needs(input?.branchKeyIdentifier, 'MUST supply a branch-key-id')
    const kmsArn = this.kmsConfiguration.keyArn
    needs(kmsArn, 'VersionKey is not supported with Discovery or MRDiscovery KMS Configuration')
    const storage = this.writableStorage()
    const current = await storage.getEncryptedActiveBranchKey(input.branchKeyIdentifier)
    needs(current.branchKeyId === input.branchKeyIdentifier, 'Unexpected branch key id')
    this.checkTable(current)
    needs(
      this.kmsConfiguration.isCompatibleWithArn(current.kmsArn),
      'the ACTIVE branch key is not under the configured KMS key',
    )
    const oldActive = current.encryptionContext
    await reEncrypt(this.kmsClient, kmsArn, current.ciphertextBlob, oldActive, oldActive, this.grantTokens)
    const decryptOnly: Record<string, string> = {
      ...oldActive,
      [TYPE_FIELD]: `${BRANCH_KEY_TYPE_PREFIX}${randomUUID()}`,
      [KEY_CREATE_TIME_FIELD]: timestamp(),
    }
    delete decryptOnly[BRANCH_KEY_ACTIVE_VERSION_FIELD]
    const active = activeContextOf(decryptOnly)
    const version = await generateDataKeyWithoutPlaintext(this.kmsClient, kmsArn, BRANCH_KEY_LENGTH, {
      grantTokens: this.grantTokens,
      encryptionContext: decryptOnly,
    })
    const activeBlob = await reEncrypt(
      this.kmsClient,
      kmsArn,
      version.ciphertextBlob,
      decryptOnly,
      active,
      this.grantTokens,
    )
    await storage.writeNewVersion(
      recordOf(decryptOnly, version.ciphertextBlob),
      recordOf(active, activeBlob),
      current.ciphertextBlob,
    )
  }

  getKeyStoreInfo(): KeyStoreInfoOutput {
    return {
      keystoreId: this.keyStoreId,
      keystoreTableName: this.storage.getKeyStorageInfo().name,
      logicalKeyStoreName: this.logicalKeyStoreName,
      grantTokens: this.grantTokens ? [...this.grantTokens] : [],
      kmsConfiguration: this.kmsConfiguration._config,
    }
  }

  /**
   * Extension (branch-key-store.md "CreateKeyStore", which the official JS SDK lacks): creates the
   * DynamoDB table with the store's key schema, or checks an existing one. Returns its ARN.
   */
  async createKeyStore(): Promise<{ tableArn: string }> {
    needs(this.storage instanceof DynamoDBKeyStorage, 'CreateKeyStore needs the default DynamoDB storage')
    return { tableArn: await this.storage.createTable() }
  }

  private writableStorage(): WritableBranchKeyStorage {
    const storage = this.storage
    if (!isWritableStorage(storage))
      throw new KeyringError('this key storage cannot write branch keys (it has no writeNewKey/writeNewVersion)')
    return storage
  }

  private checkTable(encrypted: EncryptedHierarchicalKey): void {
    needs(
      encrypted.encryptionContext[TABLE_FIELD] === this.logicalKeyStoreName,
      `Unexpected logical table name. Expected ${this.logicalKeyStoreName}, found ${encrypted.encryptionContext[TABLE_FIELD]}.`,
    )
  }

  /** branch-key-store.md "AWS KMS Branch Key Decryption", then "Branch Key Materials From Authenticated Encryption Context". */
  private async unwrap(encrypted: EncryptedHierarchicalKey): Promise<NodeBranchKeyMaterial> {
    const keyId = this.kmsConfiguration.getCompatibleArnArn(encrypted.kmsArn)
    const branchKey = await decryptDataKey(this.kmsClient, keyId, encrypted.ciphertextBlob, BRANCH_KEY_LENGTH, {
      encryptionContext: encrypted.encryptionContext,
      grantTokens: this.grantTokens,
    })
    try {
      const version = encrypted.type.kind === 'beacon' ? '' : encrypted.type.version
      return new NodeBranchKeyMaterial(
        branchKey,
        encrypted.branchKeyId,
        version,
        customEncryptionContext(encrypted.encryptionContext),
      )
    } finally {
      wipe(branchKey)
    }
  }
}

/** The ACTIVE record's context: the version moves to `version`, the type becomes branch:ACTIVE. */
function activeContextOf(decryptOnly: Readonly<Record<string, string>>): Record<string, string> {
  return {
    ...decryptOnly,
    [BRANCH_KEY_ACTIVE_VERSION_FIELD]: decryptOnly[TYPE_FIELD] as string,
    [TYPE_FIELD]: BRANCH_KEY_ACTIVE_TYPE,
  }
}

/** The official type guard (structural here: any object with the store's operations). */
export function isIBranchKeyStoreNode(keyStore: unknown): keyStore is BranchKeyStoreNode {
  if (keyStore instanceof BranchKeyStoreNode) return true
  const k = keyStore as Partial<Record<keyof BranchKeyStoreNode, unknown>> | null
  return (
    typeof k === 'object' &&
    k !== null &&
    typeof k.getActiveBranchKey === 'function' &&
    typeof k.getBranchKeyVersion === 'function' &&
    typeof k.getKeyStoreInfo === 'function'
  )
}
