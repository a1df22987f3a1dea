// The operation table: X-Amz-Target operation name → handler.
import type { KmsOperation } from '../types'
import type { Operation } from './context'
import { decrypt } from './decrypt'
import { encrypt } from './encrypt'
import { generateDataKey, generateDataKeyWithoutPlaintext } from './generate-data-key'
import { deriveSharedSecret, getPublicKey } from './key-agreement'
import { reEncrypt } from './re-encrypt'

export const OPERATIONS: Readonly<Record<KmsOperation, Operation>> = {
  GenerateDataKey: generateDataKey,
  GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
  Encrypt: encrypt,
  Decrypt: decrypt,
  ReEncrypt: reEncrypt,
  GetPublicKey: getPublicKey,
  DeriveSharedSecret: deriveSharedSecret,
}

export type { Operation, OperationContext } from './context'
