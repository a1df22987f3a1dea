// What the decrypt-side limits and the legacy RSA padding do through the real command: --max-length, --max-encrypted-data-keys, padding=pkcs1.
import test from 'ava'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { aesKey, esdk, scratch } from './helpers'

/** A file encrypted with the given extra arguments; returns the ciphertext's file name. */
async function encryptFile(dir: string, args: readonly string[], plain: Buffer): Promise<string> {
  writeFileSync(path.join(dir, 'plain'), plain)
  const e = await esdk(['-e', '-i', 'plain', '-o', 'plain.esdk', '-S', ...args], { cwd: dir })
  if (e.status !== 0) throw new Error(`encrypt failed: ${e.stderr}`)
  return 'plain.esdk'
}

/** Only the inputs and keys are left in `dir`: no output, and no temporary file beside it. */
function onlyInputs(dir: string): string[] {
  return readdirSync(dir).filter(
    (f) => !['plain', 'plain.esdk'].includes(f) && !f.endsWith('.key') && !f.endsWith('.pem'),
  )
}

/** A file of `size` bytes at `frameLength`: --max-length one below the frame length refuses it (exit 1, nothing written), at it decrypts. */
const maxLengthCase = test.macro(async (t, size: number, frameLength: number) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  const plain = randomBytes(size)
  const message = await encryptFile(dir, [...w, '--frame-length', String(frameLength)], plain)
  const decrypt = (limit: number) =>
    esdk(['-d', '-i', message, '-o', 'out', '-S', ...w, '--max-length', String(limit)], { cwd: dir })

  const refused = await decrypt(frameLength - 1)
  t.is(refused.status, 1, refused.stderr)
  t.regex(
    refused.stderr,
    new RegExp(`${frameLength} bytes exceeds maxBodySize ${frameLength - 1} \\(LIMIT_EXCEEDED\\)`),
  )
  t.deepEqual(onlyInputs(dir), [], 'no output and no partial file')

  const allowed = await decrypt(frameLength)
  t.is(allowed.status, 0, allowed.stderr)
  t.true(readFileSync(path.join(dir, 'out')).equals(plain))
})

test(
  '--max-length on decrypt: a frame longer than the limit is refused (exit 1, nothing written); at the frame length it decrypts',
  maxLengthCase,
  10_000,
  4096,
)
test(
  '--max-length on decrypt also bounds a big file on the stream path (above the one-shot size)',
  maxLengthCase,
  3 * 1024 * 1024,
  65536,
)

test('--max-encrypted-data-keys on decrypt: a message with more EDKs than allowed is refused; at the count it decrypts', async (t) => {
  const dir = scratch(t)
  const first = aesKey(dir, 'a.key')
  const second = aesKey(dir, 'b.key')
  const secondW = ['-w', 'provider=raw-aes', `key=file:${second.file}`, 'namespace=cli-tests', 'name=aes-2']
  const plain = Buffer.from('two wrapped copies of one data key')
  const message = await encryptFile(dir, [...first.w, ...secondW], plain)

  const refused = await esdk(['-d', '-i', message, '-o', 'out', '-S', ...first.w, '--max-encrypted-data-keys', '1'], {
    cwd: dir,
  })
  t.is(refused.status, 1, refused.stderr)
  t.regex(refused.stderr, /has 2 encrypted data keys, more than the maximum 1 \(LIMIT_EXCEEDED\)/)
  t.false(existsSync(path.join(dir, 'out')))

  const allowed = await esdk(['-d', '-i', message, '-o', 'out', '-S', ...first.w, '--max-encrypted-data-keys', '2'], {
    cwd: dir,
  })
  t.is(allowed.status, 0, allowed.stderr)
  t.true(readFileSync(path.join(dir, 'out')).equals(plain))
})

test('--max-encrypted-data-keys on encrypt: more wrapping keys than allowed fail, and no ciphertext is left', async (t) => {
  const dir = scratch(t)
  const first = aesKey(dir, 'a.key')
  const second = aesKey(dir, 'b.key')
  const secondW = ['-w', 'provider=raw-aes', `key=file:${second.file}`, 'namespace=cli-tests', 'name=aes-2']
  writeFileSync(path.join(dir, 'plain'), 'x')
  const e = await esdk(
    ['-e', '-i', 'plain', '-o', 'plain.esdk', '-S', ...first.w, ...secondW, '--max-encrypted-data-keys', '1'],
    { cwd: dir },
  )
  t.is(e.status, 1, e.stderr)
  t.regex(e.stderr, /2 encrypted data keys, more than the maximum 1 \(LIMIT_EXCEEDED\)/)
  t.false(existsSync(path.join(dir, 'plain.esdk')))
})

test('padding=pkcs1 (legacy RSA): encrypt with the public key, decrypt with the private key; an OAEP key of the same name does not decrypt it', async (t) => {
  const dir = scratch(t)
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  writeFileSync(path.join(dir, 'pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }))
  writeFileSync(path.join(dir, 'priv.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }))
  const w = (file: string, padding: string): string[] => [
    '-w',
    'provider=raw-rsa',
    `key=file:${file}`,
    'namespace=rsa-ns',
    'name=rsa-legacy',
    `padding=${padding}`,
  ]
  const plain = randomBytes(2000)
  const message = await encryptFile(dir, w('pub.pem', 'pkcs1'), plain)
  const d = await esdk(['-d', '-i', message, '-o', 'out', '-S', ...w('priv.pem', 'pkcs1')], { cwd: dir })
  t.is(d.status, 0, d.stderr)
  t.true(readFileSync(path.join(dir, 'out')).equals(plain))
  // The padding is part of the key's identity: an OAEP keyring unwraps nothing from a PKCS#1 EDK.
  const wrong = await esdk(['-d', '-i', message, '-o', 'wrong', '-S', ...w('priv.pem', 'oaep-sha256')], { cwd: dir })
  t.is(wrong.status, 1, wrong.stderr)
  t.false(existsSync(path.join(dir, 'wrong')))
})
