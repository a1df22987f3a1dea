// The default key set: a single-Region key per account and region, and a multi-Region key per account replicated across its partition.
import { partitionOf } from './arn'
import type { KeyStore } from './key-store'

export const DEFAULT_ACCOUNTS: readonly string[] = ['111122223333', '444455556666']
export const DEFAULT_REGIONS: readonly string[] = ['us-west-2', 'us-east-1', 'eu-west-1']
export const DEFAULT_ALIAS = 'alias/local-kms'
export const DEFAULT_MRK_ALIAS = 'alias/local-kms-mrk'

export function createDefaultKeys(store: KeyStore, accounts: readonly string[], regions: readonly string[]): void {
  for (const account of accounts) {
    for (const region of regions) store.create({ region, account, alias: DEFAULT_ALIAS })
  }
  const [first, ...rest] = regions
  if (first === undefined) return
  const replicas = rest.filter((r) => partitionOf(r) === partitionOf(first))
  for (const account of accounts)
    store.create({ region: first, account, replicas, multiRegion: true, alias: DEFAULT_MRK_ALIAS })
}
