// The one module that loads @aws-sdk/client-dynamodb, on first use: importing the library, or building keyrings, never pays its load time.
import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb'

let sdk: typeof DynamoDbSdk | undefined

/** Loads the AWS SDK's DynamoDB package the first time a branch key store needs a client or a command. */
export function loadDynamoDbSdk(): typeof DynamoDbSdk {
  sdk ??= require('@aws-sdk/client-dynamodb') as typeof DynamoDbSdk
  return sdk
}

/** Whether the SDK was loaded in this process (for the tests that check it stays unloaded). */
export function dynamoDbSdkLoaded(): boolean {
  return sdk !== undefined
}

export type DynamoDbOperation = 'GetItem' | 'TransactWriteItems' | 'CreateTable' | 'DescribeTable'

/** The SDK command object `DynamoDBClient.send` takes for one operation. */
export function dynamoDbCommand(operation: DynamoDbOperation, input: object): object {
  const s = loadDynamoDbSdk()
  switch (operation) {
    case 'GetItem':
      return new s.GetItemCommand(input as DynamoDbSdk.GetItemCommandInput)
    case 'TransactWriteItems':
      return new s.TransactWriteItemsCommand(input as DynamoDbSdk.TransactWriteItemsCommandInput)
    case 'CreateTable':
      return new s.CreateTableCommand(input as DynamoDbSdk.CreateTableCommandInput)
    case 'DescribeTable':
      return new s.DescribeTableCommand(input as DynamoDbSdk.DescribeTableCommandInput)
  }
}

/** A new `DynamoDBClient` for `region` (undefined: the SDK's default chain). */
export function newDynamoDbClient(region: string | undefined): DynamoDbSendClient {
  const { DynamoDBClient } = loadDynamoDbSdk()
  return new DynamoDBClient(region === undefined ? {} : { region })
}

/** Any client with `send(command)`: the SDK's DynamoDBClient or DynamoDB class, or a test double. */
export interface DynamoDbSendClient {
  send(command: object): PromiseLike<unknown>
}

export function isDynamoDbSendClient(value: unknown): value is DynamoDbSendClient {
  return typeof value === 'object' && value !== null && typeof (value as { send?: unknown }).send === 'function'
}
