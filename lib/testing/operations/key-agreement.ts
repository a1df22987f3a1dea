// GetPublicKey and DeriveSharedSecret: the ECC key agreement keys' two operations, ECDH computed with the key's private half.
import { createPublicKey, diffieHellman, KeyObject } from 'node:crypto'
import { KmsFault } from '../errors'
import { grantTokens, optBool, optEnum, reqBlob, reqString, type Body } from '../input'
import { dryRun, type OperationContext } from './context'

const CURVES: Readonly<Record<string, string>> = {
  ECC_NIST_P256: 'prime256v1',
  ECC_NIST_P384: 'secp384r1',
  ECC_NIST_P521: 'secp521r1',
}

export function getPublicKey(body: Body, ctx: OperationContext): Record<string, unknown> {
  const keyId = reqString(body, 'KeyId', 2048)
  ctx.note({ keyId, grantTokens: grantTokens(body) })
  const key = ctx.use(ctx.store.resolve(keyId, ctx.region))
  if (!key.ecKey) throw new KmsFault('UnsupportedOperationException', `${key.arn} is not an asymmetric key.`)
  return {
    KeyId: key.arn,
    PublicKey: key.ecKey.publicKeyDer.toString('base64'),
    KeySpec: key.keySpec,
    CustomerMasterKeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    KeyAgreementAlgorithms: ['ECDH'],
  }
}

export function deriveSharedSecret(body: Body, ctx: OperationContext): Record<string, unknown> {
  const keyId = reqString(body, 'KeyId', 2048)
  ctx.note({ keyId, grantTokens: grantTokens(body) })
  const algorithm = optEnum(body, 'KeyAgreementAlgorithm', ['ECDH'] as const)
  if (algorithm === undefined)
    throw new KmsFault(
      'ValidationException',
      "1 validation error detected: Value null at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must not be null",
    )
  const publicKeyDer = reqBlob(body, 'PublicKey', 8192)
  const isDryRun = optBool(body, 'DryRun')
  const key = ctx.use(ctx.store.resolve(keyId, ctx.region))
  dryRun(isDryRun)
  if (!key.ecKey) throw new KmsFault('InvalidKeyUsageException', `${key.arn} is not a key agreement key.`)
  let peer: KeyObject
  try {
    peer = createPublicKey({ key: publicKeyDer, format: 'der', type: 'spki' })
  } catch {
    throw new KmsFault('ValidationException', 'PublicKey is not a valid DER-encoded X.509 SubjectPublicKeyInfo.')
  }
  if (peer.asymmetricKeyType !== 'ec' || peer.asymmetricKeyDetails?.namedCurve !== CURVES[key.keySpec]) {
    throw new KmsFault('ValidationException', `The public key does not match the curve of ${key.arn} (${key.keySpec}).`)
  }
  const secret = diffieHellman({ privateKey: key.ecKey.privateKey, publicKey: peer })
  try {
    return {
      KeyId: key.arn,
      SharedSecret: secret.toString('base64'),
      KeyAgreementAlgorithm: 'ECDH',
      KeyOrigin: 'AWS_KMS',
    }
  } finally {
    secret.fill(0)
  }
}
