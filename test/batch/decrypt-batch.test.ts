// decryptBatch: input order, corrupted records fail alone, EDK count and maxBodySize per record, one unwrap per distinct EDK set (memo wiped), reproduced contexts, official messages.
import test from 'ava'
import * as official from '@aws-crypto/client-node'
import { EncryptedDataKey } from '../../lib/format/header'
import { KeyringNode } from '../../lib/materials/keyring'
import { MultiKeyringNode } from '../../lib/materials/multi-keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { eachBackend } from '../backend/backends'
import {
  cachingCmm,
  clientFor,
  keyring,
  messages,
  officialKeyring,
  plaintextOf,
  plaintexts,
  policyFor,
} from './helpers'

/** Raw AES inside; counts unwraps and keeps every decryption material it filled, to check they end wiped. */
class WatchingKeyring extends KeyringNode {
  unwraps = 0
  readonly filled: NodeDecryptionMaterial[] = []
  readonly inner = keyring()
  protected override _onDecryptSync(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): NodeDecryptionMaterial | undefined {
    this.unwraps++
    const result = this.inner.onDecryptSync(material, edks)
    if (material.hasUnencryptedDataKey) this.filled.push(material)
    return result
  }
  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    return this.inner.onEncrypt(material)
  }
  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    const result = this._onDecryptSync(material, edks)
    return result ?? material
  }
}

function flip(message: Buffer, at: number): Buffer {
  const copy = Buffer.from(message)
  copy[at] = ((copy[at] as number) ^ 0x01) & 0xff
  return copy
}

eachBackend('corrupted records fail alone, each with its own typed error; the others open', async (t, backend) => {
  for (const suiteId of [0x0478, 0x0578, 0x0178]) {
    const client = clientFor(backend, policyFor(suiteId))
    const input = Array.from({ length: 8 }, (_, i) => plaintextOf(200 + i, i))
    const good = messages(await client.encryptBatch(keyring(), input, { suiteId }))
    const otherKey = messages(
      await client.encryptBatch(keyring('someone else'), [Buffer.from('x')], { suiteId }),
    )[0] as Buffer
    const m = (i: number): Buffer => good[i] as Buffer
    const records = [
      m(0),
      flip(m(1), m(1).length - (suiteId === 0x0578 ? 110 : 5)), // a body tag
      m(2),
      m(3).subarray(0, m(3).length - 3), // truncated
      flip(m(4), 40), // inside the header (message id or context): header tag / commitment
      Buffer.from('not a message at all'),
      otherKey, // an EDK this keyring cannot unwrap
      m(7),
    ]
    const out = await client.decryptBatch(keyring(), records)
    const where = `suite 0x${suiteId.toString(16)}`
    t.deepEqual(
      out.map((e) => (e.ok ? 'ok' : e.error.code)),
      [
        'ok',
        'AUTHENTICATION_FAILED',
        'ok',
        'MALFORMED_MESSAGE',
        out[4]?.ok === false ? out[4].error.code : 'ok',
        'MALFORMED_MESSAGE',
        'KEYRING',
        'ok',
      ],
      where,
    )
    t.false(out[4]?.ok, `${where}: a changed header never opens`)
    for (const i of [0, 2, 7]) {
      const e = out[i]
      t.true(e?.ok && e.plaintext.equals(input[i] as Buffer), `${where} record ${i}`)
    }
  }
})

