// Property tests of encryptBatch/decryptBatch on every backend: generated batches round-trip in order; in a batch where generated records are damaged, exactly those fail with typed errors and every other record opens.
import test from 'ava'
import fc from 'fast-check'
import { buildClient } from '../../lib/api/client'
import { CommitmentPolicy } from '../../lib/core/policy'
import { FC_RUNS, mutated, mutations, Mutation, unchanged } from '../format/properties'
import { BACKENDS, aesKeyring, hex4 } from '../session/fixtures'
import { callerContext, refusal, withinTime } from '../session/property-helpers'
import { ALL_SUITE_IDS } from '../session/fixtures'

const batchSpec = fc.record({
  suiteId: fc.constantFrom(...ALL_SUITE_IDS),
  frameLength: fc.integer({ min: 1, max: 64 }),
  shared: callerContext,
  records: fc.array(
    fc.record({ plaintext: fc.uint8Array({ maxLength: 200 }), own: fc.option(callerContext, { nil: undefined }) }),
    { minLength: 1, maxLength: 12 },
  ),
})

function clientsFor(
  backend: 'js' | 'native',
  suiteId: number,
): { writer: ReturnType<typeof buildClient>; reader: ReturnType<typeof buildClient> } {
  const committing = suiteId === 0x0478 || suiteId === 0x0578
  return {
    writer: buildClient({
      backend,
      commitmentPolicy: committing
        ? CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT
        : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
    }),
    reader: buildClient({ backend, commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT }),
  }
}

for (const backend of BACKENDS) {
  test(`[${backend}] generated batches (mixed sizes, shared and own contexts) round-trip in input order`, async (t) => {
    await fc.assert(
      fc.asyncProperty(batchSpec, async (spec) => {
        const { writer, reader } = clientsFor(backend, spec.suiteId)
        const keyring = aesKeyring()
        const records = spec.records.map((r) =>
          r.own === undefined
            ? Buffer.from(r.plaintext)
            : { plaintext: Buffer.from(r.plaintext), encryptionContext: r.own },
        )
        const sealed = await withinTime(
          'encryptBatch',
          writer.encryptBatch(keyring, records, {
            suiteId: spec.suiteId,
            frameLength: spec.frameLength,
            encryptionContext: spec.shared,
          }),
        )
        const messages = sealed.map((e, i) => {
          if (!e.ok) throw new Error(`record ${i}: ${e.error.message}`)
          return e.result
        })
        const opened = await withinTime(
          'decryptBatch',
          reader.decryptBatch(keyring, messages, { messageHeaders: true }),
        )
        return opened.every((e, i) => {
          const spec_i = spec.records[i]
          if (!e.ok || !spec_i || !e.plaintext.equals(Buffer.from(spec_i.plaintext))) return false
          const context = spec_i.own ?? spec.shared
          return Object.entries(context).every(([k, v]) => e.messageHeader?.encryptionContext[k] === v)
        })
      }),
      { numRuns: FC_RUNS.messages },
    )
    t.pass()
  })

  test(`[${backend}] in a batch with generated damaged records, exactly those fail (typed errors, no plaintext) and every other record opens`, async (t) => {
    // One batch of samples per suite: three records under one data key (the native batch's shared header path) and one on its own.
    const keyring = aesKeyring()
    const pools: { suiteId: number; plaintexts: Buffer[]; messages: Buffer[] }[] = []
    for (const suiteId of ALL_SUITE_IDS) {
      const { writer } = clientsFor(backend, suiteId)
      const plaintexts = [0, 1, 33, 64].map((n, i) => Buffer.alloc(n, 0x30 + i))
      const sealed = await writer.encryptBatch(keyring, plaintexts, {
        suiteId,
        frameLength: 16,
        encryptionContext: { batch: 'property' },
      })
      pools.push({ suiteId, plaintexts, messages: sealed.map((e) => (e.ok ? e.result : Buffer.alloc(0))) })
    }
    const edits = fc.array(fc.option(mutations(), { nil: undefined, freq: 2 }), { minLength: 4, maxLength: 4 })
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...pools), edits, async (pool, perRecord) => {
        const { reader } = clientsFor(backend, pool.suiteId)
        const inputs = pool.messages.map((m, i) => {
          const e = perRecord[i] as Mutation[] | undefined
          return e === undefined ? m : mutated(m, e)
        })
        const damaged = inputs.map((m, i) => !unchanged(m, pool.messages[i] as Buffer))
        const opened = await withinTime('decryptBatch', reader.decryptBatch(keyring, inputs))
        if (opened.length !== inputs.length) throw new Error('one entry per record')
        opened.forEach((e, i) => {
          const what = `${hex4(pool.suiteId)} record ${i}`
          if (damaged[i]) {
            if (e.ok) throw new Error(`${what}: a damaged record opened to ${e.plaintext.length} bytes`)
            const wrong = refusal(e.error)
            if (wrong) throw new Error(`${what}: ${wrong}`)
          } else if (!e.ok || !e.plaintext.equals(pool.plaintexts[i] as Buffer)) {
            throw new Error(
              `${what}: an intact record did not open beside damaged ones (${e.ok ? 'wrong plaintext' : e.error.message})`,
            )
          }
        })
      }),
      { numRuns: FC_RUNS.tampered * 2 },
    )
    t.pass()
  })
}
