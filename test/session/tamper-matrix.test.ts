// A deterministic share of the tamper matrix in npm test: every suite, framed and non-framed, both backends; one bit of every byte (the bit turning with the position), every other truncation, and every eighth case streamed. The full matrix (all eight bits, every cut, all streamed) is npm run tamper.
import test from 'ava'
import { ALL_SUITE_IDS, BACKENDS, hex4 } from './fixtures'
import { readerFor } from './property-helpers'
import { matrixMessage, runMatrix } from './tamper-matrix'

for (const backend of BACKENDS) {
  for (const framed of [true, false]) {
    test(`[${backend}] ${framed ? 'framed' : 'non-framed'}: a flipped bit in every byte and every truncation of a message of every suite is refused, and decryptStream releases only an authenticated prefix`, async (t) => {
      const reader = readerFor(backend)
      const problems: string[] = []
      let cases = 0
      for (const suiteId of ALL_SUITE_IDS) {
        const m = await matrixMessage(backend, suiteId, framed)
        const count = await runMatrix(reader, m, { bits: 'one', truncateEvery: 2, streamEvery: 8 })
        t.is(count.flips, m.message.length, `${hex4(suiteId)}: one flip per byte`)
        t.is(count.truncations, Math.ceil(m.message.length / 2), `${hex4(suiteId)}: every other truncation`)
        cases += count.flips + count.truncations
        problems.push(...count.problems)
      }
      t.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`)
      t.log(`${cases} damaged messages refused`)
    })
  }
}
