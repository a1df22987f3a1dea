// The one module that loads @aws-sdk/client-kms, on first use, so keyrings can run (and be tested) without it.
import type * as KmsSdk from '@aws-sdk/client-kms'
import type { KmsOperationName } from '../../core/errors'

/** The SDK module's shape, for modules that name its types without importing it. */
export type KmsSdkModule = typeof KmsSdk

let sdk: typeof KmsSdk | undefined

/** Loads the AWS SDK's KMS package the first time a default client or a `send` command is needed. */
export function loadKmsSdk(): typeof KmsSdk {
  // A lazy require keeps `import 'esdk-native'` from paying the SDK's load time when KMS is unused.
  sdk ??= require('@aws-sdk/client-kms') as typeof KmsSdk
  return sdk
}

/** The SDK command object a bare `KMSClient.send` needs for one operation. */
export function kmsCommand(operation: KmsOperationName, input: object): object {
  const sdk = loadKmsSdk()
  const { GenerateDataKeyCommand, EncryptCommand, DecryptCommand } = sdk
  switch (operation) {
    case 'GenerateDataKey':
      return new GenerateDataKeyCommand(input as KmsSdk.GenerateDataKeyCommandInput)
    case 'Encrypt':
      return new EncryptCommand(input as KmsSdk.EncryptCommandInput)
    case 'Decrypt':
      return new DecryptCommand(input as KmsSdk.DecryptCommandInput)
    case 'GenerateDataKeyWithoutPlaintext':
      return new sdk.GenerateDataKeyWithoutPlaintextCommand(input as KmsSdk.GenerateDataKeyWithoutPlaintextCommandInput)
    case 'ReEncrypt':
      return new sdk.ReEncryptCommand(input as KmsSdk.ReEncryptCommandInput)
    case 'DeriveSharedSecret':
      return new sdk.DeriveSharedSecretCommand(input as KmsSdk.DeriveSharedSecretCommandInput)
    case 'GetPublicKey':
      return new sdk.GetPublicKeyCommand(input as KmsSdk.GetPublicKeyCommandInput)
  }
}
