// Bytes after a complete message are refused for signed and unsigned suites alike (client-apis/decrypt.md "Encrypted Message"; the official JS SDK ignores them when unsigned).
import test from 'ava'
import { MalformedMessageError } from '../../lib/core/errors'
import { BACKENDS, aesKeyring, clientFor, hex4 } from './fixtures'

for (const backend of BACKENDS) {
  for (const suiteId of [0x0078, 0x0178, 0x0478, 0x0214, 0x0378, 0x0578]) {
    test(`[${backend}] ${hex4(suiteId)}: a message with anything appended is malformed`, async (t) => {
      const c = clientFor(suiteId, backend)
      const keyring = aesKeyring()
      const { result } = await c.encrypt(keyring, 'complete message', { suiteId, frameLength: 8 })
      t.is((await c.decrypt(keyring, result)).plaintext.toString(), 'complete message', 'the message itself is fine')
      const tails: Array<[string, Buffer]> = [
        ['one zero byte', Buffer.from([0])],
        ['one 0xff byte', Buffer.from([0xff])],
        ['a copy of the message', result],
        ['16 bytes', Buffer.alloc(16, 1)],
      ]
      for (const [what, tail] of tails) {
        const err = await t.throwsAsync(
          c.decrypt(keyring, Buffer.concat([result, tail])),
          { instanceOf: MalformedMessageError },
          what,
        )
        t.is(err?.code, 'MALFORMED_MESSAGE', what)
      }
    })
  }
}