eachBackend('a signed record with a bad signature fails alone', async (t, backend) => {
  const client = clientFor(backend)
  const good = messages(
    await client.encryptBatch(keyring(), [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')], { suiteId: 0x0578 }),
  )
  const last = good[1] as Buffer
  const out = await client.decryptBatch(keyring(), [good[0] as Buffer, flip(last, last.length - 2), good[2] as Buffer])
  t.deepEqual(
    out.map((e) => (e.ok ? e.plaintext.toString() : e.error.code)),
    ['a', 'AUTHENTICATION_FAILED', 'c'],
  )
})

eachBackend('maxEncryptedDataKeys and maxBodySize apply per record', async (t, backend) => {
  const client = clientFor(backend, undefined, 1)
  const two = new MultiKeyringNode({ generator: keyring(), children: [keyring('second')] })
  const oneEdk = messages(await clientFor(backend).encryptBatch(keyring(), [Buffer.from('one')]))[0] as Buffer
  const twoEdks = messages(await clientFor(backend).encryptBatch(two, [Buffer.from('two')]))[0] as Buffer
  const out = await client.decryptBatch(keyring(), [oneEdk, twoEdks, oneEdk])
  t.deepEqual(
    out.map((e) => (e.ok ? e.plaintext.toString() : e.error.code)),
    ['one', 'LIMIT_EXCEEDED', 'one'],
  )

  const sized = messages(
    await clientFor(backend).encryptBatch(
      keyring(),
      [plaintextOf(100, 1), plaintextOf(5000, 2), plaintextOf(1000, 3)],
      { frameLength: 1000 },
    ),
  )
  const limited = await clientFor(backend).decryptBatch(keyring(), sized, { maxBodySize: 1000 })
  t.deepEqual(
    limited.map((e) => (e.ok ? 'ok' : e.error.code)),
    ['ok', 'ok', 'ok'],
  )
  const tighter = await clientFor(backend).decryptBatch(keyring(), sized, { maxBodySize: 999 })
  t.deepEqual(
    tighter.map((e) => (e.ok ? 'ok' : e.error.code)),
    ['ok', 'LIMIT_EXCEEDED', 'LIMIT_EXCEEDED'],
  )
})

eachBackend(
  'records with the same EDKs share one unwrap (a per-batch memo without a cache), wiped at the end',
  async (t, backend) => {
    const client = clientFor(backend)
    // 30 records under 3 data keys: a caching CMM with 10 messages per key.
    const cmm = cachingCmm(10)
    const input = Array.from({ length: 30 }, (_, i) => plaintextOf(64, i))
    const sealed = messages(
      await client.encryptBatch(cmm, input, { suiteId: 0x0478, encryptionContext: { memo: 'yes' } }),
    )
    const watching = new WatchingKeyring()
    const opened = plaintexts(await client.decryptBatch(watching, sealed))
    opened.forEach((p, i) => t.true(p.equals(input[i] as Buffer)))
    t.is(watching.unwraps, 3)
    t.true(
      watching.filled.length === 3 && watching.filled.every((m) => !m.hasUnencryptedDataKey),
      'every unwrapped key was wiped',
    )
  },
)

eachBackend(
  'the reproduced context: shared, or per record; a record whose context does not match fails alone',
  async (t, backend) => {
    const client = clientFor(backend)
    const sealed = messages(
      await client.encryptBatch(keyring(), [Buffer.from('a'), Buffer.from('b')], {
        suiteId: 0x0478,
        encryptionContext: { tenant: 'blue' },
      }),
    )
    const shared = await client.decryptBatch(keyring(), sealed, {
      encryptionContext: { tenant: 'blue' },
      messageHeaders: true,
    })
    t.deepEqual(
      shared.map((e) => (e.ok ? e.plaintext.toString() : e.error.code)),
      ['a', 'b'],
    )
    t.is(shared[0]?.ok ? shared[0].messageHeader?.encryptionContext.tenant : '', 'blue')
    const mixed = await client.decryptBatch(keyring(), [
      { ciphertext: sealed[0] as Buffer, encryptionContext: { tenant: 'red' } },
      { ciphertext: sealed[1] as Buffer, encryptionContext: { tenant: 'blue' } },
    ])
    t.deepEqual(
      mixed.map((e) => (e.ok ? e.plaintext.toString() : e.error.code)),
      ['INVALID_ARGUMENT', 'b'],
    )
  },
)

eachBackend(
  'messages written by the official SDK open in a batch, with their headers on request',
  async (t, backend) => {
    const theirs = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
    const input = Array.from({ length: 6 }, (_, i) => plaintextOf(i * 700, i))
    const sealed: Buffer[] = []
    for (const [i, p] of input.entries()) {
      const { result } = await theirs.encrypt(officialKeyring(), p, {
        encryptionContext: { from: 'official' },
        suiteId: i % 2 === 0 ? 0x0478 : 0x0578,
      })
      sealed.push(Buffer.from(result))
    }
    const out = await clientFor(backend).decryptBatch(keyring(), sealed, { messageHeaders: true })
    out.forEach((e, i) => {
      t.true(e.ok && e.plaintext.equals(input[i] as Buffer), `record ${i}`)
      t.is(e.ok ? e.messageHeader?.encryptionContext.from : '', 'official')
    })
  },
)

test('an empty batch and bad arguments', async (t) => {
  const { jsBackend } = await import('../../lib/backend/js-backend')
  const client = clientFor(jsBackend)
  t.deepEqual(await client.decryptBatch(keyring(), []), [])
  t.deepEqual(await client.encryptBatch(keyring(), new Set<Buffer>()), [])
  await t.throwsAsync(client.decryptBatch(keyring(), [Buffer.from('x')], { maxBodySize: -1 }), {
    code: 'INVALID_ARGUMENT',
  })
  const out = await client.decryptBatch(keyring(), [42 as unknown as Buffer])
  t.is(out[0]?.ok === false ? out[0].error.code : '', 'INVALID_ARGUMENT')
})

test('a backend fault fails the records of its call as NATIVE_BINDING, never as a keyring error', async (t) => {
  const { jsBackend } = await import('../../lib/backend/js-backend')
  const { decryptMany } = await import('../../lib/batch/decrypt-many')
  const { encryptMany } = await import('../../lib/batch/encrypt-many')
  const { NodeDefaultCryptographicMaterialsManager } = await import('../../lib/materials/default-cmm')
  const { CommitmentPolicy } = await import('../../lib/core/policy')
  const fault = (): never => {
    throw new RangeError('table out of range')
  }
  const broken = { ...jsBackend, sealBatch: fault, openBatch: fault }
  const settings = {
    backend: broken,
    commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
    maxEncryptedDataKeys: false as const,
  }
  const cmm = new NodeDefaultCryptographicMaterialsManager(keyring())
  const sealedOk = messages(await clientFor(jsBackend).encryptBatch(keyring(), [Buffer.from('a'), Buffer.from('b')]))
  const opened = await decryptMany(settings, cmm, sealedOk, {
    maxBodySize: undefined,
    encryptionContext: undefined,
    messageHeaders: false,
    encoding: 'utf8',
  })
  t.deepEqual(
    opened.map((e) => (e.ok ? 'ok' : e.error.code)),
    ['NATIVE_BINDING', 'NATIVE_BINDING'],
  )
  const sealed = await encryptMany(settings, cmm, [Buffer.from('a')], {
    suite: undefined,
    frameLength: 4096,
    encryptionContext: {},
    messageHeaders: false,
    encoding: 'utf8',
  })
  t.deepEqual(
    sealed.map((e) => (e.ok ? 'ok' : e.error.code)),
    ['NATIVE_BINDING'],
  )
})
