// The Kinesis client the worker uses: the real @aws-sdk/client-kinesis over HTTP/1.1 (NodeHttpHandler), which kinesalite and simple proxies speak.
import { KinesisClient } from '@aws-sdk/client-kinesis'
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis'
import { NodeHttpHandler } from '@smithy/node-http-handler'

/** The SDK's own retries are off (maxAttempts 1): the worker retries failed entries itself, with its own backoff, and counts them. */
export function createKinesisClient(config: KinesisClientConfig = {}): KinesisClient {
  return new KinesisClient({
    maxAttempts: 1,
    ...config,
    requestHandler: config.requestHandler ?? new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 60_000 }),
  })
}
