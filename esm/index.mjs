// ESM entry: re-exports the CommonJS build by name so `import { buildClient } from 'esdk-native'` works.
// test/api/esm-entry.test.ts keeps this list equal to the CommonJS exports.
import cjs from '../build/lib/index.js'

export const {
  buildClient,
  DEFAULT_FRAME_LENGTH,
  CommitmentPolicy,
  AlgorithmSuiteIdentifier,
  ALL_SUITES,
  findSuite,
  EsdkError,
  MalformedMessageError,
  UnsupportedError,
  AuthenticationError,
  CommitmentPolicyError,
  LimitExceededError,
  InvalidArgumentError,
  KeyringError,
  BadStateError,
  NativeBindingError,
  EncryptedDataKey,
  ContentType,
  KeyringNode,
  NodeEncryptionMaterial,
  NodeDecryptionMaterial,
  KeyringTraceFlag,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  RawRsaKeyringNode,
  MultiKeyringNode,
  NodeDefaultCryptographicMaterialsManager,
  RequiredEncryptionContextCMM,
  getBackendInfo,
} = cjs

export default cjs
