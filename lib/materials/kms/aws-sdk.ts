// The AWS SDK's KMS client under the official names (KMS, getKmsClient, cacheKmsClients), loaded on first use.
import { KmsClientSupplier, getClient } from './client-supplier'
import { KmsSdkModule, loadKmsSdk } from './kms-sdk'

/**
 * The SDK's `KMS` class, re-exported as the official client-node does. A proxy defers loading the
 * SDK to the first `new KMS(...)` (or property read); `instanceof KMS` and subclassing still work.
 */
export const KMS: KmsSdkModule['KMS'] = new Proxy(function KMS() {} as unknown as KmsSdkModule['KMS'], {
  construct(_target, args, newTarget) {
    const real = loadKmsSdk().KMS
    return Reflect.construct(real, args, newTarget === KMS ? real : newTarget) as object
  },
  get(_target, property) {
    return Reflect.get(loadKmsSdk().KMS, property) as unknown
  },
})

/** The default regional supplier (official name): an SDK v3 `KMS` per region, cached once the region answers. */
export const getKmsClient: KmsClientSupplier<InstanceType<KmsSdkModule['KMS']>> = getClient(KMS, {
  customUserAgent: 'esdk-native',
})

/** Official name for the cached default supplier; getKmsClient already caches per region, so they are the same. */
export const cacheKmsClients: KmsClientSupplier<InstanceType<KmsSdkModule['KMS']>> = getKmsClient
