// encryptBatch: input order, every record its own message readable by the official SDK and the one-shot API, every suite, mixed sizes and contexts, failures per record.
import { ExecutionContext } from 'ava'
import { CryptoBackend } from '../../lib/backend/backend'
import { CommitmentPolicy } from '../../lib/core/policy'
import { EncryptedDataKey } from '../../lib/format/header'
import { KeyringNode } from '../../lib/materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { eachBackend } from '../backend/backends'
import { SUITES, cachingCmm, clientFor, keyring, messages, officialDecrypt, plaintextOf, policyFor } from './helpers'

for (const n of [0, 1, 2]) {
  eachBackend(
    `a batch of ${n} record(s): one message each, in order, read by the official SDK and the one-shot API`,
    async (t, backend) => {
      const client = clientFor(backend)
      const input = Array.from({ length: n }, (_, i) => plaintextOf(100 + i, i))
      const entries = await client.encryptBatch(keyring(), input, { encryptionContext: { batch: 'small' } })
      t.is(entries.length, n)
      const out = messages(entries)
      for (const [i, message] of out.entries()) {
        const theirs = await officialDecrypt(message)
        t.true(theirs.plaintext.equals(input[i] as Buffer), `official, record ${i}`)
        t.is(theirs.context.batch, 'small')
        t.true((await client.decrypt(keyring(), message)).plaintext.equals(input[i] as Buffer), `one-shot, record ${i}`)
      }
      if (n === 2)
        t.false((out[0] as Buffer).subarray(3, 35).equals((out[1] as Buffer).subarray(3, 35)), 'own message ids')
    },
  )
}

eachBackend(
  '10,000 records through a caching CMM: every message is its own and decrypts with the official SDK',
  async (t, backend) => {
    const client = clientFor(backend)
    const cmm = cachingCmm()
    const input = Array.from({ length: 10_000 }, (_, i) => plaintextOf(i % 300, i))
    const entries = await client.encryptBatch(cmm, input, { suiteId: 0x0478, encryptionContext: { batch: 'large' } })
    const out = messages(entries)
    t.is(new Set(out.map((m) => m.subarray(3, 35).toString('hex'))).size, 10_000, 'distinct message ids')
    t.like(cmm.getStats().encrypt, { misses: 1, hits: 9_999 })
    const decrypted = await client.decryptBatch(cmm, out)
    decrypted.forEach((d, i) => t.true(d.ok && d.plaintext.equals(input[i] as Buffer), `ours, record ${i}`))
    // The official SDK, through its own caching CMM (one unwrap), reads every native message (the
    // backends write identical bytes: backends-identical.test) and every 50th of the JS backend's.
    const { buildClient, CommitmentPolicy: P } = await import('@aws-crypto/client-node')
    const { officialKeyring } = await import('./helpers')
    const theirs = buildClient(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    // Its keyring directly: its caching CMM costs it more per message than the unwrap it saves.
    const officialCmm = officialKeyring()
    const step = backend.name === 'native' ? 1 : 50
    let read = 0
    for (let i = 0; i < out.length; i += step) {
      if (Buffer.from((await theirs.decrypt(officialCmm, out[i] as Buffer)).plaintext).equals(input[i] as Buffer))
        read++
    }
    t.is(read, 10_000 / step)
  },
)

/** Encrypts `sizes` as one batch and checks every message with the official SDK and its header. */
async function batchReadByOfficial(
  t: ExecutionContext,
  backend: CryptoBackend,
  suiteId: number,
  frameLength: number,
  sizes: readonly number[],
): Promise<void> {
  const client = clientFor(backend, policyFor(suiteId))
  const input = sizes.map((s, i) => plaintextOf(s, i + suiteId))
  const entries = await client.encryptBatch(keyring(), input, {
    suiteId,
    frameLength,
    encryptionContext: { suite: String(suiteId) },
    messageHeaders: true,
  })
  for (const [i, e] of entries.entries()) {
    const where = `suite 0x${suiteId.toString(16)}, frame ${frameLength}, ${(input[i] as Buffer).length} B`
    if (!e.ok) return t.fail(`${where}: ${e.error.message}`)
    t.is(e.messageHeader?.suiteId, suiteId, where)
    t.is(e.messageHeader?.frameLength, frameLength, where)
    t.true((await officialDecrypt(e.result)).plaintext.equals(input[i] as Buffer), where)
  }
}

eachBackend('every suite, two frame lengths: each message decrypts with the official SDK', async (t, backend) => {
  for (const suiteId of SUITES) {
    await batchReadByOfficial(t, backend, suiteId, 4096, [0, 1, 17, 4095, 4096, 4097, 65_537])
    await batchReadByOfficial(t, backend, suiteId, 16, [0, 15, 16, 17, 333])
  }
})

eachBackend(
  'sizes from 0 B to 1 MiB in one batch (unsigned v2, signed v2, signed v1): each decrypts with the official SDK',
  async (t, backend) => {
    const sizes = [0, 1, 1024, 4096, 100_000, (1 << 20) - 1, 1 << 20, 7, (1 << 19) + 3]
    for (const suiteId of [0x0478, 0x0578, 0x0378]) await batchReadByOfficial(t, backend, suiteId, 4096, sizes)
  },
)

eachBackend(
  'mixed contexts: records with their own context and records with the shared one, each message carries its own',
  async (t, backend) => {
    const client = clientFor(backend)
    const input = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0
        ? plaintextOf(50, i)
        : {
            plaintext: plaintextOf(50, i),
            encryptionContext: { tenant: `t${i % 4}`, record: i % 2 === 0 ? 'even' : 'odd' },
          },
    )
    const entries = await client.encryptBatch(keyring(), input, {
      encryptionContext: { shared: 'yes' },
      messageHeaders: true,
    })
    for (const [i, e] of entries.entries()) {
      if (!e.ok) return t.fail(e.error.message)
      const expected = i % 3 === 0 ? { shared: 'yes' } : { tenant: `t${i % 4}`, record: i % 2 === 0 ? 'even' : 'odd' }
      const theirs = await officialDecrypt(e.result)
      const stored = Object.fromEntries(Object.entries(theirs.context).filter(([k]) => !k.startsWith('aws-crypto-')))
      t.deepEqual(stored, expected, `record ${i}`)
      t.deepEqual(
        Object.fromEntries(
          Object.entries(e.messageHeader?.encryptionContext ?? {}).filter(([k]) => !k.startsWith('aws-crypto-')),
        ),
        expected,
      )
      const plaintext =
        typeof input[i] === 'object' && 'plaintext' in (input[i] as object)
          ? (input[i] as { plaintext: Buffer }).plaintext
          : (input[i] as Buffer)
      t.true(theirs.plaintext.equals(plaintext))
    }
  },
)

