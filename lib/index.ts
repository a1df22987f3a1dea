// The public entry point: the names of @aws-crypto/client-node plus this library's extensions.
export { buildClient, DEFAULT_FRAME_LENGTH } from './api/client'
export type {
  ClientOptions,
  EncryptInput,
  DecryptInput,
  EncryptResult,
  DecryptResult,
  EsdkClient,
  PlaintextInput,
} from './api/client'
export type { EncryptStreamInput, DecryptStreamInput, StreamClient } from './api/stream-api'
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
  SignaturePolicyError,
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
export { NodeCachingMaterialsManager } from './materials/caching/caching-cmm'
export { getLocalCryptographicMaterialsCache, LocalCryptographicMaterialsCache } from './materials/caching/local-cache'
export type { LocalCacheOptions, LocalCacheStats } from './materials/caching/local-cache'
export type {
  CryptographicMaterialsCache,
  CacheEntry,
  EncryptionMaterialEntry,
  DecryptionMaterialEntry,
  EvictionReason,
  EvictionListener,
} from './materials/caching/cache'
export type { CachingMaterialsManagerInput } from './materials/caching/options'
export type { CachingMaterialsManagerStats, OperationStats, BypassReason } from './materials/caching/stats'
export { KmsError } from './core/errors'
export type { KmsOperationName } from './core/errors'
export { KmsKeyringNode } from './materials/kms/kms-keyring'
export type { KmsKeyringNodeInput } from './materials/kms/kms-keyring'
export { AwsKmsMrkAwareSymmetricKeyringNode } from './materials/kms/mrk-keyring'
export type { AwsKmsMrkAwareSymmetricKeyringNodeInput } from './materials/kms/mrk-keyring'
export { AwsKmsMrkAwareSymmetricDiscoveryKeyringNode } from './materials/kms/mrk-discovery-keyring'
export type { AwsKmsMrkAwareSymmetricDiscoveryKeyringNodeInput } from './materials/kms/mrk-discovery-keyring'
export { buildAwsKmsMrkAwareStrictMultiKeyringNode } from './materials/kms/mrk-strict-multi-keyring'
export type { AwsKmsMrkAwareStrictMultiKeyringNodeInput } from './materials/kms/mrk-strict-multi-keyring'
export { buildAwsKmsMrkAwareDiscoveryMultiKeyringNode } from './materials/kms/mrk-discovery-multi-keyring'
export type { AwsKmsMrkAwareDiscoveryMultiKeyringNodeInput } from './materials/kms/mrk-discovery-multi-keyring'
export { getClient, limitRegions, excludeRegions, cacheClients } from './materials/kms/client-supplier'
export type { KmsClientSupplier, KMSConstructible } from './materials/kms/client-supplier'
export { KMS, getKmsClient, cacheKmsClients } from './materials/kms/aws-sdk'
export type { AwsEsdkKMSInterface, KmsMethodClient, KmsSendClient } from './materials/kms/kms-client'
export type { DiscoveryFilter } from './materials/kms/discovery-filter'
export { RawEcdhKeyringNode, EcdhCurveSpec } from './materials/raw-ecdh-keyring'
export type {
  RawEcdhKeyringNodeInput,
  RawEcdhKeyAgreementScheme,
  RawEcdhKeyAgreementSchemeName,
  EcdhPrivateKeyInput,
  EcdhPublicKeyInput,
} from './materials/raw-ecdh-keyring'
export { KmsHierarchicalKeyRingNode } from './materials/hierarchy/keyring'
export type { KmsHierarchicalKeyRingNodeInput } from './materials/hierarchy/keyring'
export { BranchKeyStoreNode, isIBranchKeyStoreNode } from './materials/hierarchy/branch-key-store'
export type {
  BranchKeyStoreNodeInput,
  KeyStoreInfoOutput,
  CreateKeyInput,
  CreateKeyOutput,
  VersionKeyInput,
  Storage,
  DynamoDBTable,
  KeyManagement,
} from './materials/hierarchy/branch-key-store'
export { KmsKeyConfig } from './materials/hierarchy/kms-config'
export type {
  KmsConfig,
  KMSSingleRegionKey,
  KMSMultiRegionKey,
  Discovery,
  MrDiscovery,
} from './materials/hierarchy/kms-config'
export { NodeBranchKeyMaterial } from './materials/hierarchy/branch-key-material'
export { EncryptedHierarchicalKey } from './materials/hierarchy/branch-key-record'
export type { IBranchKeyStorage } from './materials/hierarchy/branch-key-record'
export type { BranchKeyIdSupplier } from './materials/hierarchy/branch-key-id-supplier'
export type { BranchKeyMaterialsCache, BranchKeyMaterialEntry } from './materials/caching/cache'
export { buildEncrypt, buildDecrypt } from './api/build-encrypt-decrypt'
export { getEncryptHelper, getDecryptionHelper } from './backend/material-helpers'
export type { NodeEncryptionMaterialHelper, NodeDecryptionMaterialHelper } from './backend/material-helpers'
export { NodeAlgorithmSuite } from './core/node-algorithm-suite'
export {
  MessageFormat,
  SignaturePolicy,
  CommitmentPolicySuites,
  SignaturePolicySuites,
  getCompatibleCommitmentPolicy,
} from './core/policy-suites'
export { needs, NotSupported } from './core/errors'
export { immutableBaseClass, immutableClass, frozenClass, readOnlyProperty } from './core/immutable-class'
export { unwrapDataKey } from './materials/unwrap-data-key'
export { oaepHashSupported } from './materials/raw-rsa-keyring'
export { AwsKmsEcdhKeyringNode } from './materials/kms/kms-ecdh-keyring'
export type { AwsKmsEcdhKeyringNodeInput, KmsEcdhKeyAgreementScheme } from './materials/kms/kms-ecdh-keyring'
export type { EncryptBatchInput, DecryptBatchInput } from './api/client'
export type { EncryptBatchRecord, EncryptBatchEntry, BatchBytes } from './batch/encrypt-many'
export type { DecryptBatchRecord, DecryptBatchEntry } from './batch/decrypt-many'
