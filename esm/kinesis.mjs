// ESM entry of esdk-native/kinesis: re-exports the CommonJS build by name; test/architecture/esm-entry.test.ts keeps the lists equal.
import cjs from '../build/lib/kinesis/index.js'

export const {
  createEncryptHandler,
  SOURCE_STREAM_CONTEXT_KEY,
  DEFAULT_MAX_RECORD_BYTES,
  MAX_RECORD_BYTES_LIMIT,
  createDecryptHandler,
  startRunner,
  FileCheckpointStore,
  SHARD_END,
  DynamoDbCheckpointStore,
  createKinesisClient,
  shardFilter,
  deaggregate,
  emfLine,
  METRIC_NAMES,
  WorkerMetrics,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
} = cjs
export default cjs
