// Reads the SigV4 credential scope (access key, date, region, service) from an Authorization header; no signature check.
import { KmsFault } from './errors'

export interface CredentialScope {
  readonly accessKeyId: string
  readonly region: string
  readonly service: string
}

const SCOPE = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request\s*,/

export function credentialScope(authorization: string | undefined): CredentialScope {
  if (authorization === undefined || authorization === '') {
    throw new KmsFault('MissingAuthenticationTokenException', 'Missing Authentication Token')
  }
  const m = SCOPE.exec(authorization)
  if (m === null)
    throw new KmsFault(
      'IncompleteSignatureException',
      'The Authorization header is not a SigV4 signature with a credential scope',
    )
  const [, accessKeyId = '', , region = '', service = ''] = m
  if (service !== 'kms')
    throw new KmsFault('IncompleteSignatureException', `Credential should be scoped to correct service: 'kms'`)
  return { accessKeyId, region, service }
}
