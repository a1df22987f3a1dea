// Backing materials the caching CMM must never store: for another suite, identity-KDF, a suite the policy forbids, a signing key that does not match the suite, no data key or no EDKs. On every path (async, sync, batch) they go to the one caller as they came, are counted uncacheable, and the next request asks the backing CMM again.
import test from 'ava'
import { AlgorithmSuite } from '../../lib/core/suites'
import { CommitmentPolicy } from '../../lib/core/policy'
import { EncryptedDataKey } from '../../lib/format/header'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { DecryptionRequest, EncryptionMaterialsRun, EncryptionRequest } from '../../lib/materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { MaterialParts, rebuiltEncryptionMaterial } from '../materials/rebuilt-materials'
import { FORBID, REQUIRE, rawAesKeyring, suite } from './helpers'
import { DecryptBend, ProbeBacking } from './probe-backing'

// framework/caching-cmm.md "Get Encryption Materials" / "Decrypt Materials": only complete materials for
// the suite asked for (one the policy allows, never an identity-KDF one) may be stored and shared.

function caching(backing: ProbeBacking) {
  const cache = getLocalCryptographicMaterialsCache(10)
  return { cmm: new NodeCachingMaterialsManager({ backingMaterials: backing, cache, maxAge: 60_000 }), cache }
}

const CONTEXT = { purpose: 'uncacheable' }

function encryptRequest(suiteId: number | undefined, commitmentPolicy: CommitmentPolicy): EncryptionRequest {
  const s: AlgorithmSuite | undefined = suiteId === undefined ? undefined : suite(suiteId)
  return { suite: s, encryptionContext: CONTEXT, commitmentPolicy, plaintextLength: 10 }
}

/** A real P-384 signing key, from materials the default CMM makes for a signed suite. */
let signingKey: NonNullable<NodeEncryptionMaterial['signatureKey']>
/** The EDKs of one data key, for decrypt requests. */
let edks: readonly EncryptedDataKey[]

test.before(async () => {
  const inner = new NodeDefaultCryptographicMaterialsManager(rawAesKeyring())
  const signed = await inner.getEncryptionMaterials(encryptRequest(0x0578, REQUIRE))
  if (!signed.signatureKey) throw new Error('the signed suite came without a signing key')
  signingKey = signed.signatureKey
  signed.zeroUnencryptedDataKey()
  const plain = await inner.getEncryptionMaterials(encryptRequest(0x0478, REQUIRE))
  edks = plain.encryptedDataKeys
  plain.zeroUnencryptedDataKey()
})

interface EncryptCase {
  readonly what: string
  readonly suiteId: number | undefined
  readonly policy: CommitmentPolicy
  /** The parts changed; a function where the part is only made once the test runs (the signing key). */
  readonly parts: () => MaterialParts
}

// Each case breaks exactly one of the conditions, the others holding.
const ENCRYPT_CASES: readonly EncryptCase[] = [
  {
    what: 'materials for another suite than the one asked for',
    suiteId: 0x0478,
    policy: REQUIRE,
    parts: () => ({ suiteId: 0x0578, signingKey }),
  },
  {
    what: 'identity-KDF materials for a request without a suite',
    suiteId: undefined,
    policy: FORBID,
    parts: () => ({ suiteId: 0x0014, signingKey: 'none' }),
  },
  {
    what: 'a suite the policy forbids, for a request without a suite',
    suiteId: undefined,
    policy: REQUIRE,
    parts: () => ({ suiteId: 0x0178, signingKey: 'none' }),
  },
  {
    what: 'a signed suite without its signing key',
    suiteId: 0x0578,
    policy: REQUIRE,
    parts: () => ({ signingKey: 'none' }),
  },
  { what: 'an unsigned suite with a signing key', suiteId: 0x0478, policy: REQUIRE, parts: () => ({ signingKey }) },
  { what: 'materials without a data key', suiteId: 0x0478, policy: REQUIRE, parts: () => ({ dataKey: false }) },
  { what: 'materials without encrypted data keys', suiteId: 0x0478, policy: REQUIRE, parts: () => ({ edks: 0 }) },
]

type EncryptPath = 'async' | 'sync' | 'batch (sync backing)' | 'batch (async backing)'
const ENCRYPT_PATHS: readonly EncryptPath[] = ['async', 'sync', 'batch (sync backing)', 'batch (async backing)']

/** Three messages through `path`: what each got, in order. */
async function threeMessages(
  path: EncryptPath,
  cmm: NodeCachingMaterialsManager,
  request: EncryptionRequest,
): Promise<EncryptionMaterialsRun[]> {
  if (path === 'async') {
    const runs: EncryptionMaterialsRun[] = []
    for (let i = 0; i < 3; i++) runs.push({ count: 1, material: await cmm.getEncryptionMaterials(request) })
    return runs
  }
  if (path === 'sync') {
    const runs: EncryptionMaterialsRun[] = []
    for (let i = 0; i < 3; i++) {
      const material = cmm.getEncryptionMaterialsSync(request)
      if (!material) throw new Error('the synchronous path did not answer over a synchronous backing CMM')
      runs.push({ count: 1, material })
    }
    return runs
  }
  return cmm.getEncryptionMaterialsForBatch(request, [10, 10, 10])
}

