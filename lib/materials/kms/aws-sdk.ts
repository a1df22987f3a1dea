// The one module that touches @aws-sdk/client-kms, loaded on first use so keyrings can run (and be tested) without it.
import type * as KmsSdk from '@aws-sdk/client-kms'
import type { KmsOperationName } from '../../core/errors'
import { KmsClientSupplier, getClient } from './client-supplier'

let sdk: typeof KmsSdk | undefined

/** Loads the AWS SDK's KMS package the first time a default client or a `send` command is needed. */
export function loadKmsSdk(): typeof KmsSdk {
  // A lazy require keeps `import 'esdk-native'` from paying the SDK's load time when KMS is unused.
  sdk ??= require('@aws-sdk/client-kms') as typeof KmsSdk
  return sdk
}

/**
 * The SDK's `KMS` class, re-exported as the official client-node does. A proxy defers loading the
 * SDK to the first `new KMS(...)` (or property read); `instanceof KMS` and subclassing still work.
 */
export const KMS: typeof KmsSdk.KMS = new Proxy(function KMS() {} as unknown as typeof KmsSdk.KMS, {
  construct(_target, args, newTarget) {
    const real = loadKmsSdk().KMS
    return Reflect.construct(real, args, newTarget === KMS ? real : newTarget) as object
  },
  get(_target, property) {
    return Reflect.get(loadKmsSdk().KMS, property) as unknown
  },
})

/** The default regional supplier (official name): an SDK v3 `KMS` per region, cached once the region answers. */
export const getKmsClient: KmsClientSupplier<KmsSdk.KMS> = getClient(KMS, { customUserAgent: 'esdk-native' })

/** Official name for the cached default supplier; getKmsClient already caches per region, so they are the same. */
export const cacheKmsClients: KmsClientSupplier<KmsSdk.KMS> = getKmsClient

/** The SDK command object a bare `KMSClient.send` needs for one operation. */
export function kmsCommand(operation: KmsOperationName, input: object): object {
  const { GenerateDataKeyCommand, EncryptCommand, DecryptCommand } = loadKmsSdk()
  switch (operation) {
    case 'GenerateDataKey':
      return new GenerateDataKeyCommand(input as KmsSdk.GenerateDataKeyCommandInput)
    case 'Encrypt':
      return new EncryptCommand(input as KmsSdk.EncryptCommandInput)
    case 'Decrypt':
      return new DecryptCommand(input as KmsSdk.DecryptCommandInput)
  }
}
