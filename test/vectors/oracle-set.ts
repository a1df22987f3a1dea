// python-decrypt-oracle/decrypt_vectors.json: messages from Python test key providers with fixed data keys.
import { AlgorithmSuite } from '../../lib/index'
import { Plan, VectorCase, planOrBroken } from './cases'
import { JsonObject, ShapeError, asArray, asObject, base64, field, parseJson, str } from './json'
import { FileSource } from './source'
import { StaticDataKeyKeyring } from './static-key-keyring'

/** key-type → the data key its Python test provider returns (the key-type is also the EDK provider id). */
const FIXED_KEYS: ReadonlyMap<string, (suite: AlgorithmSuite) => Uint8Array> = new Map([
  ['null', (suite: AlgorithmSuite) => Buffer.alloc(suite.keyLengthBytes)],
  [
    'test_counting',
    (suite: AlgorithmSuite) => Buffer.from(Array.from({ length: suite.keyLengthBytes }, (_, i) => i + 1)),
  ],
])

export function loadOracleSet(source: FileSource, file: string): VectorCase[] {
  const where = `${source.label}:${file}`
  return asArray(parseJson(source.read(file), where), where).map((value, i) => {
    const id = `[${i}]`
    return { id, plan: planOrBroken(() => plan(asObject(value, id), id)) }
  })
}

function plan(t: JsonObject, id: string): Plan {
  const keyType = str(t, 'key-type', id)
  if (keyType === 'aws-kms') return { kind: 'needs-network', keyring: keyType }
  const dataKey = FIXED_KEYS.get(keyType)
  if (!dataKey) throw new ShapeError(`${id}: unknown key-type ${keyType}`)
  const ciphertext = base64(field(t, 'ciphertext', id), `${id}.ciphertext`)
  const plaintext = base64(field(t, 'plaintext', id), `${id}.plaintext`)
  return {
    kind: 'run',
    materials: new StaticDataKeyKeyring(dataKey, keyType),
    ciphertext: () => ciphertext,
    plaintext: () => plaintext,
    reproducedContext: undefined,
  }
}
