// The KMS group: starts the stand-in, builds uncached and cached implementations, measures each case with its KMS calls.
import { Fixtures } from './fixtures'
import type { Impl, ImplName } from './impls'
import { kmsCallHooks } from './kms-calls'
import type { Caching, KmsGroup } from './kms-cases'
import { startKmsHost } from './kms-host'
import type { KmsServerMode } from './kms-host'
import { createKmsImpls } from './kms-impls'
import { measureCase } from './runner'
import type { CaseResult } from './runner'

export interface KmsOutcome {
  /** The group with a note on where the stand-in ran. */
  group: KmsGroup
  results: CaseResult[]
}

export async function measureKmsGroup(
  group: KmsGroup,
  mode: KmsServerMode,
  progress: (text: string) => void,
): Promise<KmsOutcome> {
  const host = await startKmsHost(mode)
  try {
    const impls = {} as Record<Caching, Record<ImplName, Impl>>
    const fixtures = {} as Record<Caching, Fixtures>
    for (const caching of ['uncached', 'cached'] as const) impls[caching] = createKmsImpls(host, caching)
    // Every message, cached or not, must decrypt with the official SDK's plain KMS keyring.
    for (const caching of ['uncached', 'cached'] as const) fixtures[caching] = new Fixtures(impls.uncached.official)
    const hooks = kmsCallHooks(host)
    const results: CaseResult[] = []
    for (const [i, c] of group.cases.entries()) {
      progress(`[${group.id} ${i + 1}/${group.cases.length}] ${c.id}`)
      results.push(await measureCase(c, group.unit, impls[c.caching], fixtures[c.caching], hooks))
    }
    return { group: { ...group, notes: [...group.notes, `the stand-in ran ${host.where}`] }, results }
  } finally {
    await host.close()
  }
}
