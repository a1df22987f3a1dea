// kms.keys: creating keys and aliases, finding the default keys' ARNs, and switching a key's state at runtime.
import { aliasArn, partitionOf } from './arn'
import { DEFAULT_ALIAS, DEFAULT_MRK_ALIAS } from './default-keys'
import type { KeyStore } from './key-store'
import type { CreateKeySpec, LocalKmsKey, LocalKmsKeys } from './types'

export function keysFacade(store: KeyStore): LocalKmsKeys {
  const aliasArnOf = (region: string, options: { readonly account?: string; readonly alias?: string } = {}): string =>
    aliasArn(partitionOf(region), region, options.account ?? store.callerAccount, options.alias ?? DEFAULT_ALIAS)
  const keyArnOf = (region: string, options: { readonly account?: string; readonly alias?: string } = {}): string => {
    const arn = aliasArnOf(region, options)
    const key = store.aliasTarget(arn)
    if (key === undefined) throw new TypeError(`no alias ${arn}`)
    return key.arn
  }
  return {
    createKey: (spec: CreateKeySpec): LocalKmsKey => store.snapshot(store.create(spec)),
    keyArn: keyArnOf,
    mrkArn: (region, options = {}) => keyArnOf(region, { ...options, alias: DEFAULT_MRK_ALIAS }),
    aliasArn(region, options = {}) {
      keyArnOf(region, options)
      return aliasArnOf(region, options)
    },
    replicaArn(arn, region) {
      const key = store.mustGet(arn)
      const replica = key.multiRegion ? store.related(key, region) : undefined
      if (replica === undefined) throw new TypeError(`${arn} has no replica in ${region}`)
      return replica.arn
    },
    createAlias: (aliasName, arn) => store.createAlias(aliasName, arn),
    disableKey: (arn) => void (store.mustGet(arn).enabled = false),
    enableKey: (arn) => void (store.mustGet(arn).enabled = true),
    denyKey: (arn) => void (store.mustGet(arn).denied = true),
    allowKey: (arn) => void (store.mustGet(arn).denied = false),
    get(arn) {
      const key = store.get(arn)
      return key === undefined ? undefined : store.snapshot(key)
    },
    list: () => store.all().map((k) => store.snapshot(k)),
  }
}
