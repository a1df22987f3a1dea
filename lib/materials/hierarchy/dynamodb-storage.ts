// The default key storage: branch key records in one DynamoDB table (branch-key-store.md, key-store/default-key-storage.md), through the real AWS SDK client.
import { InvalidArgumentError, KeyringError, needs } from '../../core/errors'
import {
  BRANCH_KEY_ACTIVE_TYPE,
  BRANCH_KEY_FIELD,
  BRANCH_KEY_IDENTIFIER_FIELD,
  BRANCH_KEY_TYPE_PREFIX,
  BranchKeyRecord,
  EncryptedHierarchicalKey,
  HIERARCHY_VERSION_FIELD,
  PARTITION_KEY,
  RecordValue,
  SORT_KEY,
  WritableBranchKeyStorage,
  authenticatedEncryptionContext,
  validateBranchKeyRecord,
} from './branch-key-record'
import { DynamoDbSendClient, dynamoDbCommand } from './dynamodb-sdk'

type AttributeValue = { S: string } | { N: string } | { B: Uint8Array }

export interface DynamoDBKeyStorageInput {
  readonly ddbTableName: string
  readonly logicalKeyStoreName: string
  /** A client, or a function that makes one on first use (so a store built without one loads no SDK until it is used). */
  readonly ddbClient: DynamoDbSendClient | (() => DynamoDbSendClient)
}

function toAttribute(value: RecordValue): AttributeValue {
  if (typeof value === 'string') return { S: value }
  if (typeof value === 'number') return { N: String(value) }
  return { B: value }
}

/** Only the attribute types a branch key record uses; anything else makes the record invalid. */
function fromAttribute(name: string, value: unknown): RecordValue {
  const v = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  if (typeof v.S === 'string') return v.S
  if (typeof v.N === 'string') {
    const n = Number(v.N)
    needs(Number.isSafeInteger(n), `Branch keystore record field ${name} is not an integer`)
    return n
  }
  if (v.B instanceof Uint8Array) return v.B
  throw new InvalidArgumentError(`Branch keystore record field ${name} has an unsupported DynamoDB type`)
}

function toItem(record: BranchKeyRecord): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, toAttribute(v)]))
}

export class DynamoDBKeyStorage implements WritableBranchKeyStorage {
  readonly ddbTableName: string
  readonly logicalKeyStoreName: string
  private readonly clientSource: DynamoDbSendClient | (() => DynamoDbSendClient)
  private client: DynamoDbSendClient | undefined

  constructor({ ddbTableName, logicalKeyStoreName, ddbClient }: DynamoDBKeyStorageInput) {
    needs(typeof ddbTableName === 'string' && ddbTableName !== '', 'DynamoDb table name required')
    needs(typeof logicalKeyStoreName === 'string' && logicalKeyStoreName !== '', 'Logical Key Store name required')
    this.ddbTableName = ddbTableName
    this.logicalKeyStoreName = logicalKeyStoreName
    this.clientSource = ddbClient
  }

  /** The DynamoDB client in use (made on first call when the store was given none). */
  get ddbClient(): DynamoDbSendClient {
    this.client ??= typeof this.clientSource === 'function' ? this.clientSource() : this.clientSource
    return this.client
  }

  async getEncryptedActiveBranchKey(branchKeyId: string): Promise<EncryptedHierarchicalKey> {
    const key = await this.read(branchKeyId, BRANCH_KEY_ACTIVE_TYPE)
    needs(key.branchKeyId === branchKeyId, 'Unexpected branch key id.')
    needs(key.type.kind === 'active', 'Unexpected type. Not an active record.')
    return key
  }

  async getEncryptedBranchKeyVersion(branchKeyId: string, branchKeyVersion: string): Promise<EncryptedHierarchicalKey> {
    const key = await this.read(branchKeyId, BRANCH_KEY_TYPE_PREFIX + branchKeyVersion)
    needs(key.branchKeyId === branchKeyId, 'Unexpected branch key id.')
    needs(key.type.kind === 'version' && key.type.version === branchKeyVersion, 'Unexpected branch key version.')
    return key
  }

  getKeyStorageInfo(): { name: string; logicalName: string } {
    return { name: this.ddbTableName, logicalName: this.logicalKeyStoreName }
  }

  async writeNewKey(version: BranchKeyRecord, active: BranchKeyRecord, beacon: BranchKeyRecord): Promise<void> {
    const absent = {
      ConditionExpression: 'attribute_not_exists(#bkid)',
      ExpressionAttributeNames: { '#bkid': BRANCH_KEY_IDENTIFIER_FIELD },
    }
    await this.send('TransactWriteItems', {
      TransactItems: [version, active, beacon].map((record) => ({
        Put: { TableName: this.ddbTableName, Item: toItem(record), ...absent },
      })),
    })
  }

