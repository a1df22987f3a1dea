// commitment-v2/commitment-test-vectors.json: committing messages whose plaintext data key is given.
import { VectorCase, planOrBroken } from './cases'
import { asArray, asObject, asString, base64, field, parseJson } from './json'
import { FileSource } from './source'
import { StaticDataKeyKeyring } from './static-key-keyring'

export function loadCommitmentSet(source: FileSource, file: string): VectorCase[] {
  const where = `${source.label}:${file}`
  const top = asObject(parseJson(source.read(file), where), where)
  return asArray(field(top, 'tests', where), `${where}.tests`).map((value, i) => {
    const id = `tests[${i}]`
    return {
      id,
      plan: planOrBroken(() => {
        const t = asObject(value, id)
        const ciphertext = base64(field(t, 'ciphertext', id), `${id}.ciphertext`)
        const dataKey = base64(field(t, 'decrypted-dek', id), `${id}.decrypted-dek`)
        // Negative tests may omit plaintext-frames; the expected plaintext is their UTF-8 concatenation.
        const frames =
          t['plaintext-frames'] === undefined ? undefined : asArray(t['plaintext-frames'], `${id}.plaintext-frames`)
        const plaintext =
          frames &&
          Buffer.concat(frames.map((f, j) => Buffer.from(asString(f, `${id}.plaintext-frames[${j}]`), 'utf8')))
        return {
          kind: 'run',
          materials: new StaticDataKeyKeyring(() => dataKey),
          ciphertext: () => ciphertext,
          plaintext: plaintext && (() => plaintext),
          reproducedContext: undefined,
        }
      }),
    }
  })
}
