// Key derivation on every backend: equal to the JS reference for all eleven suites, buffer windows respected.
import { randomBytes } from 'node:crypto'
import { jsBackend } from '../../lib/backend/js-backend'
import { ALL_SUITES } from '../../lib/core/suites'
import { A, eachBackend, offsetCopy, suite } from './backends'

eachBackend('deriveKeys equals the JS reference for every suite', (t, backend) => {
  for (const s of ALL_SUITES) {
    for (let round = 0; round < 8; round++) {
      const dataKey = randomBytes(s.keyLengthBytes)
      const messageId = randomBytes(s.messageIdLength)
      const got = backend.deriveKeys(s, dataKey, messageId)
      const want = jsBackend.deriveKeys(s, dataKey, messageId)
      const id = `0x${s.id.toString(16).padStart(4, '0')}`
      t.is(got.encryptionKey.length, s.keyLengthBytes, id)
      t.deepEqual(got.encryptionKey, want.encryptionKey, id)
      t.deepEqual(got.commitment, want.commitment, id)
      t.is(got.commitment?.length, s.commitment ? 32 : undefined, id)
    }
  }
})

eachBackend('identity-KDF suites return a copy the caller may wipe', (t, backend) => {
  for (const id of [A.ALG_AES128_GCM_IV12_TAG16, A.ALG_AES192_GCM_IV12_TAG16, A.ALG_AES256_GCM_IV12_TAG16]) {
    const s = suite(id)
    const dataKey = randomBytes(s.keyLengthBytes)
    const keep = Buffer.from(dataKey)
    const { encryptionKey } = backend.deriveKeys(s, dataKey, randomBytes(16))
    t.deepEqual(encryptionKey, dataKey)
    encryptionKey.fill(0)
    t.deepEqual(dataKey, keep)
  }
})

eachBackend('deriveKeys reads only the byteOffset/byteLength window of its inputs', (t, backend) => {
  for (const s of ALL_SUITES) {
    const dataKey = randomBytes(s.keyLengthBytes)
    const messageId = randomBytes(s.messageIdLength)
    const k = offsetCopy(dataKey, 7, 9, 0x11)
    const m = offsetCopy(messageId, 3, 21, 0x22)
    const before = [Buffer.from(k.whole), Buffer.from(m.whole)]
    const got = backend.deriveKeys(s, k.view, m.view)
    const want = jsBackend.deriveKeys(s, dataKey, messageId)
    t.deepEqual(got.encryptionKey, want.encryptionKey)
    t.deepEqual(got.commitment, want.commitment)
    t.deepEqual([k.whole, m.whole], before, 'inputs untouched')
  }
})

eachBackend('different message ids and data keys give different keys', (t, backend) => {
  const s = suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384)
  const dataKey = randomBytes(32)
  const a = backend.deriveKeys(s, dataKey, Buffer.alloc(32, 1))
  const b = backend.deriveKeys(s, dataKey, Buffer.alloc(32, 2))
  const c = backend.deriveKeys(s, randomBytes(32), Buffer.alloc(32, 1))
  t.notDeepEqual(a.encryptionKey, b.encryptionKey)
  t.notDeepEqual(a.commitment, b.commitment)
  t.notDeepEqual(a.encryptionKey, c.encryptionKey)
  // transitive-requirements.md "HKDF Commit Key": the commitment info has no suite id, so 0x0478 and 0x0578 commit alike but derive different keys.
  const d = backend.deriveKeys(suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY), dataKey, Buffer.alloc(32, 1))
  t.deepEqual(d.commitment, a.commitment)
  t.notDeepEqual(d.encryptionKey, a.encryptionKey)
})
