// The wire: 127.0.0.1 only, JSON 1.1 error shapes, body size limit, malformed requests, and signing requirements.
import test from 'ava'
import { connect } from 'node:net'
import { networkInterfaces } from 'node:os'
import { EncryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms'
import { errorType, kmsClient, raw, startKms } from './helpers'

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.setTimeout(2000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

test('the server listens on 127.0.0.1 only', async (t) => {
  const kms = await startKms(t)
  t.is(kms.host, '127.0.0.1')
  t.is(kms.endpoint, `http://127.0.0.1:${kms.port}`)
  t.true(kms.port > 0)
  t.true(await canConnect('127.0.0.1', kms.port))
  t.false(await canConnect('::1', kms.port))
  const external = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && !i.internal)
    .map((i) => i?.address ?? '')
  for (const address of external) t.false(await canConnect(address, kms.port), address)
})

test('two servers get different free ports; a taken port is refused', async (t) => {
  const a = await startKms(t)
  const b = await startKms(t)
  t.not(a.port, b.port)
  await t.throwsAsync(startKms(t, { port: a.port }), { code: 'EADDRINUSE' })
})

test('an error reply is HTTP 400 with __type, message and x-amzn-ErrorType, as JSON 1.1', async (t) => {
  const kms = await startKms(t)
  const reply = await raw(kms, {
    target: 'TrentService.GenerateDataKey',
    body: JSON.stringify({ KeyId: 'alias/none', NumberOfBytes: 32 }),
  })
  t.is(reply.status, 400)
  t.is(reply.headers['content-type'], 'application/x-amz-json-1.1')
  t.is(reply.headers['x-amzn-errortype'], 'NotFoundException')
  t.regex(String(reply.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/)
  t.like(reply.json, { __type: 'NotFoundException' })
  t.regex((reply.json as { message: string }).message, /alias\/none/)
})

test('a success reply carries base64 blobs and the key ARN', async (t) => {
  const kms = await startKms(t)
  const reply = await raw(kms, {
    target: 'TrentService.GenerateDataKey',
    region: 'us-east-1',
    body: JSON.stringify({ KeyId: 'alias/local-kms', KeySpec: 'AES_256' }),
  })
  t.is(reply.status, 200)
  const json = reply.json as { KeyId: string; Plaintext: string; CiphertextBlob: string }
  t.is(json.KeyId, kms.keys.keyArn('us-east-1'))
  t.is(Buffer.from(json.Plaintext, 'base64').length, 32)
  t.regex(json.CiphertextBlob, /^[A-Za-z0-9+/]+=*$/)
})

test('bodies over the limit get 413 ValidationException, through raw HTTP and the SDK, and the server keeps serving', async (t) => {
  const kms = await startKms(t, { maxBodyBytes: 64 * 1024 })
  const reply = await raw(kms, {
    target: 'TrentService.Encrypt',
    body: JSON.stringify({ KeyId: 'alias/local-kms', Plaintext: 'A'.repeat(100_000) }),
  })
  t.is(reply.status, 413)
  t.is(errorType(reply), 'ValidationException')
  const client = kmsClient(t, kms, 'us-west-2')
  const err = await t.throwsAsync(
    client.send(new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: Buffer.alloc(200 * 1024) })),
    { name: 'ValidationException' },
  )
  t.is((err as unknown as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 413)
  await t.notThrowsAsync(client.send(new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 32 })))
  t.like(kms.calls[0], { op: 'Encrypt', ok: false, errorType: 'ValidationException' })
})

test('the default limit is 1 MiB', async (t) => {
  const kms = await startKms(t)
  const padding = 'x'.repeat(1024 * 1024)
  const reply = await raw(kms, {
    target: 'TrentService.Encrypt',
    body: JSON.stringify({ KeyId: 'alias/local-kms', Plaintext: 'AA==', Pad: padding }),
  })
  t.is(reply.status, 413)
  const small = await raw(kms, {
    target: 'TrentService.Encrypt',
    body: JSON.stringify({ KeyId: 'alias/local-kms', Plaintext: 'AA==', Pad: padding.slice(0, 1000) }),
  })
  t.is(small.status, 200)
})

