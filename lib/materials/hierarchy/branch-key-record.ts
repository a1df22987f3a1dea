// Branch key records as the key store keeps them (branch-key-store.md "Record Format"): field names, validation, and the encryption context KMS binds them to.
import { InvalidArgumentError, needs } from '../../core/errors'

export const PARTITION_KEY = 'branch-key-id'
export const SORT_KEY = 'type'
export const TABLE_FIELD = 'tablename'
export const CUSTOM_ENCRYPTION_CONTEXT_FIELD_PREFIX = 'aws-crypto-ec:'
export const BRANCH_KEY_IDENTIFIER_FIELD = PARTITION_KEY
export const TYPE_FIELD = SORT_KEY
export const KEY_CREATE_TIME_FIELD = 'create-time'
export const HIERARCHY_VERSION_FIELD = 'hierarchy-version'
export const KMS_FIELD = 'kms-arn'
export const BRANCH_KEY_FIELD = 'enc'
export const BRANCH_KEY_ACTIVE_VERSION_FIELD = 'version'
export const BRANCH_KEY_TYPE_PREFIX = 'branch:version:'
export const BRANCH_KEY_ACTIVE_TYPE = 'branch:ACTIVE'
export const BEACON_KEY_TYPE_VALUE = 'beacon:ACTIVE'

/** One attribute of a stored record: strings, the hierarchy version number, and the wrapped key bytes. */
export type RecordValue = string | number | Uint8Array
export type BranchKeyRecord = Readonly<Record<string, RecordValue>>

/** ACTIVE records name their version; version records are the version. */
export type BranchKeyRecordType =
  | { readonly kind: 'active'; readonly version: string }
  | { readonly kind: 'version'; readonly version: string }
  | { readonly kind: 'beacon' }

/** A wrapped branch key and the encryption context KMS authenticates it with (the official class's shape). */
export class EncryptedHierarchicalKey {
  readonly branchKeyId: string
  readonly type: BranchKeyRecordType
  readonly createTime: string
  readonly kmsArn: string
  readonly encryptionContext: Readonly<Record<string, string>>
  readonly ciphertextBlob: Uint8Array

  constructor(encryptionContext: Readonly<Record<string, string>>, ciphertextBlob: Uint8Array) {
    const field = (name: string): string => {
      const value = encryptionContext[name]
      needs(typeof value === 'string', `Branch keystore record does not contain a ${name} field of type string`)
      return value
    }
    this.branchKeyId = field(BRANCH_KEY_IDENTIFIER_FIELD)
    this.type = recordType(field(TYPE_FIELD), encryptionContext[BRANCH_KEY_ACTIVE_VERSION_FIELD])
    this.createTime = field(KEY_CREATE_TIME_FIELD)
    this.kmsArn = field(KMS_FIELD)
    this.encryptionContext = Object.freeze({ ...encryptionContext })
    this.ciphertextBlob = ciphertextBlob
    Object.freeze(this)
  }
}

function recordType(type: string, activeVersion: string | undefined): BranchKeyRecordType {
  if (type === BRANCH_KEY_ACTIVE_TYPE) {
    needs(
      typeof activeVersion === 'string' && activeVersion.startsWith(BRANCH_KEY_TYPE_PREFIX),
      `Branch keystore record does not contain a ${BRANCH_KEY_ACTIVE_VERSION_FIELD} field of type string`,
    )
    return { kind: 'active', version: activeVersion.slice(BRANCH_KEY_TYPE_PREFIX.length) }
  }
  if (type.startsWith(BRANCH_KEY_TYPE_PREFIX))
    return { kind: 'version', version: type.slice(BRANCH_KEY_TYPE_PREFIX.length) }
  if (type === BEACON_KEY_TYPE_VALUE) return { kind: 'beacon' }
  throw new InvalidArgumentError(`Branch keystore record does not contain a valid ${TYPE_FIELD} field of type string`)
}

