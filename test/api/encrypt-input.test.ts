// Encrypt/decrypt inputs: reserved aws-crypto- context keys, context value types, and Buffer/Uint8Array/string/stream inputs.
import test from 'ava'
import { Readable } from 'node:stream'
import * as official from '@aws-crypto/client-node'
import { buildClient } from '../../lib/api/client'
import { InvalidArgumentError } from '../../lib/core/errors'
import { CommitmentPolicy } from '../../lib/core/policy'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'

const KEY = Buffer.alloc(32, 2)
const keyring = new RawAesKeyringNode({
  keyName: 'k',
  keyNamespace: 'api-tests',
  unencryptedMasterKey: KEY,
  wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
})
const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)

test('context keys starting with aws-crypto- are refused on encrypt, for signed and unsigned suites', async (t) => {
  for (const suiteId of [0x0478, 0x0578]) {
    for (const key of ['aws-crypto-public-key', 'aws-crypto-', 'aws-crypto-anything']) {
      const err = await t.throwsAsync(
        client.encrypt(keyring, 'x', { suiteId, encryptionContext: { ok: 'v', [key]: 'v' } }),
        {
          instanceOf: InvalidArgumentError,
        },
      )
      t.is(err?.code, 'INVALID_ARGUMENT', `${key} with 0x${suiteId.toString(16)}`)
    }
  }
})

test('keys that only resemble the reserved prefix are allowed', async (t) => {
  for (const key of ['aws-crypto', 'aws-cryptography', 'AWS-CRYPTO-public-key', 'x-aws-crypto-']) {
    const { result, messageHeader } = await client.encrypt(keyring, 'x', {
      suiteId: 0x0478,
      encryptionContext: { [key]: 'v' },
    })
    t.is(messageHeader.encryptionContext[key], 'v')
    t.is((await client.decrypt(keyring, result)).plaintext.toString(), 'x')
  }
})

test('context values must be strings', async (t) => {
  for (const encryptionContext of [{ a: 1 }, { a: null }, { a: ['b'] }, ['a', 'b'], 'a=b']) {
    await t.throwsAsync(
      client.encrypt(keyring, 'x', { encryptionContext: encryptionContext as unknown as Record<string, string> }),
      {
        instanceOf: InvalidArgumentError,
      },
    )
  }
})

test('a string plaintext is encrypted as its UTF-8 bytes', async (t) => {
  const text = 'héllo wörld — 😀'
  const { result } = await client.encrypt(keyring, text)
  t.deepEqual((await client.decrypt(keyring, result)).plaintext, Buffer.from(text, 'utf8'))
  // The official SDK reads the same bytes.
  const copy = Buffer.alloc(32)
  KEY.copy(copy)
  const theirs = new official.RawAesKeyringNode({
    keyName: 'k',
    keyNamespace: 'api-tests',
    unencryptedMasterKey: copy,
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting: true,
  })
  const o = await official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).decrypt(theirs, result)
  t.is(o.plaintext.toString('utf8'), text)
})

test('a readable stream of mixed chunks is encrypted as their concatenation', async (t) => {
  const chunks = [Buffer.from('abc'), 'déf', new Uint8Array([0x67, 0x68]), Buffer.alloc(5000, 0x69)]
  const { result } = await client.encrypt(keyring, Readable.from(chunks), { frameLength: 1024 })
  const expected = Buffer.concat([
    Buffer.from('abc'),
    Buffer.from('déf'),
    Buffer.from([0x67, 0x68]),
    Buffer.alloc(5000, 0x69),
  ])
  t.deepEqual((await client.decrypt(keyring, result)).plaintext, expected)
})

test('a readable stream of ciphertext chunks is decrypted', async (t) => {
  const plaintext = Buffer.alloc(3000, 0x33)
  const { result } = await client.encrypt(keyring, plaintext, { frameLength: 512 })
  const pieces: Buffer[] = []
  for (let o = 0; o < result.length; o += 7) pieces.push(result.subarray(o, o + 7))
  t.deepEqual((await client.decrypt(keyring, Readable.from(pieces))).plaintext, plaintext)
})

test('a Uint8Array view into a larger buffer is read at its own offset and length', async (t) => {
  const backing = Buffer.from('XXXXsecretYYYY')
  const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, 6)
  const { result } = await client.encrypt(keyring, view)
  t.is((await client.decrypt(keyring, result)).plaintext.toString(), 'secret')
  const padded = Buffer.concat([Buffer.alloc(3), result, Buffer.alloc(3)])
  const cview = new Uint8Array(padded.buffer, padded.byteOffset + 3, result.length)
  t.is((await client.decrypt(keyring, cview)).plaintext.toString(), 'secret')
})

test('an empty plaintext round-trips', async (t) => {
  const { result } = await client.encrypt(keyring, '')
  t.is((await client.decrypt(keyring, result)).plaintext.length, 0)
})

test('inputs that are not bytes, strings or streams are refused', async (t) => {
  for (const bad of [42, null, undefined, {}, [1, 2]]) {
    await t.throwsAsync(
      client.encrypt(keyring, bad as unknown as string),
      { instanceOf: InvalidArgumentError },
      String(bad),
    )
  }
})
