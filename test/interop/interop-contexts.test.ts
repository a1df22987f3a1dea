// Encryption-context interop in both directions: empty, Cyrillic, emoji, CJK, mixed and long non-BMP contexts survive the crossing byte-exactly.
import test, { type ExecutionContext } from 'ava'
import {
  SIDES,
  type Side,
  type SuiteName,
  aesPair,
  decryptWith,
  direction,
  encryptWith,
  hex4,
  other,
  plaintextOf,
  suiteByName,
  withoutPublicKey,
} from './helpers'

const CONTEXTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  empty: {},
  Cyrillic: { ключ: 'значение', Привет: 'мир', ёж: 'Ёлка' },
  emoji: { '🔑': '🔒', '\u{1F600}': '🙃🙃', 'mixed 🔥 key': 'value ✨', '👩‍👩‍👧': 'family (ZWJ sequence)' },
  CJK: { 鍵: '値', 暗号化: 'コンテキスト', 加密上下文: '数据', 암호화: '문맥' },
  mixed: { a: '1', B: '2', é: '3', Z: '4', ключ: 'значение', '🔑': '🔒', 鍵: '値', '': 'empty key', 'empty value': '' },
  'long non-BMP value': { music: '𝄞'.repeat(500), ℕ: 'ascii and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢' },
  // Object.entries lists integer-like keys first, in numeric order, whatever the insertion order.
  'integer-like keys': { '10': 'ten', '2': 'two', '1': 'one', '-1': 'minus one', '01': 'zero one' },
}

/**
 * Two wire-compatible configurations: our default (UTF-8 order) with the official keyring's
 * utf8Sorting:true, and our legacy utf8Sorting:false with the official default.
 */
const MODES = {
  'UTF-8 order': () => aesPair({ officialUtf8Sorting: true }),
  'legacy localeCompare order': () => aesPair({ oursUtf8Sorting: false }),
} as const
type Mode = keyof typeof MODES

const SUITES_USED: readonly SuiteName[] = [
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256',
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
]

const contextMacro = test.macro({
  async exec(t, name: string, mode: Mode, suite: SuiteName, from: Side) {
    const context = CONTEXTS[name]
    if (!context) throw new Error(`no context ${name}`)
    const keyrings = MODES[mode]()
    const { policy } = suiteByName(suite)
    const plaintext = plaintextOf(1500, name.length)
    const encrypted = await encryptWith(from, keyrings, plaintext, { suite, context, frameLength: 512 })
    t.deepEqual(
      withoutPublicKey(encrypted.header.encryptionContext),
      { ...context },
      'encrypting side reports the context',
    )
    const decrypted = await decryptWith(other(from), keyrings, encrypted.ciphertext, policy)
    t.true(decrypted.plaintext.equals(plaintext))
    t.deepEqual(
      withoutPublicKey(decrypted.header.encryptionContext),
      { ...context },
      'decrypting side reports the same context',
    )
    // Keys and values must be the same code points, not merely equal-looking strings.
    for (const [k, v] of Object.entries(context)) {
      t.is(
        Buffer.from(decrypted.header.encryptionContext[k] ?? '\u{FFFD}', 'utf8').toString('hex'),
        Buffer.from(v, 'utf8').toString('hex'),
      )
    }
  },
  title: (_p, name: string, mode: Mode, suite: SuiteName, from: Side) =>
    `${name} context, ${mode}, ${hex4(suiteByName(suite).id)}: ${direction(from, other(from))}`,
})

for (const name of Object.keys(CONTEXTS)) {
  for (const mode of Object.keys(MODES) as Mode[]) {
    for (const suite of SUITES_USED) {
      for (const from of SIDES) test(contextMacro, name, mode, suite, from)
    }
  }
}

// A key spelled "__proto__" is an ordinary context key on the wire (JSON.parse makes it an own property).
const PROTO_CONTEXT = JSON.parse('{"__proto__":"polluted?","tenant":"acme"}') as Readonly<Record<string, string>>

async function protoRoundTrip(t: ExecutionContext, from: Side): Promise<void> {
  const keyrings = aesPair({ officialUtf8Sorting: true })
  const encrypted = await encryptWith(from, keyrings, plaintextOf(64), { context: PROTO_CONTEXT })
  t.deepEqual(
    Object.keys(withoutPublicKey(encrypted.header.encryptionContext)).sort(),
    ['__proto__', 'tenant'],
    `${from} keeps the "__proto__" pair in the header`,
  )
  const decrypted = await decryptWith(other(from), keyrings, encrypted.ciphertext)
  t.deepEqual(Object.entries(withoutPublicKey(decrypted.header.encryptionContext)).sort(), [
    ['__proto__', 'polluted?'],
    ['tenant', 'acme'],
  ])
}

for (const from of SIDES)
  test(`"__proto__" context key survives: ${direction(from, other(from))}`, protoRoundTrip, from)