  async writeNewVersion(
    version: BranchKeyRecord,
    active: BranchKeyRecord,
    oldActiveCiphertext: Uint8Array,
  ): Promise<void> {
    await this.send('TransactWriteItems', {
      TransactItems: [
        {
          Put: {
            TableName: this.ddbTableName,
            Item: toItem(version),
            ConditionExpression: 'attribute_not_exists(#bkid)',
            ExpressionAttributeNames: { '#bkid': BRANCH_KEY_IDENTIFIER_FIELD },
          },
        },
        {
          // branch-key-store.md "VersionKey": the ACTIVE record must still be the one this version replaces.
          Put: {
            TableName: this.ddbTableName,
            Item: toItem(active),
            ConditionExpression: 'attribute_exists(#bkid) AND #enc = :encOld',
            ExpressionAttributeNames: { '#bkid': BRANCH_KEY_IDENTIFIER_FIELD, '#enc': BRANCH_KEY_FIELD },
            ExpressionAttributeValues: { ':encOld': { B: oldActiveCiphertext } },
          },
        },
      ],
    })
  }

  /**
   * branch-key-store.md "CreateKeyStore" (not in the official JS SDK): makes the table with the
   * key schema the store needs (partition key `branch-key-id`, sort key `type`, both strings), or
   * checks an existing one has it. Returns the table ARN.
   */
  async createTable(): Promise<string> {
    const schema = {
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: SORT_KEY, AttributeType: 'S' },
      ],
    }
    let description: unknown
    try {
      description = await this.send('CreateTable', {
        TableName: this.ddbTableName,
        ...schema,
        BillingMode: 'PAY_PER_REQUEST',
      })
    } catch (e) {
      if (!(e instanceof KeyringError) || !/ResourceInUseException/.test(e.message)) throw e
      description = await this.send('DescribeTable', { TableName: this.ddbTableName })
    }
    const table =
      (description as { TableDescription?: unknown; Table?: unknown }).TableDescription ??
      (description as { Table?: unknown }).Table
    const t = typeof table === 'object' && table !== null ? (table as { KeySchema?: unknown; TableArn?: unknown }) : {}
    const keys = Array.isArray(t.KeySchema)
      ? (t.KeySchema as Array<{ AttributeName?: unknown; KeyType?: unknown }>)
      : []
    const has = (name: string, type: string): boolean =>
      keys.some((k) => k.AttributeName === name && k.KeyType === type)
    if (keys.length !== 2 || !has(PARTITION_KEY, 'HASH') || !has(SORT_KEY, 'RANGE')) {
      throw new KeyringError(
        `DynamoDB table ${this.ddbTableName} does not have the branch key store's key schema (${PARTITION_KEY} HASH, ${SORT_KEY} RANGE)`,
      )
    }
    return typeof t.TableArn === 'string' ? t.TableArn : this.ddbTableName
  }

  private async read(partitionValue: string, sortValue: string): Promise<EncryptedHierarchicalKey> {
    const response = await this.send('GetItem', {
      TableName: this.ddbTableName,
      Key: { [PARTITION_KEY]: { S: partitionValue }, [SORT_KEY]: { S: sortValue } },
      ConsistentRead: true,
    })
    const item = (response as { Item?: unknown }).Item
    if (typeof item !== 'object' || item === null) {
      throw new KeyringError(
        `A branch key record with ${PARTITION_KEY}=${partitionValue} and ${SORT_KEY}=${sortValue} was not found in the DynamoDB table ${this.ddbTableName}.`,
      )
    }
    const record = validateBranchKeyRecord(
      Object.fromEntries(Object.entries(item).map(([k, v]) => [k, fromAttribute(k, v)])),
    )
    const ciphertext = record[BRANCH_KEY_FIELD] as Uint8Array
    needs(typeof record[HIERARCHY_VERSION_FIELD] === 'number', 'hierarchy-version must be a number')
    return new EncryptedHierarchicalKey(authenticatedEncryptionContext(this.logicalKeyStoreName, record), ciphertext)
  }

  private async send(operation: Parameters<typeof dynamoDbCommand>[0], input: object): Promise<unknown> {
    try {
      return await this.ddbClient.send(dynamoDbCommand(operation, input))
    } catch (e) {
      const name = e instanceof Error ? e.name : 'Error'
      throw new KeyringError(
        `DynamoDB ${operation} on ${this.ddbTableName} failed: ${name}: ${e instanceof Error ? e.message : String(e)}`,
        [e],
      )
    }
  }
}
