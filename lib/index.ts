// The public entry point: the names of @aws-crypto/client-node plus this library's extensions.
export { buildClient, DEFAULT_FRAME_LENGTH } from './api/client'
export type { ClientOptions, EncryptInput, DecryptInput, EncryptResult, DecryptResult, EsdkClient, PlaintextInput } from './api/client'
export { CommitmentPolicy } from './core/policy'
export { AlgorithmSuiteIdentifier, ALL_SUITES, findSuite } from './core/suites'
export type { AlgorithmSuite } from './core/suites'
export {
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
} from './core/errors'
export type { EsdkErrorCode } from './core/errors'
export { EncryptedDataKey, ContentType } from './format/header'
export type { MessageHeader } from './format/header'
export type { EncryptionContext } from './format/encryption-context'
export { KeyringNode } from './materials/keyring'
export type { NodeMaterialsManager, EncryptionRequest, DecryptionRequest } from './materials/keyring'
export { NodeEncryptionMaterial, NodeDecryptionMaterial, KeyringTraceFlag } from './materials/materials'
export { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from './materials/raw-aes-keyring'
export type { RawAesKeyringNodeInput } from './materials/raw-aes-keyring'
export { RawRsaKeyringNode } from './materials/raw-rsa-keyring'
export type { RawRsaKeyringNodeInput, OaepHash } from './materials/raw-rsa-keyring'
export { MultiKeyringNode } from './materials/multi-keyring'
export { NodeDefaultCryptographicMaterialsManager } from './materials/default-cmm'
export { RequiredEncryptionContextCMM } from './materials/required-context-cmm'
export { getBackendInfo } from './backend/select'
export type { BackendInfo, BackendChoice } from './backend/select'
