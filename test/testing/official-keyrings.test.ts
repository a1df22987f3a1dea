// The official @aws-crypto/client-node KMS keyrings run unchanged against the stand-in (strict, discovery, MRK-aware).
import test from 'ava'
import * as official from '@aws-crypto/client-node'
import { KMS } from '@aws-sdk/client-kms'
import { startKms } from './helpers'

test('official strict, discovery and MRK-aware keyrings round-trip through the stand-in', async (t) => {
  const kms = await startKms(t)
  const clients: KMS[] = []
  const clientProvider = (region: string): KMS => {
    const client = new KMS(kms.clientConfig(region))
    clients.push(client)
    return client
  }
  t.teardown(() => clients.forEach((c) => c.destroy()))
  const { encrypt, decrypt } = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const generator = kms.keys.keyArn('us-west-2')
  const foreign = kms.keys.keyArn('eu-west-1', { account: '444455556666' })
  const strict = new official.KmsKeyringNode({
    clientProvider,
    generatorKeyId: generator,
    keyIds: [kms.keys.mrkArn('us-east-1'), foreign],
    grantTokens: ['gt'],
  })
  const { result } = await encrypt(strict, 'hello', { encryptionContext: { purpose: 'interop' } })
  t.is((await decrypt(strict, result)).plaintext.toString(), 'hello')
  t.deepEqual(
    kms.calls.map((c) => [c.op, c.region, c.grantTokens.join()]),
    [
      ['GenerateDataKey', 'us-west-2', 'gt'],
      ['Encrypt', 'us-east-1', 'gt'],
      ['Encrypt', 'eu-west-1', 'gt'],
      ['Decrypt', 'us-west-2', 'gt'],
    ],
  )
  kms.clearCalls()
  const discovery = new official.KmsKeyringNode({
    clientProvider,
    discovery: true,
    discoveryFilter: { partition: 'aws', accountIDs: ['444455556666'] },
  })
  t.is((await decrypt(discovery, result)).plaintext.toString(), 'hello')
  t.deepEqual(
    kms.calls.map((c) => c.resolvedKeyArn),
    [foreign],
  )
  kms.clearCalls()
  const mrk = new official.AwsKmsMrkAwareSymmetricKeyringNode({
    client: clientProvider('us-west-2'),
    keyId: kms.keys.mrkArn('us-west-2'),
  })
  t.is((await decrypt(mrk, result)).plaintext.toString(), 'hello')
  t.like(kms.calls[0], { op: 'Decrypt', region: 'us-west-2', keyId: kms.keys.mrkArn('us-west-2'), ok: true })
})
