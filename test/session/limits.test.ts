// Decrypt and encrypt limits: maxBodySize per frame as the official SDK applies it, maxEncryptedDataKeys on both sides.
import test from 'ava'
import { InvalidArgumentError, LimitExceededError } from '../../lib/core/errors'
import { MultiKeyringNode } from '../../lib/materials/multi-keyring'
import { P, aesKeyring, client, officialAesKeyring, officialReader } from './fixtures'

const twoKeys = (): MultiKeyringNode =>
  new MultiKeyringNode({ generator: aesKeyring('a'), children: [aesKeyring('b')] })

// Official semantics: maxBodySize bounds the content length of every frame; 0 or unset means no limit.
const BODY_CASES: ReadonlyArray<readonly [plaintextLength: number, frameLength: number, maxBodySize: number]> = [
  [10_000, 4096, 4095],
  [10_000, 4096, 4096],
  [10_000, 4096, 1 << 20],
  [5000, 4096, 1000],
  [100, 4096, 1000],
  [100, 4096, 99],
  [100, 4096, 100],
  [10_000, 4096, 0],
  [0, 4096, 1],
]

test('maxBodySize refuses exactly the messages the official SDK refuses', async (t) => {
  const c = client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  for (const [plaintextLength, frameLength, maxBodySize] of BODY_CASES) {
    const label = `${plaintextLength} bytes, frame ${frameLength}, maxBodySize ${maxBodySize}`
    const { result } = await c.encrypt(aesKeyring(), Buffer.alloc(plaintextLength, 1), { frameLength })
    let officialRefuses = false
    try {
      await officialReader.decrypt(officialAesKeyring(), result, { maxBodySize })
    } catch {
      officialRefuses = true
    }
    if (officialRefuses) {
      const err = await t.throwsAsync(
        c.decrypt(aesKeyring(), result, { maxBodySize }),
        { instanceOf: LimitExceededError },
        label,
      )
      t.is(err?.code, 'LIMIT_EXCEEDED', label)
    } else {
      t.is((await c.decrypt(aesKeyring(), result, { maxBodySize })).plaintext.length, plaintextLength, label)
    }
  }
})

test('maxBodySize: a frame larger than the limit is refused before any plaintext is produced', async (t) => {
  const c = client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const { result } = await c.encrypt(aesKeyring(), Buffer.alloc(10_000, 1), { frameLength: 4096 })
  await t.throwsAsync(c.decrypt(aesKeyring(), result, { maxBodySize: 4095 }), { instanceOf: LimitExceededError })
})

test('maxBodySize: negative or fractional values are refused', async (t) => {
  const c = client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const { result } = await c.encrypt(aesKeyring(), 'x')
  for (const maxBodySize of [-1, 1.5]) {
    await t.throwsAsync(
      c.decrypt(aesKeyring(), result, { maxBodySize }),
      { instanceOf: InvalidArgumentError },
      String(maxBodySize),
    )
  }
})

test('maxEncryptedDataKeys on decrypt: a message with more EDKs is refused', async (t) => {
  const { result } = await client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT).encrypt(twoKeys(), 'two EDKs')
  const err = await t.throwsAsync(
    client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, { maxEncryptedDataKeys: 1 }).decrypt(aesKeyring('a'), result),
    {
      instanceOf: LimitExceededError,
    },
  )
  t.is(err?.code, 'LIMIT_EXCEEDED')
  const ok = await client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, { maxEncryptedDataKeys: 2 }).decrypt(
    aesKeyring('b'),
    result,
  )
  t.is(ok.plaintext.toString(), 'two EDKs')
})

test('maxEncryptedDataKeys on encrypt: materials with more EDKs are refused', async (t) => {
  await t.throwsAsync(client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, { maxEncryptedDataKeys: 1 }).encrypt(twoKeys(), 'x'), {
    instanceOf: LimitExceededError,
  })
  const { messageHeader } = await client(P.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, { maxEncryptedDataKeys: 2 }).encrypt(
    twoKeys(),
    'x',
  )
  t.is(messageHeader.encryptedDataKeys.length, 2)
})
