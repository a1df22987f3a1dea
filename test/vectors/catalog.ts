// catalog.json: the per-vector expectations (expect, offline) the runner is judged against.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ShapeError, asArray, asObject, field, parseJson, str } from './json'

/** offline "yes..." runs here; "yes (needs an MPL-only keyring...)" is pending; "no..." needs AWS KMS. */
export type Availability = 'offline' | 'pending' | 'needs-network'

export interface CatalogVector {
  readonly id: string
  readonly expect: 'success' | 'fail'
  readonly availability: Availability
  /** The catalog's short keyring description, e.g. "raw-ecdh-static-ecc-256". */
  readonly keyring: string
}

export interface CatalogSet {
  readonly name: string
  readonly vectors: readonly CatalogVector[]
}

export function availabilityOf(offline: string): Availability | undefined {
  if (offline.startsWith('yes (needs an MPL-only keyring')) return 'pending'
  if (offline.startsWith('yes')) return 'offline'
  if (offline.startsWith('no')) return 'needs-network'
  return undefined
}

export function loadCatalog(vectorFolder: string): CatalogSet[] {
  const file = path.join(vectorFolder, 'catalog.json')
  const top = asObject(parseJson(fs.readFileSync(file), file), file)
  const sets = asObject(field(top, 'sets', file), `${file}.sets`)
  return Object.entries(sets).map(([name, value]) => {
    const where = `catalog.sets.${name}`
    const set = asObject(value, where)
    const vectors = asArray(field(set, 'vectors', where), `${where}.vectors`).map((v, i) =>
      parseVector(v, `${where}.vectors[${i}]`),
    )
    return { name, vectors }
  })
}

function parseVector(value: unknown, where: string): CatalogVector {
  const o = asObject(value, where)
  const expect = str(o, 'expect', where)
  if (expect !== 'success' && expect !== 'fail') throw new ShapeError(`${where}: expect must be success or fail`)
  const offline = str(o, 'offline', where)
  const availability = availabilityOf(offline)
  if (!availability) throw new ShapeError(`${where}: unrecognized offline value ${JSON.stringify(offline)}`)
  return { id: str(o, 'id', where), expect, availability, keyring: str(o, 'keyring', where) }
}
