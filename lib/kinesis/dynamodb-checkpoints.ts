// Checkpoint store in a DynamoDB table (the real @aws-sdk/client-dynamodb): one item per stream and shard, shared by runners that split the shards.
import { CreateTableCommand, DescribeTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { CheckpointStore } from './checkpoints'

export interface DynamoDbCheckpointOptions {
  readonly client: DynamoDBClient
  readonly tableName: string
}

/** Items: `shard` (hash key, "stream/shardId"), `checkpoint`, `updatedAt` (ISO time). */
export class DynamoDbCheckpointStore implements CheckpointStore {
  readonly client: DynamoDBClient
  readonly tableName: string

  constructor(options: DynamoDbCheckpointOptions) {
    this.client = options.client
    this.tableName = options.tableName
  }

  /** Creates the table (on-demand) unless it exists, and waits until it is ACTIVE. */
  async createTable(): Promise<void> {
    try {
      await this.client.send(
        new CreateTableCommand({
          TableName: this.tableName,
          AttributeDefinitions: [{ AttributeName: 'shard', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'shard', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      )
    } catch (e) {
      if ((e as Error).name !== 'ResourceInUseException') throw e
    }
    for (let i = 0; i < 600; i++) {
      const t = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }))
      if (t.Table?.TableStatus === 'ACTIVE') return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`table ${this.tableName} did not become ACTIVE`)
  }

  async get(streamName: string, shardId: string): Promise<string | undefined> {
    const answer = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { shard: { S: `${streamName}/${shardId}` } },
        ConsistentRead: true,
      }),
    )
    const value = answer.Item?.['checkpoint']?.S
    return typeof value === 'string' ? value : undefined
  }

  async put(streamName: string, shardId: string, checkpoint: string): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          shard: { S: `${streamName}/${shardId}` },
          checkpoint: { S: checkpoint },
          updatedAt: { S: new Date().toISOString() },
        },
      }),
    )
  }
}
