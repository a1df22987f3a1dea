// The branch key store's AWS KMS configuration (branch-key-store.md "AWS KMS Configuration"): one key, one MRK, Discovery or MRDiscovery.
import { needs } from '../../core/errors'
import { AwsKmsArn, isMultiRegionAwsKmsArn, multiRegionArnInRegion, parseAwsKmsKeyArn } from '../kms/arn'
import { mrkAwareAwsKmsKeyIdCompare } from '../kms/mrk-match'

export interface KMSSingleRegionKey {
  identifier: string
}
export interface KMSMultiRegionKey {
  mrkIdentifier: string
}
export type Discovery = 'discovery'
export interface MrDiscovery {
  region: string
}
/** The official union. */
export type KmsConfig = KMSSingleRegionKey | KMSMultiRegionKey | Discovery | MrDiscovery

/** The official class: which KMS key a branch key record may name, and which KeyId to decrypt it with. */
export class KmsKeyConfig {
  readonly _config: KmsConfig
  readonly _arn: string | undefined
  readonly _parsedArn: AwsKmsArn | undefined
  readonly _mrkRegion: string | undefined

  constructor(config: KmsConfig) {
    needs(
      !!config && (typeof config === 'object' || typeof config === 'string'),
      'Config must be a `discovery` or an object.',
    )
    this._config = config
    let arn: string | undefined
    let parsed: AwsKmsArn | undefined
    let region: string | undefined
    if (typeof config === 'string') {
      needs(config === 'discovery', 'Unexpected config shape')
    } else if ('identifier' in config || 'mrkIdentifier' in config) {
      arn = 'identifier' in config ? config.identifier : config.mrkIdentifier
      needs(typeof arn === 'string', 'ARN must be a string')
      // branch-key-store.md: this ARN MUST NOT be an alias and MUST be a valid AWS KMS key ARN.
      parsed = parseAwsKmsKeyArn(arn)
      needs(parsed, `${arn} must be a well-formed AWS KMS non-alias resource arn`)
    } else if ('region' in config) {
      needs(typeof config.region === 'string' && config.region !== '', 'MRDiscovery needs a region')
      region = config.region
    } else {
      needs(false, 'Unexpected config shape')
    }
    this._arn = arn
    this._parsedArn = parsed
    this._mrkRegion = region
    Object.freeze(this)
  }

  /** The region a default client is made for: the ARN's, the MRDiscovery region, or none (the SDK default) for Discovery. */
  getRegion(): string | undefined {
    return this._parsedArn?.region ?? this._mrkRegion
  }

  /** The key ARN to create branch keys under; undefined for the discovery configurations, which cannot create or version. */
  get keyArn(): string | undefined {
    return this._arn
  }

  /** branch-key-store.md "AWS Key ARN Compatibility". Discovery compares nothing but refuses aliases. */
  isCompatibleWithArn(otherArn: string): boolean {
    if (this._arn === undefined) {
      needs(parseAwsKmsKeyArn(otherArn), `${otherArn} must be a well-formed AWS KMS non-alias resource arn`)
      return true
    }
    if (typeof this._config === 'object' && 'identifier' in this._config) return this._arn === otherArn
    return mrkAwareAwsKmsKeyIdCompare(this._arn, otherArn)
  }

  /** branch-key-store.md "AWS KMS Branch Key Decryption": the KeyId to pass to Decrypt for a record's `kms-arn`. */
  getCompatibleArnArn(otherArn: string): string {
    needs(
      this.isCompatibleWithArn(otherArn),
      'KMS ARN from DDB response item MUST be compatible with the configured KMS Key in the AWS KMS Configuration for this keystore',
    )
    if (this._config === 'discovery') return otherArn
    if (this._mrkRegion !== undefined) {
      const parsed = parseAwsKmsKeyArn(otherArn)
      needs(parsed, `KMS ARN from the keystore is not an ARN: ${otherArn}`)
      return isMultiRegionAwsKmsArn(parsed) ? multiRegionArnInRegion(parsed, this._mrkRegion) : otherArn
    }
    return this._arn as string
  }
}
