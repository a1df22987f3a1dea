// KMS identifiers: formatting key and alias ARNs and classifying a KeyId as ARN, key id, alias name or alias ARN.

export type KeyIdentifier =
  | {
      readonly kind: 'key-arn'
      readonly partition: string
      readonly region: string
      readonly account: string
      readonly keyId: string
    }
  | {
      readonly kind: 'alias-arn'
      readonly partition: string
      readonly region: string
      readonly account: string
      readonly alias: string
    }
  | { readonly kind: 'key-id'; readonly keyId: string }
  | { readonly kind: 'alias-name'; readonly alias: string }
  | { readonly kind: 'invalid' }

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}

export function keyArn(partition: string, region: string, account: string, keyId: string): string {
  return `arn:${partition}:kms:${region}:${account}:key/${keyId}`
}

export function aliasArn(partition: string, region: string, account: string, alias: string): string {
  return `arn:${partition}:kms:${region}:${account}:${alias}`
}

export function isMrkId(keyId: string): boolean {
  return keyId.startsWith('mrk-')
}

export function isAliasName(name: string): boolean {
  return /^alias\/[A-Za-z0-9/_-]+$/.test(name)
}

const ARN = /^arn:([a-z-]+):kms:([a-z0-9-]+):(\d{12}):(key\/[^/\s]+|alias\/[A-Za-z0-9/_-]+)$/

export function parseKeyIdentifier(text: string): KeyIdentifier {
  if (text.startsWith('arn:')) {
    const m = ARN.exec(text)
    if (m === null) return { kind: 'invalid' }
    const [, partition = '', region = '', account = '', resource = ''] = m
    return resource.startsWith('key/')
      ? { kind: 'key-arn', partition, region, account, keyId: resource.slice('key/'.length) }
      : { kind: 'alias-arn', partition, region, account, alias: resource }
  }
  if (text.startsWith('alias/')) return isAliasName(text) ? { kind: 'alias-name', alias: text } : { kind: 'invalid' }
  return /^[A-Za-z0-9-]+$/.test(text) ? { kind: 'key-id', keyId: text } : { kind: 'invalid' }
}
