// unwrapDataKey (official name): the bytes of a data key handed over as bytes or as a node:crypto secret KeyObject.
import { KeyObject } from 'node:crypto'
import { needs } from '../core/errors'

export function unwrapDataKey(dataKey: Uint8Array | KeyObject): Uint8Array {
  if (dataKey instanceof Uint8Array) return dataKey
  needs(dataKey instanceof KeyObject && dataKey.type === 'secret', 'Unsupported dataKey type.')
  return dataKey.export()
}
