// Per-message native signing keys are disposed (native memory cleansed) as soon as their message is sealed, one-shot, stream and batch; a caching CMM's shared key is not.
import test, { ExecutionContext } from 'ava'
import { buildClient } from '../../lib/api/client'
import { undisposedNativeSigningKeys } from '../../lib/backend/native-signing-keys'
import { CommitmentPolicy } from '../../lib/core/policy'
import { findSuite } from '../../lib/core/suites'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { nativeBackend } from '../backend/backends'
import { keyring, runThrough } from '../stream/helpers'

// The counter is process-wide: these tests run one at a time, and nothing here waits for the collector.
const SIGNED = 0x0578 // AES-256-GCM, HKDF-SHA512, key commitment, ECDSA P-384
const P256 = 0x0378 // non-committing, ECDSA P-256

function serialNative(title: string, body: (t: ExecutionContext) => void | Promise<void>): void {
  if (nativeBackend) test.serial(`[native] ${title}`, body)
  else test.skip(`[native] ${title} (addon unavailable)`, () => undefined)
}

const committing = () =>
  buildClient({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, backend: 'native' })
const legacy = () => buildClient({ commitmentPolicy: CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT, backend: 'native' })

serialNative('the counter sees a key that is acquired and not disposed (so the checks below can fail)', (t) => {
  const backend = nativeBackend
  if (!backend) return t.fail('native backend')
  const spec = findSuite(SIGNED)?.signature
  if (!spec) return t.fail('signed suite')
  const before = undisposedNativeSigningKeys()
  const key = backend.signingKeys.acquire(spec) as unknown as { dispose(): void }
  t.is(undisposedNativeSigningKeys(), before + 1)
  key.dispose()
  key.dispose() // idempotent: counted once
  t.is(undisposedNativeSigningKeys(), before)
})

serialNative(
  'one-shot encrypt: each message gives its signing key back before the call returns (P-384 and P-256)',
  async (t) => {
    const before = undisposedNativeSigningKeys()
    for (const [client, suiteId] of [
      [committing(), SIGNED],
      [legacy(), P256],
    ] as const) {
      for (let i = 0; i < 4; i++) {
        const { result } = await client.encrypt(keyring(), Buffer.from(`message ${i}`), { suiteId })
        t.is(undisposedNativeSigningKeys(), before, `after message ${i} of suite ${suiteId.toString(16)}`)
        t.is((await client.decrypt(keyring(), result)).plaintext.toString(), `message ${i}`)
      }
    }
    // An explicit default CMM is the same class: its keys are per message too.
    await committing().encrypt(new NodeDefaultCryptographicMaterialsManager(keyring()), 'x', { suiteId: SIGNED })
    t.is(undisposedNativeSigningKeys(), before)
  },
)

serialNative('encryptStream: the key goes when the stream ends, and the message decrypts', async (t) => {
  const before = undisposedNativeSigningKeys()
  const client = committing()
  const plaintext = Buffer.alloc(3 * 4096 + 17, 7)
  const out = await runThrough(client.encryptStream(keyring(), { suiteId: SIGNED, frameLength: 4096 }), [
    plaintext.subarray(0, 5000),
    plaintext.subarray(5000),
  ])
  t.is(out.error, undefined)
  t.is(undisposedNativeSigningKeys(), before)
  t.deepEqual((await client.decrypt(keyring(), out.bytes)).plaintext, plaintext)
})

serialNative('encryptStream destroyed before its end: the key is disposed with the stream', async (t) => {
  const before = undisposedNativeSigningKeys()
  const stream = committing().encryptStream(keyring(), { suiteId: SIGNED, frameLength: 4096 })
  await new Promise<void>((resolve) => stream.once('MessageHeader', () => resolve()))
  t.is(undisposedNativeSigningKeys(), before + 1, 'the stream holds its key until the end')
  stream.destroy()
  await new Promise((resolve) => setImmediate(resolve))
  t.is(undisposedNativeSigningKeys(), before)
})

serialNative("encryptBatch: every record's key is given back when the batch resolves", async (t) => {
  const before = undisposedNativeSigningKeys()
  const client = committing()
  const records = Array.from({ length: 12 }, (_, i) => ({
    plaintext: Buffer.from(`record ${i}`),
    encryptionContext: { record: String(i) },
  }))
  const entries = await client.encryptBatch(keyring(), records, { suiteId: SIGNED })
  t.true(entries.every((e) => e.ok))
  t.is(undisposedNativeSigningKeys(), before)
  const first = entries[0]
  if (!first?.ok) return t.fail('record 0')
  t.is((await client.decrypt(keyring(), first.result)).plaintext.toString(), 'record 0')
})

serialNative(
  'a caching CMM shares one key between messages: it is not disposed after the first, and every message verifies',
  async (t) => {
    const before = undisposedNativeSigningKeys()
    const client = committing()
    const cmm = new NodeCachingMaterialsManager({
      backingMaterials: keyring(),
      cache: getLocalCryptographicMaterialsCache(10),
      maxAge: 60_000,
      maxMessagesEncrypted: 10,
    })
    const results = []
    for (let i = 0; i < 3; i++)
      results.push((await client.encrypt(cmm, Buffer.from(`cached ${i}`), { suiteId: SIGNED })).result)
    t.is(
      undisposedNativeSigningKeys(),
      before + 1,
      "the cached entry's key lives on (the collector frees it with the entry)",
    )
    for (let i = 0; i < 3; i++)
      t.is((await client.decrypt(keyring(), results[i] as Buffer)).plaintext.toString(), `cached ${i}`)
  },
)