eachBackend('strings and Uint8Arrays are records too; a record that is neither fails alone', async (t, backend) => {
  const client = clientFor(backend)
  const bytes = new Uint8Array([1, 2, 3])
  const input = ['text', bytes, 42 as unknown as string, { plaintext: 'own', encryptionContext: { k: 'v' } }]
  const entries = await client.encryptBatch(keyring(), input)
  t.true(entries[0]?.ok)
  t.true(entries[1]?.ok)
  t.like(entries[2], { ok: false })
  t.is(entries[2]?.ok === false ? entries[2].error.code : '', 'INVALID_ARGUMENT')
  t.true(entries[3]?.ok)
  const first = entries[0]
  if (first?.ok) t.is((await officialDecrypt(first.result)).plaintext.toString(), 'text')
})

eachBackend(
  'a reserved key in one record context fails that record alone; a bad shared option fails the call',
  async (t, backend) => {
    const client = clientFor(backend)
    const entries = await client.encryptBatch(keyring(), [
      Buffer.from('a'),
      { plaintext: Buffer.from('b'), encryptionContext: { 'aws-crypto-x': '1' } },
      Buffer.from('c'),
    ])
    t.true(entries[0]?.ok)
    t.is(entries[1]?.ok === false ? entries[1].error.code : '', 'INVALID_ARGUMENT')
    t.true(entries[2]?.ok)
    await t.throwsAsync(client.encryptBatch(keyring(), [Buffer.from('a')], { frameLength: 0 }), {
      code: 'INVALID_ARGUMENT',
    })
    await t.throwsAsync(client.encryptBatch(keyring(), 'not records' as unknown as Buffer[]), {
      code: 'INVALID_ARGUMENT',
    })
    // A suite the policy forbids: every record fails with the policy error.
    const forbidding = clientFor(backend, CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    await t.throwsAsync(forbidding.encrypt(keyring(), Buffer.from('x'), { suiteId: 0x0178 }), {
      code: 'COMMITMENT_POLICY',
    })
    const refused = await forbidding.encryptBatch(keyring(), [Buffer.from('x'), Buffer.from('y')], { suiteId: 0x0178 })
    t.deepEqual(
      refused.map((e) => (e.ok ? 'ok' : e.error.code)),
      ['COMMITMENT_POLICY', 'COMMITMENT_POLICY'],
    )
  },
)

class FailingKeyring extends KeyringNode {
  protected override _onEncryptSync(): NodeEncryptionMaterial | undefined {
    throw new Error('the wrapping service is down')
  }
  protected async _onEncrypt(): Promise<NodeEncryptionMaterial> {
    throw new Error('the wrapping service is down')
  }
  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    _edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    return material
  }
}

eachBackend('a materials failure fails the records that needed them, with the cause', async (t, backend) => {
  const client = clientFor(backend)
  const entries = await client.encryptBatch(new FailingKeyring(), [Buffer.from('a'), Buffer.from('b')])
  for (const e of entries) {
    if (e.ok) return t.fail('encrypted without a data key')
    t.is(e.error.code, 'KEYRING')
    t.regex(String((e.error.cause as Error | undefined)?.message), /wrapping service is down/)
  }
})