const answersSync = (path: EncryptPath): boolean => path !== 'async' && path !== 'batch (async backing)'

for (const c of ENCRYPT_CASES) {
  test(`encrypt: ${c.what}: never stored, on every path; each message asks the backing CMM and gets its answer as it came`, async (t) => {
    for (const path of ENCRYPT_PATHS) {
      const backing = new ProbeBacking({
        answersSync: answersSync(path),
        bendEncrypt: (m) => rebuiltEncryptionMaterial(m, c.parts()),
      })
      const { cmm, cache } = caching(backing)
      const runs = await threeMessages(path, cmm, encryptRequest(c.suiteId, c.policy))
      t.deepEqual(
        runs.map((r) => r.count),
        [1, 1, 1],
        `${path}: one run per message`,
      )
      t.is(backing.calls, 3, `${path}: a backing call per message`)
      runs.forEach((r, i) =>
        t.true(r.material === backing.given[i], `${path}: message ${i} got the backing answer itself`),
      )
      t.is(cache.size, 0, `${path}: nothing stored`)
      t.like(cmm.getStats(), { uncacheable: 3, encrypt: { misses: 3, hits: 0 } }, path)
    }
  })
}

test('encrypt: the same backing CMM unbent is cached on every path: one backing call, then hits', async (t) => {
  for (const path of ENCRYPT_PATHS) {
    for (const [suiteId, policy] of [
      [0x0478, REQUIRE],
      [0x0578, REQUIRE],
      [undefined, FORBID],
      [undefined, REQUIRE],
    ] as const) {
      const backing = new ProbeBacking({ answersSync: answersSync(path) })
      const { cmm, cache } = caching(backing)
      const runs = await threeMessages(path, cmm, encryptRequest(suiteId, policy))
      const label = `${path}, suite ${String(suiteId)}`
      t.is(
        runs.reduce((n, r) => n + r.count, 0),
        3,
        label,
      )
      t.is(backing.calls, 1, label)
      t.is(cache.size, 1, label)
      t.like(cmm.getStats(), { uncacheable: 0, encrypt: { misses: 1, hits: 2 } }, label)
    }
  }
})

const decryptRequest = (): DecryptionRequest => ({
  suite: suite(0x0478),
  encryptedDataKeys: edks,
  encryptionContext: CONTEXT,
  commitmentPolicy: REQUIRE,
})

/** Decryption materials like `m` but for another suite, or without a data key; `m`'s key is wiped. */
function rebuiltDecryptionMaterial(m: NodeDecryptionMaterial, parts: { suiteId?: number; dataKey: boolean }) {
  const out = new NodeDecryptionMaterial(suite(parts.suiteId ?? m.suite.id), m.encryptionContext)
  if (parts.dataKey) out.setUnencryptedDataKey(Buffer.from(m.getUnencryptedDataKey()))
  m.zeroUnencryptedDataKey()
  return out
}

const DECRYPT_CASES: ReadonlyArray<{ what: string; bend: DecryptBend }> = [
  {
    what: 'materials for another suite than the message',
    bend: (m) => rebuiltDecryptionMaterial(m, { suiteId: 0x0178, dataKey: true }),
  },
  { what: 'materials without a data key', bend: (m) => rebuiltDecryptionMaterial(m, { dataKey: false }) },
]

async function threeDecrypts(sync: boolean, cmm: NodeCachingMaterialsManager): Promise<NodeDecryptionMaterial[]> {
  const got: NodeDecryptionMaterial[] = []
  for (let i = 0; i < 3; i++) {
    const m = sync ? cmm.decryptMaterialsSync(decryptRequest()) : await cmm.decryptMaterials(decryptRequest())
    if (!m) throw new Error('the synchronous path did not answer over a synchronous backing CMM')
    got.push(m)
  }
  return got
}

for (const c of DECRYPT_CASES) {
  test(`decrypt: ${c.what}: never stored, async or sync; each request asks the backing CMM`, async (t) => {
    for (const sync of [false, true]) {
      const backing = new ProbeBacking({ answersSync: sync, bendDecrypt: c.bend })
      const { cmm, cache } = caching(backing)
      const got = await threeDecrypts(sync, cmm)
      const label = sync ? 'sync' : 'async'
      t.is(backing.calls, 3, label)
      got.forEach((m, i) => t.true(m === backing.given[i], `${label}: request ${i} got the backing answer itself`))
      t.is(cache.size, 0, label)
      t.like(cmm.getStats(), { uncacheable: 3, decrypt: { misses: 3, hits: 0 } }, label)
    }
  })
}

test('decrypt: the same backing CMM unbent is cached, async or sync', async (t) => {
  for (const sync of [false, true]) {
    const backing = new ProbeBacking({ answersSync: sync })
    const { cmm, cache } = caching(backing)
    const got = await threeDecrypts(sync, cmm)
    t.is(backing.calls, 1)
    t.is(cache.size, 1)
    t.true(got.every((m) => m.hasUnencryptedDataKey && m.suite.id === 0x0478))
    t.like(cmm.getStats(), { uncacheable: 0, decrypt: { misses: 1, hits: 2 } })
  }
})
