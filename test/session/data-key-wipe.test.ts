// The plaintext data key in the materials a CMM hands out is zeroed once the session is done with it: one-shot, stream (as soon as the stream has derived its key) and batch, on both backends.
import test from 'ava'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { once } from 'node:events'
import { KeepingCmm } from '../materials/keeping-cmm'
import { BACKENDS, aesKeyring, clientFor } from './fixtures'

// client-apis/encrypt.md: the data key must not outlive the message it protects; our sessions zero it as soon as
// the derived key exists (the derived key lives in the backend's sealer, not in the materials).

const SUITE = 0x0578

for (const backend of BACKENDS) {
  test(`${backend}: one-shot encrypt zeroes the data key before it returns`, async (t) => {
    const cmm = new KeepingCmm(aesKeyring())
    await clientFor(SUITE, backend).encrypt(cmm, 'one shot', { suiteId: SUITE })
    t.is(cmm.given.length, 1)
    t.false(cmm.given[0]?.hasUnencryptedDataKey)
  })

  test(`${backend}: encryptStream zeroes the data key once the header is out, before the body is written`, async (t) => {
    const cmm = new KeepingCmm(aesKeyring())
    const stream = clientFor(SUITE, backend).encryptStream(cmm, { suiteId: SUITE })
    const source = new Readable({ read() {} })
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() })
    const done = pipeline(source, stream, sink)
    source.push(Buffer.alloc(10, 1))
    await once(stream, 'MessageHeader')
    t.is(cmm.given.length, 1)
    t.false(cmm.given[0]?.hasUnencryptedDataKey, 'zeroed while the stream is still open')
    source.push(null)
    await done
  })

  test(`${backend}: encryptBatch zeroes every data key before it returns`, async (t) => {
    const cmm = new KeepingCmm(aesKeyring())
    const entries = await clientFor(SUITE, backend).encryptBatch(cmm, ['a', 'b', 'c'], { suiteId: SUITE })
    t.true(entries.every((e) => e.ok))
    t.is(cmm.given.length, 3)
    t.true(cmm.given.every((m) => !m.hasUnencryptedDataKey))
  })
}
