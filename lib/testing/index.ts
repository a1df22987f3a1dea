// esdk-native/testing: a local AWS KMS stand-in for offline tests, driven by the real @aws-sdk/client-kms.
export { startLocalKms } from './local-kms'
export { KMS_OPERATIONS } from './types'
export { DEFAULT_ACCOUNTS, DEFAULT_REGIONS, DEFAULT_ALIAS, DEFAULT_MRK_ALIAS } from './default-keys'
export type {
  LocalKms,
  LocalKmsOptions,
  LocalKmsKeys,
  LocalKmsKey,
  LocalKmsFaults,
  LocalKmsCredentials,
  LocalKmsClientConfig,
  CreateKeySpec,
  KmsCallRecord,
  KmsOperation,
  KmsErrorType,
  KeyUsage,
  ThrottleOptions,
  LatencyOptions,
  FailKeyOptions,
  ServerErrorOptions,
  DropConnectionOptions,
  DropPoint,
  InjectedFaults,
} from './types'
