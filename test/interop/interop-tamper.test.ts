// Negative interop: one flipped byte in an interop message fails authentication in both SDKs; truncated official messages get a typed refusal from ours.
import test from 'ava'
import {
  type MessageLayout,
  SIDES,
  type Side,
  type SuiteName,
  aesPair,
  decryptWith,
  encryptWith,
  flipByte,
  messageLayout,
  ours,
  plaintextOf,
  suiteByName,
  suiteTitle,
} from './helpers'

const keyrings = aesPair({ officialUtf8Sorting: true })
const FRAME = 1024
const PLAINTEXT = plaintextOf(2 * FRAME + 952, 99)

/** Where to flip a byte; undefined when the target does not exist in this message. */
const TARGETS: Readonly<Record<string, (l: MessageLayout) => number | undefined>> = {
  'header auth tag': (l) => l.headerLength - 1,
  'first frame IV': (l) => (l.frames[0]?.ivOffset ?? -100) + 5,
  'first frame ciphertext': (l) => {
    const f = l.frames[0]
    return f && f.contentLength > 0 ? f.contentOffset + Math.floor(f.contentLength / 2) : undefined
  },
  'first frame tag': (l) => (l.frames[0]?.tagOffset ?? -100) + 15,
  'final frame ciphertext': (l) => {
    const f = l.frames[l.frames.length - 1]
    return f && f.contentLength > 0 ? f.contentOffset + f.contentLength - 1 : undefined
  },
  'final frame tag': (l) => l.frames[l.frames.length - 1]?.tagOffset,
  signature: (l) => (l.footerLength > 0 ? l.bodyEnd + l.footerLength - 1 : undefined),
}

const TAMPER_SUITES: readonly SuiteName[] = [
  'ALG_AES256_GCM_IV12_TAG16',
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256',
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384',
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY',
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
]

const tamperMacro = test.macro({
  async exec(t, suiteName: SuiteName, writer: Side, target: string) {
    const suite = suiteByName(suiteName)
    const { ciphertext } = await encryptWith(writer, keyrings, PLAINTEXT, { suite: suiteName, frameLength: FRAME })
    const layout = messageLayout(ciphertext)
    const offset = TARGETS[target]?.(layout)
    if (offset === undefined) throw new Error(`no ${target} in this message`)
    // The untampered message opens on both sides, so any refusal below is the flipped byte's doing.
    for (const reader of SIDES)
      t.true((await decryptWith(reader, keyrings, ciphertext, suite.policy)).plaintext.equals(PLAINTEXT))
    const tampered = flipByte(ciphertext, offset)
    const error = await t.throwsAsync(decryptWith('ours', keyrings, tampered, suite.policy), {
      instanceOf: ours.EsdkError,
    })
    t.is(error?.code, 'AUTHENTICATION_FAILED', `ours: ${error?.message}`)
    await t.throwsAsync(
      decryptWith('official', keyrings, tampered, suite.policy),
      undefined,
      'the official SDK refuses it too',
    )
  },
  title: (_p, suiteName: SuiteName, writer: Side, target: string) =>
    `tampered ${target} (written by ${writer}), ${suiteTitle(suiteByName(suiteName))}: ours AUTHENTICATION_FAILED, official throws`,
})

for (const suiteName of TAMPER_SUITES) {
  for (const writer of SIDES) {
    for (const target of Object.keys(TARGETS)) {
      if (target === 'signature' && !suiteByName(suiteName).signed) continue
      test(tamperMacro, suiteName, writer, target)
    }
  }
}

// ------------------------------------------------------------------ truncation of official signed messages

const TRUNCATIONS: Readonly<Record<string, (l: MessageLayout, total: number) => number>> = {
  'by 1 byte': (_l, total) => total - 1,
  'to the end of the body (no footer)': (l) => l.bodyEnd,
  'inside the signature length': (l) => l.bodyEnd + 1,
  'inside the final frame': (l) => l.bodyEnd - 20,
  'inside the header': (l) => Math.floor(l.headerLength / 2),
}

const SIGNED: readonly SuiteName[] = [
  'ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256',
  'ALG_AES192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384',
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384',
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
]

const truncateMacro = test.macro({
  async exec(t, suiteName: SuiteName, how: string) {
    const suite = suiteByName(suiteName)
    const { ciphertext } = await encryptWith('official', keyrings, PLAINTEXT, { suite: suiteName, frameLength: FRAME })
    const opened = await decryptWith('ours', keyrings, ciphertext, suite.policy)
    t.true(opened.plaintext.equals(PLAINTEXT), 'ours opens the intact official message')

    const cut = TRUNCATIONS[how]?.(messageLayout(ciphertext), ciphertext.length)
    if (cut === undefined || cut <= 0 || cut >= ciphertext.length) throw new Error(`bad cut ${String(cut)}`)
    const truncated = ciphertext.subarray(0, cut)
    const error = await t.throwsAsync(decryptWith('ours', keyrings, truncated, suite.policy), {
      instanceOf: ours.EsdkError,
    })
    t.is(typeof error?.code, 'string')
    t.is(error?.code, 'MALFORMED_MESSAGE', `ours: ${error?.code} ${error?.message}`)
    await t.throwsAsync(
      decryptWith('official', keyrings, truncated, suite.policy),
      undefined,
      'the official SDK refuses it too',
    )
  },
  title: (_p, suiteName: SuiteName, how: string) =>
    `official ${suiteTitle(suiteByName(suiteName))} message truncated ${how}: ours refuses with a typed error`,
})

for (const suiteName of SIGNED) {
  for (const how of Object.keys(TRUNCATIONS)) test(truncateMacro, suiteName, how)
}
