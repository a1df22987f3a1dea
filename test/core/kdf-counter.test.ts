// The SP 800-108 counter-mode KDF and general HKDF in core/: byte-equal to independent implementations, and bounded as the keyrings define.
import test from 'ava'
import { createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { kdfCounterMode as officialKdf } from '@aws-crypto/kdf-ctr-mode-node'
import { hkdf } from '../../lib/core/hkdf'
import { kdfCounterMode } from '../../lib/core/kdf-counter'

test('kdfCounterMode equals the official JS implementation for every hash, key, salt and output length the keyrings use', (t) => {
  let cases = 0
  for (const hash of ['sha256', 'sha384'] as const) {
    for (const ikmLength of [32, 48, 66]) {
      for (const saltLength of [16, 32]) {
        for (const length of [32, 64] as const) {
          for (const labelLength of [0, 17, 300]) {
            const ikm = randomBytes(ikmLength)
            const salt = randomBytes(saltLength)
            const label = randomBytes(labelLength)
            const ours = kdfCounterMode({ hash, ikm, label, context: salt, length })
            const theirs = officialKdf({
              digestAlgorithm: hash,
              ikm,
              nonce: salt,
              purpose: label,
              expectedLength: length,
            })
            t.deepEqual(ours, Buffer.from(theirs), `${hash}/${ikmLength}/${saltLength}/${length}/${labelLength}`)
            t.is(ours.byteOffset, 0)
            t.is(ours.buffer.byteLength, length, 'an unpooled buffer of its own')
            cases++
          }
        }
      }
    }
  }
  t.is(cases, 72)
})

test('kdfCounterMode: a known answer (HMAC-SHA256, the hierarchical keyring shape)', (t) => {
  // Independently: HMAC-SHA256(ikm, 00000001 ‖ "aws-kms-hierarchy" ‖ 00 ‖ salt ‖ 00000100), computed here by hand.
  const ikm = Buffer.alloc(32, 7)
  const salt = Buffer.alloc(16, 9)
  const label = Buffer.from('aws-kms-hierarchy')
  const expected = createHmac('sha256', ikm)
    .update(Buffer.concat([Buffer.from([0, 0, 0, 1]), label, Buffer.from([0]), salt, Buffer.from([0, 0, 1, 0])]))
    .digest()
  t.deepEqual(kdfCounterMode({ hash: 'sha256', ikm, label, context: salt, length: 32 }), expected)
})

test("kdfCounterMode refuses keys, salts, lengths and hashes outside the keyrings' definitions", (t) => {
  const ok = {
    hash: 'sha384' as const,
    ikm: randomBytes(48),
    label: Buffer.alloc(0),
    context: randomBytes(32),
    length: 64,
  }
  t.notThrows(() => kdfCounterMode(ok))
  for (const bad of [
    { ...ok, ikm: randomBytes(31) },
    { ...ok, context: randomBytes(15) },
    { ...ok, length: 48 },
    { ...ok, hash: 'sha512' as unknown as 'sha384' },
  ]) {
    t.throws(() => kdfCounterMode(bad), { code: 'INVALID_ARGUMENT' })
  }
})

test('hkdf equals node:crypto hkdfSync for one and several blocks', (t) => {
  for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
    for (const length of [1, 16, 32, 48, 64, 100, 255]) {
      const salt = randomBytes(length % 3 === 0 ? 0 : 32)
      const ikm = randomBytes(32)
      const info = randomBytes(length % 40)
      t.deepEqual(
        hkdf(hash, salt, ikm, info, length),
        Buffer.from(hkdfSync(hash, ikm, salt, info, length)),
        `${hash}/${length}`,
      )
    }
  }
  t.throws(() => hkdf('sha256', Buffer.alloc(0), randomBytes(32), Buffer.alloc(0), 0), { instanceOf: RangeError })
})