test('malformed requests: bad JSON and wrong types are SerializationException', async (t) => {
  const kms = await startKms(t)
  const target = 'TrentService.Encrypt'
  const cases: Array<[string, string]> = [
    ['{not json', 'SerializationException'],
    ['[1,2]', 'SerializationException'],
    ['null', 'SerializationException'],
    [JSON.stringify({ KeyId: 5, Plaintext: 'AA==' }), 'SerializationException'],
    [JSON.stringify({ KeyId: 'alias/local-kms', Plaintext: 'not base64!' }), 'SerializationException'],
    [
      JSON.stringify({ KeyId: 'alias/local-kms', Plaintext: 'AA==', EncryptionContext: { a: 1 } }),
      'SerializationException',
    ],
    [
      JSON.stringify({ KeyId: 'alias/local-kms', Plaintext: 'AA==', EncryptionContext: ['a'] }),
      'SerializationException',
    ],
    [JSON.stringify({ KeyId: 'alias/local-kms', Plaintext: 'AA==', GrantTokens: 'g' }), 'SerializationException'],
    [JSON.stringify({ KeyId: 'alias/local-kms' }), 'ValidationException'],
    [
      JSON.stringify({ KeyId: 'alias/local-kms', Plaintext: 'AA==', EncryptionAlgorithm: 'ROT13' }),
      'ValidationException',
    ],
  ]
  for (const [body, expected] of cases) {
    const reply = await raw(kms, { target, body })
    t.is(reply.status, 400, body)
    t.is(errorType(reply), expected, body)
  }
})

test('a context key named __proto__ is an ordinary key', async (t) => {
  const kms = await startKms(t)
  const body = '{"KeyId":"alias/local-kms","Plaintext":"AA==","EncryptionContext":{"__proto__":"x"}}'
  const sealed = await raw(kms, { target: 'TrentService.Encrypt', body })
  t.is(sealed.status, 200)
  const blob = (sealed.json as { CiphertextBlob: string }).CiphertextBlob
  const wrong = await raw(kms, { target: 'TrentService.Decrypt', body: JSON.stringify({ CiphertextBlob: blob }) })
  t.is(errorType(wrong), 'InvalidCiphertextException')
  const right = await raw(kms, {
    target: 'TrentService.Decrypt',
    body: `{"CiphertextBlob":"${blob}","EncryptionContext":{"__proto__":"x"}}`,
  })
  t.is(right.status, 200)
  t.deepEqual(Object.keys(kms.calls[0]?.encryptionContext ?? {}), ['__proto__'])
})

test('unknown operations, targets, methods, paths and content types are refused', async (t) => {
  const kms = await startKms(t)
  t.is(errorType(await raw(kms, { target: 'TrentService.DescribeKey' })), 'UnknownOperationException')
  t.is(errorType(await raw(kms, { target: 'DynamoDB_20120810.GetItem' })), 'UnknownOperationException')
  t.is(errorType(await raw(kms, {})), 'UnknownOperationException')
  t.is((await raw(kms, { method: 'GET', target: 'TrentService.Encrypt' })).status, 405)
  t.is((await raw(kms, { path: '/other', target: 'TrentService.Encrypt' })).status, 404)
  t.is(
    errorType(await raw(kms, { target: 'TrentService.Encrypt', headers: { 'content-type': 'text/plain' } })),
    'SerializationException',
  )
})

test('requests must be SigV4-signed for kms; the region comes from the credential scope', async (t) => {
  const kms = await startKms(t)
  const body = JSON.stringify({ KeyId: 'alias/local-kms', NumberOfBytes: 16 })
  const target = 'TrentService.GenerateDataKey'
  t.is(errorType(await raw(kms, { target, body, authorization: null })), 'MissingAuthenticationTokenException')
  t.is(errorType(await raw(kms, { target, body, authorization: 'Bearer x' })), 'IncompleteSignatureException')
  t.is(
    errorType(
      await raw(kms, {
        target,
        body,
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/s3/aws4_request, SignedHeaders=host, Signature=0',
      }),
    ),
    'IncompleteSignatureException',
  )
  const ok = await raw(kms, { target, body, region: 'eu-west-1' })
  t.is((ok.json as { KeyId: string }).KeyId, kms.keys.keyArn('eu-west-1'))
  t.deepEqual(
    kms.calls.map((c) => c.region),
    ['', '', '', 'eu-west-1'],
  )
})
