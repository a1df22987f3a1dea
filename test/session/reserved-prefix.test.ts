// The reserved aws-crypto- context prefix is refused by every encrypt path (one-shot small and pooled, stream, batch shared and per record) on every backend, before any keyring is asked for a data key.
import test from 'ava'
import { EsdkError } from '../../lib/core/errors'
import { PARALLEL_THRESHOLD } from '../../lib/backend/native-backend'
import { TransparentKeyring } from '../materials/test-keyrings'
import { runThrough } from '../stream/helpers'
import { BACKENDS, clientFor, hex4 } from './fixtures'

// client-apis/encrypt.md: the caller's encryption context must not hold keys with the reserved prefix aws-crypto-
// (the CMM adds the ones it owns, such as aws-crypto-public-key). Not only the key the default CMM writes: any.
const RESERVED = ['aws-crypto-', 'aws-crypto-anything', 'aws-crypto-public-key']
const SUITES = [0x0178, 0x0578]

function code(e: unknown): string {
  return e instanceof EsdkError ? e.code : `not an EsdkError: ${String(e)}`
}

for (const backend of BACKENDS) {
  for (const suiteId of SUITES) {
    test(`[${backend}] ${hex4(suiteId)}: encrypt, encryptStream and encryptBatch refuse a context key with the reserved prefix, asking no keyring`, async (t) => {
      const client = clientFor(suiteId, backend)
      const problems: string[] = []
      for (const key of RESERVED) {
        const encryptionContext = { fine: 'v', [key]: 'v' }
        const keyring = new TransparentKeyring('reserved')
        for (const size of [10, PARALLEL_THRESHOLD + 1]) {
          const e = await client.encrypt(keyring, Buffer.alloc(size, 1), { suiteId, encryptionContext }).then(
            () => undefined,
            (err: unknown) => err,
          )
          if (code(e) !== 'INVALID_ARGUMENT') problems.push(`encrypt ${size} bytes, ${key}: ${code(e)}`)
        }
        const streamed = await runThrough(client.encryptStream(keyring, { suiteId, encryptionContext }), [
          Buffer.alloc(10, 1),
        ])
        if (code(streamed.error) !== 'INVALID_ARGUMENT') problems.push(`encryptStream, ${key}: ${code(streamed.error)}`)
        if (streamed.bytes.length !== 0) problems.push(`encryptStream, ${key}: released ${streamed.bytes.length} bytes`)
        const shared = await client
          .encryptBatch(keyring, [Buffer.from('a'), Buffer.from('b')], { suiteId, encryptionContext })
          .then(
            (entries) => entries.map((e) => (e.ok ? 'ok' : e.error.code)).join(','),
            (err: unknown) => code(err),
          )
        if (shared !== 'INVALID_ARGUMENT' && shared !== 'INVALID_ARGUMENT,INVALID_ARGUMENT')
          problems.push(`encryptBatch shared context, ${key}: ${shared}`)
        const own = await client.encryptBatch(keyring, [{ plaintext: Buffer.from('a'), encryptionContext }], {
          suiteId,
        })
        const ownCode = own[0]?.ok === false ? own[0].error.code : 'ok'
        if (ownCode !== 'INVALID_ARGUMENT') problems.push(`encryptBatch own context, ${key}: ${ownCode}`)
        if (keyring.encryptCalls !== 0) problems.push(`${key}: the keyring was asked ${keyring.encryptCalls} times`)
      }
      t.deepEqual(problems, [])
      // Control: the same calls without the reserved key succeed.
      const keyring = new TransparentKeyring('reserved')
      await t.notThrowsAsync(client.encrypt(keyring, Buffer.from('x'), { suiteId, encryptionContext: { fine: 'v' } }))
      t.is(keyring.encryptCalls, 1)
    })
  }
}
