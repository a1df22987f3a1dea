// Runs one set's vectors and judges each against its catalog record: passed, failed, pending or needs-network.
import type { EsdkClient } from '../../lib/index'
import { Plan, VectorCase } from './cases'
import { CatalogSet, CatalogVector } from './catalog'
import { describeError, isEsdkError } from './describe-error'

export type Status = 'passed' | 'failed' | 'pending' | 'needs-network'

export interface VectorResult {
  readonly set: string
  readonly id: string
  readonly status: Status
  readonly expect: 'success' | 'fail' | 'unknown'
  /** Catalog keyring description, or the runner's own label for pending vectors. */
  readonly keyring: string
  /** Why it failed, what error a negative vector was rejected with, or the pending keyring. */
  readonly detail?: string
}

type Outcome = { readonly status: Status; readonly detail?: string; readonly keyring?: string }

export async function runSet(set: CatalogSet, load: () => VectorCase[], client: EsdkClient): Promise<VectorResult[]> {
  let cases: VectorCase[]
  try {
    cases = load()
  } catch (e) {
    const detail = `set did not load: ${describeError(e)}`
    return set.vectors.map((v) => ({
      set: set.name,
      id: v.id,
      status: 'failed',
      expect: v.expect,
      keyring: v.keyring,
      detail,
    }))
  }
  const byId = new Map<string, VectorCase>()
  const results: VectorResult[] = []
  for (const c of cases) {
    if (byId.has(c.id))
      results.push({
        set: set.name,
        id: c.id,
        status: 'failed',
        expect: 'unknown',
        keyring: '?',
        detail: 'duplicate id in the manifest',
      })
    byId.set(c.id, c)
  }
  const known = new Set<string>()
  for (const v of set.vectors) {
    known.add(v.id)
    const outcome = await judge(v, byId.get(v.id), client)
    results.push({
      set: set.name,
      id: v.id,
      expect: v.expect,
      keyring: outcome.keyring ?? v.keyring,
      status: outcome.status,
      ...(outcome.detail ? { detail: outcome.detail } : {}),
    })
  }
  for (const c of cases) {
    if (!known.has(c.id))
      results.push({
        set: set.name,
        id: c.id,
        status: 'failed',
        expect: 'unknown',
        keyring: '?',
        detail: 'in the manifest but not in catalog.json',
      })
  }
  return results
}

async function judge(v: CatalogVector, c: VectorCase | undefined, client: EsdkClient): Promise<Outcome> {
  if (!c) return { status: 'failed', detail: 'in catalog.json but not found in the manifest' }
  const plan = c.plan
  if (plan.kind === 'broken') return { status: 'failed', detail: `runner could not build this vector: ${plan.error}` }
  // The runner's own classification must agree with the catalog's, so neither can drift silently.
  const mismatch: Outcome = { status: 'failed', detail: `catalog says ${v.availability}, runner planned ${plan.kind}` }
  if (v.availability === 'needs-network') return plan.kind === 'needs-network' ? { status: 'needs-network' } : mismatch
  // The catalog marks MPL-only keyrings (raw ECDH, hierarchical) "pending"; once the runner can build one, it runs.
  if (v.availability === 'pending' && plan.kind === 'pending') return { status: 'pending', keyring: plan.keyring }
  if (plan.kind !== 'run') return { ...mismatch, detail: `${mismatch.detail} (${plan.keyring})` }
  return execute(v, plan, client)
}

async function execute(v: CatalogVector, plan: Extract<Plan, { kind: 'run' }>, client: EsdkClient): Promise<Outcome> {
  let ciphertext: Buffer
  let expected: Buffer | undefined
  try {
    ciphertext = plan.ciphertext()
    expected = v.expect === 'success' ? plan.plaintext?.() : undefined
  } catch (e) {
    return { status: 'failed', detail: `runner could not read the vector files: ${describeError(e)}` }
  }
  if (v.expect === 'success' && expected === undefined)
    return { status: 'failed', detail: 'catalog expects success but the manifest gives no plaintext' }
  let plaintext: Buffer
  try {
    const options = plan.reproducedContext === undefined ? undefined : { encryptionContext: plan.reproducedContext }
    plaintext = (await client.decrypt(plan.materials, ciphertext, options)).plaintext
  } catch (e) {
    if (v.expect === 'success') return { status: 'failed', detail: describeError(e) }
    return isEsdkError(e)
      ? { status: 'passed', detail: `rejected with ${describeError(e)}` }
      : { status: 'failed', detail: `must fail with an EsdkError, threw ${describeError(e)}` }
  }
  if (expected === undefined)
    return { status: 'failed', detail: `decrypt returned ${plaintext.length} bytes but this vector must fail` }
  return plaintext.equals(expected)
    ? { status: 'passed' }
    : { status: 'failed', detail: difference(plaintext, expected) }
}

function difference(got: Buffer, expected: Buffer): string {
  let i = 0
  while (i < got.length && i < expected.length && got[i] === expected[i]) i++
  return `plaintext differs: got ${got.length} bytes, expected ${expected.length}; first difference at byte ${i}`
}