/** branch-key-store.md "Record Format": the fields every record needs, with their types, before anything else reads it. */
export function validateBranchKeyRecord(item: BranchKeyRecord): BranchKeyRecord {
  const isString = (name: string): boolean => typeof item[name] === 'string'
  needs(
    isString(BRANCH_KEY_IDENTIFIER_FIELD),
    `Branch keystore record does not contain a ${BRANCH_KEY_IDENTIFIER_FIELD} field of type string`,
  )
  const type = item[TYPE_FIELD]
  needs(
    typeof type === 'string' &&
      (type === BRANCH_KEY_ACTIVE_TYPE || type.startsWith(BRANCH_KEY_TYPE_PREFIX) || type === BEACON_KEY_TYPE_VALUE),
    `Branch keystore record does not contain a valid ${TYPE_FIELD} field of type string`,
  )
  if (type === BRANCH_KEY_ACTIVE_TYPE)
    needs(
      isString(BRANCH_KEY_ACTIVE_VERSION_FIELD),
      `Branch keystore record does not contain a ${BRANCH_KEY_ACTIVE_VERSION_FIELD} field of type string`,
    )
  needs(
    item[BRANCH_KEY_FIELD] instanceof Uint8Array,
    `Branch keystore record does not contain ${BRANCH_KEY_FIELD} field of type Uint8Array`,
  )
  needs(isString(KMS_FIELD), `Branch keystore record does not contain ${KMS_FIELD} field of type string`)
  needs(
    isString(KEY_CREATE_TIME_FIELD),
    `Branch keystore record does not contain ${KEY_CREATE_TIME_FIELD} field of type string`,
  )
  needs(
    typeof item[HIERARCHY_VERSION_FIELD] === 'number',
    `Branch keystore record does not contain ${HIERARCHY_VERSION_FIELD} field of type number`,
  )
  for (const [key, value] of Object.entries(item)) {
    if (key !== BRANCH_KEY_FIELD && key !== HIERARCHY_VERSION_FIELD)
      needs(typeof value === 'string', `Branch keystore record field ${key} is not a string`)
  }
  return item
}

/**
 * branch-key-store.md "Encryption Context": every attribute but `enc`, as strings, plus `tablename`
 * = the logical key store name (which is bound in KMS but not stored).
 */
export function authenticatedEncryptionContext(
  logicalKeyStoreName: string,
  record: BranchKeyRecord,
): Record<string, string> {
  const context: Record<string, string> = {}
  for (const [key, value] of Object.entries(record)) {
    if (key === BRANCH_KEY_FIELD) continue
    context[key] = typeof value === 'string' ? value : String(value)
  }
  context[TABLE_FIELD] = logicalKeyStoreName
  return context
}

/** The record's attributes from an authenticated context and the wrapped key: `tablename` is dropped, the version is a number. */
export function recordOf(
  context: Readonly<Record<string, string>>,
  ciphertextBlob: Uint8Array,
): Record<string, RecordValue> {
  const item: Record<string, RecordValue> = {}
  for (const [key, value] of Object.entries(context)) {
    if (key === TABLE_FIELD) continue
    item[key] = key === HIERARCHY_VERSION_FIELD ? Number(value) : value
  }
  item[BRANCH_KEY_FIELD] = ciphertextBlob
  return item
}

/** branch-key-store.md "Custom Encryption Context": the `aws-crypto-ec:` pairs, prefix removed. */
export function customEncryptionContext(context: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(context)) {
    if (key.startsWith(CUSTOM_ENCRYPTION_CONTEXT_FIELD_PREFIX))
      out[key.slice(CUSTOM_ENCRYPTION_CONTEXT_FIELD_PREFIX.length)] = value
  }
  return out
}

/** A storage backend for branch key records: DynamoDB by default, or the caller's (the official IBranchKeyStorage). */
export interface IBranchKeyStorage {
  getEncryptedActiveBranchKey(branchKeyId: string): Promise<EncryptedHierarchicalKey>
  getEncryptedBranchKeyVersion(branchKeyId: string, branchKeyVersion: string): Promise<EncryptedHierarchicalKey>
  getKeyStorageInfo(): { name: string; logicalName: string }
}

/** What createKey and versionKey need beyond reading: atomic writes of new records. */
export interface WritableBranchKeyStorage extends IBranchKeyStorage {
  /** Writes the version, ACTIVE and beacon records of a new branch key, failing if the id exists. */
  writeNewKey(version: BranchKeyRecord, active: BranchKeyRecord, beacon: BranchKeyRecord): Promise<void>
  /** Writes a new version record and replaces the ACTIVE record, failing unless the ACTIVE record still holds `oldActiveCiphertext`. */
  writeNewVersion(version: BranchKeyRecord, active: BranchKeyRecord, oldActiveCiphertext: Uint8Array): Promise<void>
}

export function isWritableStorage(storage: IBranchKeyStorage): storage is WritableBranchKeyStorage {
  const s = storage as Partial<WritableBranchKeyStorage>
  return typeof s.writeNewKey === 'function' && typeof s.writeNewVersion === 'function'
}
