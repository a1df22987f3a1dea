// Every single-byte change and every truncation of a small message fails with an EsdkError: never plaintext, never a foreign error.
import test from 'ava'
import { EsdkError } from '../../lib/core/errors'
import { BACKENDS, aesKeyring, clientFor, hex4 } from './fixtures'

const PLAINTEXT = Buffer.from('tamper-evident!!!!') // 18 bytes: two full frames of 8 and a final frame of 2

async function outcome(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run()
    return 'decrypted'
  } catch (e) {
    if (e instanceof EsdkError) return undefined
    return `non-Esdk error ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`
  }
}

for (const backend of BACKENDS) {
  for (const suiteId of [0x0014, 0x0178, 0x0214, 0x0346, 0x0478, 0x0578]) {
    test(`[${backend}] ${hex4(suiteId)}: every byte flip and every truncation is refused with an EsdkError`, async (t) => {
      const c = clientFor(suiteId, backend)
      const keyring = aesKeyring()
      const { result } = await c.encrypt(keyring, PLAINTEXT, {
        suiteId,
        frameLength: 8,
        encryptionContext: { ctx: 'v' },
      })
      t.deepEqual((await c.decrypt(keyring, result)).plaintext, PLAINTEXT)

      const problems: string[] = []
      for (let i = 0; i < result.length; i++) {
        // One flip per byte, alternating the lowest and the highest bit.
        const mask = i % 2 === 0 ? 0x01 : 0x80
        const tampered = Buffer.from(result)
        tampered[i] = (tampered[i] ?? 0) ^ mask
        const bad = await outcome(() => c.decrypt(keyring, tampered))
        if (bad) problems.push(`byte ${i} ^ 0x${mask.toString(16)}: ${bad}`)
      }
      for (let n = 0; n < result.length; n++) {
        const bad = await outcome(() => c.decrypt(keyring, result.subarray(0, n)))
        if (bad) problems.push(`truncated to ${n}: ${bad}`)
      }
      t.deepEqual(problems, [], `${result.length}-byte message`)
    })
  }
}
