// Caller inputs every client method checks the same way: keyring or CMM, suite id, frame length, contexts, maxBodySize.
import { InvalidArgumentError, UnsupportedError, needs } from '../core/errors'
import { hex4 } from '../core/policy'
import { AlgorithmSuite, findSuite } from '../core/suites'
import { EncryptionContext, normalizeContext } from '../format/encryption-context'
import { KeyringNode, NodeMaterialsManager, isKeyring, isMaterialsManager } from '../materials/keyring'
import { NodeDefaultCryptographicMaterialsManager } from '../materials/default-cmm'

export const DEFAULT_FRAME_LENGTH = 4096
const MAX_FRAME_LENGTH = 0xffffffff
const NO_CONTEXT: EncryptionContext = Object.freeze({})

export function frameLengthOf(value: number | undefined): number {
  const frameLength = value ?? DEFAULT_FRAME_LENGTH
  needs(
    Number.isInteger(frameLength) && frameLength >= 1 && frameLength <= MAX_FRAME_LENGTH,
    'frameLength must be an integer from 1 to 2^32 - 1',
  )
  return frameLength
}

export function suiteOf(id: number | undefined): AlgorithmSuite | undefined {
  if (id === undefined) return undefined
  const suite = findSuite(id)
  if (!suite) throw new UnsupportedError(`unknown algorithm suite 0x${hex4(id)}`)
  return suite
}

export function contextOf(value: Record<string, string> | undefined): EncryptionContext {
  return value === undefined ? NO_CONTEXT : normalizeContext(value)
}

/** The reproduced context of a decrypt (client-apis/decrypt.md), or undefined. */
export function reproducedContextOf(value: Record<string, string> | undefined): EncryptionContext | undefined {
  return value === undefined ? undefined : normalizeContext(value)
}

/** Official semantics: 0 or undefined means no limit. */
export function maxBodySizeOf(value: number | undefined): number | undefined {
  const maxBodySize = value || undefined
  needs(
    maxBodySize === undefined || (Number.isSafeInteger(maxBodySize) && maxBodySize > 0),
    'maxBodySize must be a non-negative integer',
  )
  return maxBodySize
}

/** A keyring's default CMM, made once: it is stateless, and a hot loop should not rebuild and re-check it per message. */
const defaultCmms = new WeakMap<KeyringNode, NodeMaterialsManager>()

export function toMaterialsManager(value: KeyringNode | NodeMaterialsManager): NodeMaterialsManager {
  if (isMaterialsManager(value)) return value
  if (isKeyring(value)) {
    let cmm = defaultCmms.get(value)
    if (!cmm) {
      cmm = new NodeDefaultCryptographicMaterialsManager(value)
      defaultCmms.set(value, cmm)
    }
    return cmm
  }
  throw new InvalidArgumentError('expected a keyring or a cryptographic materials manager')
}
