// The algorithm-suite table: exactly the eleven spec suites, with key lengths, KDFs, signatures and formats from the spec and the official SDK.
import test from 'ava'
import * as official from '@aws-crypto/client-node'
import { ALL_SUITES, AlgorithmSuiteIdentifier, findSuite } from '../../lib/core/suites'

// framework/algorithm-suites.md, supported-algorithm-suites table:
// id, message format, data key bytes, KDF hash, signature curve, commitment.
const SPEC_TABLE: ReadonlyArray<
  readonly [number, 1 | 2, number, string | undefined, 'P-256' | 'P-384' | undefined, boolean]
> = [
  [0x0014, 1, 16, undefined, undefined, false],
  [0x0046, 1, 24, undefined, undefined, false],
  [0x0078, 1, 32, undefined, undefined, false],
  [0x0114, 1, 16, 'sha256', undefined, false],
  [0x0146, 1, 24, 'sha256', undefined, false],
  [0x0178, 1, 32, 'sha256', undefined, false],
  [0x0214, 1, 16, 'sha256', 'P-256', false],
  [0x0346, 1, 24, 'sha384', 'P-384', false],
  [0x0378, 1, 32, 'sha384', 'P-384', false],
  [0x0478, 2, 32, 'sha512', undefined, true],
  [0x0578, 2, 32, 'sha512', 'P-384', true],
]

test('there are exactly the eleven spec suites, each found by id', (t) => {
  t.is(ALL_SUITES.length, 11)
  t.deepEqual(
    ALL_SUITES.map((s) => s.id).sort((a, b) => a - b),
    SPEC_TABLE.map(([id]) => id),
  )
  for (const [id] of SPEC_TABLE) t.is(findSuite(id)?.id, id)
})

test('unknown ids are not suites', (t) => {
  for (const id of [0x0000, 0x0001, 0x0015, 0x0079, 0x0278, 0x0479, 0x0678, 0xffff, -1, 0x10014])
    t.is(findSuite(id), undefined, `0x${id.toString(16)}`)
})

for (const [id, format, keyBytes, kdf, curve, commitment] of SPEC_TABLE) {
  const hex = `0x${id.toString(16).padStart(4, '0')}`
  test(`${hex}: properties match the spec table`, (t) => {
    const s = findSuite(id)
    if (!s) return t.fail('missing')
    t.is(s.messageFormat, format)
    t.is<number, number>(s.keyLengthBytes, keyBytes)
    t.is<string, string>(s.encryption, `aes-${keyBytes * 8}-gcm`)
    t.is(s.ivLength, 12)
    t.is(s.tagLength, 16)
    t.is<string | undefined, string | undefined>(s.kdf, kdf)
    t.is(s.signature?.curve, curve)
    t.is(s.commitment, commitment)
    t.is(s.messageIdLength, format === 2 ? 32 : 16)
    t.is(s.suiteDataLength, commitment ? 32 : 0)
    if (curve === 'P-256') t.deepEqual(s.signature, { curve: 'P-256', hash: 'sha256', publicKeyLength: 33 })
    if (curve === 'P-384') t.deepEqual(s.signature, { curve: 'P-384', hash: 'sha384', publicKeyLength: 49 })
    t.true(Object.isFrozen(s))
  })

  test(`${hex}: properties agree with the official NodeAlgorithmSuite`, (t) => {
    const s = findSuite(id)
    if (!s) return t.fail('missing')
    const o = new official.NodeAlgorithmSuite(id as official.AlgorithmSuiteIdentifier)
    t.is(s.messageFormat, o.messageFormat === official.MessageFormat.V2 ? 2 : 1)
    t.is<number, number>(s.keyLengthBytes, o.keyLengthBytes)
    t.is(s.encryption, o.encryption)
    t.is(s.ivLength, o.ivLength)
    t.is(s.tagLength * 8, o.tagLength)
    t.is<string | undefined, string | undefined>(s.kdf, o.kdf === 'HKDF' ? o.kdfHash : undefined)
    t.is(
      s.signature?.curve,
      o.signatureCurve === undefined ? undefined : o.signatureCurve === 'prime256v1' ? 'P-256' : 'P-384',
    )
    t.is<string | undefined, string | undefined>(s.signature?.hash, o.signatureHash)
    t.is(s.commitment, o.commitment === 'KEY')
    t.is(AlgorithmSuiteIdentifier[id], official.AlgorithmSuiteIdentifier[id], 'same enum name')
  })
}
