// Branch key versions as they travel in EDKs: a v4 UUID string in its 16-byte form (aws-kms-hierarchical-keyring.md "Ciphertext").
import { InvalidArgumentError } from '../../core/errors'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The 16 bytes of a UUID string; refuses anything that is not one. */
export function uuidToBytes(uuid: string): Buffer {
  if (!UUID.test(uuid)) throw new InvalidArgumentError(`branch key version ${JSON.stringify(uuid)} is not a UUID`)
  return Buffer.from(uuid.replace(/-/g, ''), 'hex')
}

/** The lowercase UUID string of 16 bytes. */
export function bytesToUuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new InvalidArgumentError('a UUID is 16 bytes')
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
