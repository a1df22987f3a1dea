// Starts the stand-ins a hierarchical keyring needs on 127.0.0.1: the local KMS and dynalite (DynamoDB), with real AWS SDK clients pointed at them.
import type { AddressInfo } from 'node:net'
import { buffer } from 'node:stream/consumers'
import { IncomingMessage, Server, ServerResponse, createServer, request } from 'node:http'
import {
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb'
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { KMSClient } from '@aws-sdk/client-kms'
import { LocalKms, startLocalKms } from '../../lib/testing'
import type { CreateKeySpec } from '../../lib/testing/types'

/** dynalite has no type declarations: the one function it exports, as far as these tests use it. */
type Dynalite = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server
const dynalite = require('dynalite') as Dynalite

const CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }

export interface LocalDynamoDb {
  readonly endpoint: string
  client(region?: string): DynamoDBClient
  close(): Promise<void>
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

interface TransactPut {
  Put?: {
    TableName: string
    Item: Record<string, AttributeValue>
    ConditionExpression?: string
    ExpressionAttributeNames?: Record<string, string>
    ExpressionAttributeValues?: Record<string, AttributeValue>
  }
}

/**
 * dynalite has no TransactWriteItems. This front runs a transaction of Puts as conditional PutItems
 * against dynalite, one at a time (the server is the only writer, so nothing interleaves), and
 * puts back the items it had already written when a condition fails, answering as DynamoDB does
 * (TransactionCanceledException with the reasons). Every other request goes to dynalite as sent.
 */
async function transactWrite(
  direct: DynamoDBClient,
  body: { TransactItems?: TransactPut[] },
): Promise<{ status: number; payload: object }> {
  const items = body.TransactItems ?? []
  const keySchemas = new Map<string, string[]>()
  const undo: Array<() => Promise<unknown>> = []
  for (const [index, entry] of items.entries()) {
    const put = entry.Put
    if (!put)
      return {
        status: 400,
        payload: {
          __type: 'com.amazon.coral.validate#ValidationException',
          message: 'the stand-in supports Put transaction items only',
        },
      }
    let names = keySchemas.get(put.TableName)
    if (!names) {
      const table = await direct.send(new DescribeTableCommand({ TableName: put.TableName }))
      names = (table.Table?.KeySchema ?? []).map((k) => k.AttributeName ?? '')
      keySchemas.set(put.TableName, names)
    }
    const key = Object.fromEntries(names.map((n) => [n, put.Item[n] as AttributeValue]))
    const old = (await direct.send(new GetItemCommand({ TableName: put.TableName, Key: key, ConsistentRead: true })))
      .Item
    try {
      await direct.send(new PutItemCommand(put))
    } catch (e) {
      for (const step of undo.reverse()) await step()
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e
      const reasons = items.map((_, i) =>
        i === index ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' } : { Code: 'None' },
      )
      return {
        status: 400,
        payload: {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
          CancellationReasons: reasons,
        },
      }
    }
    undo.push(() =>
      old
        ? direct.send(new PutItemCommand({ TableName: put.TableName, Item: old }))
        : direct.send(new DeleteItemCommand({ TableName: put.TableName, Key: key })),
    )
  }
  return { status: 200, payload: {} }
}

/** dynalite in memory on a free loopback port, behind the transaction front; tables become ACTIVE at once. */
export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  const backend = new URL(await listen(server))
  const direct = new DynamoDBClient({ region: 'us-west-2', endpoint: backend.origin, credentials: { ...CREDENTIALS } })
  const front = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = await buffer(req)
      if (req.headers['x-amz-target'] === 'DynamoDB_20120810.TransactWriteItems') {
        const { status, payload } = await transactWrite(
          direct,
          JSON.parse(body.toString('utf8')) as { TransactItems?: TransactPut[] },
        )
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(payload))
        return
      }
      const forward = request(
        { host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers)
          answer.pipe(res)
        },
      )
      forward.on('error', (e) => res.writeHead(502).end(String(e)))
      forward.end(body)
    })().catch((e: unknown) =>
      res
        .writeHead(500, { 'content-type': 'application/x-amz-json-1.0' })
        .end(JSON.stringify({ __type: 'InternalServerError', message: String(e) })),
    )
  })
  const endpoint = await listen(front)
  const clients: DynamoDBClient[] = [direct]
  return {
    endpoint,
    client(region = 'us-west-2') {
      const c = new DynamoDBClient({ region, endpoint, credentials: { ...CREDENTIALS } })
      clients.push(c)
      return c
    },
    async close() {
      for (const c of clients) c.destroy()
      await Promise.all([front, server].map((x) => new Promise<void>((resolve) => x.close(() => resolve()))))
    },
  }
}

export interface StandIns {
  readonly kms: LocalKms
  readonly ddb: LocalDynamoDb
  /** A KMS key ARN in us-west-2 for branch keys. */
  readonly keyArn: string
  kmsClient(region?: string): KMSClient
  close(): Promise<void>
}

export async function startStandIns(keys: readonly CreateKeySpec[] = []): Promise<StandIns> {
  const [kms, ddb] = await Promise.all([startLocalKms({ keys }), startLocalDynamoDb()])
  const clients: KMSClient[] = []
  return {
    kms,
    ddb,
    keyArn: kms.keys.keyArn('us-west-2'),
    kmsClient(region = 'us-west-2') {
      const c = new KMSClient(kms.clientConfig(region))
      clients.push(c)
      return c
    },
    async close() {
      for (const c of clients) c.destroy()
      await Promise.all([kms.close(), ddb.close()])
    },
  }
}
