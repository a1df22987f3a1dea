// Large native outputs are advised as transparent huge pages (native/huge_pages.cc): seen in /proc/self/smaps_rollup where Linux gives THP on request.
import test from 'ava'
import { readFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib'
import { nativeBackend } from './backends'

/** The THP mode in brackets ("always", "madvise" or "never"), or undefined off Linux. */
function thpMode(): string | undefined {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1]
  } catch {
    return undefined
  }
}

/** kB of anonymous huge pages this process has mapped. */
function anonHugePages(): number {
  return Number(/AnonHugePages:\s+(\d+) kB/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1] ?? '0')
}

async function hugePagesGained(backend: 'native' | 'js'): Promise<number> {
  const client = buildClient({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, backend })
  const keyring = new RawAesKeyringNode({
    keyName: 'k',
    keyNamespace: 'huge-pages',
    unencryptedMasterKey: randomBytes(32),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  const plaintext = randomBytes(16 << 20)
  const before = anonHugePages()
  const { result } = await client.encrypt(keyring, plaintext, { suiteId: 0x0478, frameLength: 4096 })
  const gained = anonHugePages() - before
  // Still the right message (and `result` is alive until here, its pages with it).
  const { plaintext: back } = await client.decrypt(keyring, result)
  if (!back.equals(plaintext)) throw new Error('round trip failed')
  return gained
}

// Only "madvise" shows the advice at work: "always" gives huge pages without it, "never" refuses them.
const runs = nativeBackend !== undefined && thpMode() === 'madvise'
;(runs ? test.serial : test.skip)(
  'a 16 MiB native encrypt writes its output on huge pages; the JS backend (no advice) does not',
  async (t) => {
    const native = await hugePagesGained('native')
    t.true(native >= 4096, `native output: AnonHugePages grew ${native} kB`)
    const js = await hugePagesGained('js')
    t.true(js < 2048, `JS output (the control): AnonHugePages grew ${js} kB`)
  },
)
