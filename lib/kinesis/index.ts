// esdk-native/kinesis: the Kinesis record-encryption worker: Lambda handlers for both directions, the local runner and its checkpoint stores.
export {
  createEncryptHandler,
  SOURCE_STREAM_CONTEXT_KEY,
  DEFAULT_MAX_RECORD_BYTES,
  MAX_RECORD_BYTES_LIMIT,
} from './encrypt-handler'
export type { EncryptHandlerOptions, EncryptRecordInfo, KinesisHandler } from './encrypt-handler'
export { createDecryptHandler } from './decrypt-handler'
export type { DecryptHandlerOptions, DecryptedRecord } from './decrypt-handler'
export type { RecordFailure, FailureCallback } from './failures'
export type { KmsKeysOptions, CacheOptions, MaterialsOptions } from './materials'
export { startRunner } from './runner'
export type { Runner, RunnerOptions, RunnerSummary } from './runner'
export { FileCheckpointStore, SHARD_END } from './checkpoints'
export type { CheckpointStore } from './checkpoints'
export { DynamoDbCheckpointStore } from './dynamodb-checkpoints'
export { createKinesisClient } from './kinesis-client'
export { shardFilter } from './shard-lineage'
export { deaggregate } from './deaggregate'
export { emfLine, METRIC_NAMES, WorkerMetrics } from './metrics'
export type { MetricCounts, MetricsSink } from './metrics'
export { PUT_RECORDS_MAX_BYTES, PUT_RECORDS_MAX_ENTRIES } from './put-records'
