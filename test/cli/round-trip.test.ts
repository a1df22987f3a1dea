// Round trips through the real command: a file, nested directories with --jobs, stdin to stdout, base64, raw RSA, suites and frame lengths, caching.
import test from 'ava'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { aesKey, esdk, scratch } from './helpers'

test('a file encrypts to a file and decrypts back, byte for byte', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  const plain = randomBytes(100_000)
  writeFileSync(path.join(dir, 'data.bin'), plain)
  const e = await esdk(['-e', '-i', 'data.bin', '-o', 'data.bin.encrypted', ...w, '-S'], { cwd: dir })
  t.is(e.status, 0, e.stderr)
  const ciphertext = readFileSync(path.join(dir, 'data.bin.encrypted'))
  t.is(ciphertext[0], 2, 'a v2 message (the default suite commits)')
  t.false(ciphertext.includes(plain.subarray(0, 64)))
  const d = await esdk(['-d', '-i', 'data.bin.encrypted', '-o', 'data.bin.decrypted', ...w, '-S'], { cwd: dir })
  t.is(d.status, 0, d.stderr)
  t.true(readFileSync(path.join(dir, 'data.bin.decrypted')).equals(plain))
  t.is(e.stderr + d.stderr, '', 'nothing on stderr')
})

test('a nested directory with -r and --jobs 2: every file round-trips under the same relative path and suffixes', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  const src = path.join(dir, 'src')
  const files = new Map<string, Buffer>()
  for (let i = 0; i < 300; i++) {
    const rel = path.join(`d${i % 3}`, `e${i % 5}`, `f${i}.txt`)
    mkdirSync(path.join(src, path.dirname(rel)), { recursive: true })
    const body = randomBytes(i % 7 === 0 ? 0 : 1 + ((i * 37) % 3000))
    writeFileSync(path.join(src, rel), body)
    files.set(rel, body)
  }
  mkdirSync(path.join(dir, 'enc'))
  mkdirSync(path.join(dir, 'dec'))
  const e = await esdk([
    '-e',
    '-r',
    '-i',
    src,
    '-o',
    path.join(dir, 'enc'),
    ...w,
    '-S',
    '--jobs',
    '2',
    '--caching',
    'capacity=10',
    'max_age=60',
  ])
  t.is(e.status, 0, e.stderr)
  const d = await esdk([
    '-d',
    '-R',
    '-i',
    path.join(dir, 'enc'),
    '-o',
    path.join(dir, 'dec'),
    ...w,
    '-S',
    '--jobs',
    '2',
    '--suffix',
  ])
  t.is(d.status, 0, d.stderr)
  let checked = 0
  for (const [rel, body] of files) {
    t.true(readFileSync(path.join(dir, 'dec', `${rel}.encrypted`)).equals(body), rel)
    checked++
  }
  t.is(checked, 300)
  const listed = (readdirSync(path.join(dir, 'enc'), { recursive: true }) as string[]).filter((f) =>
    statSync(path.join(dir, 'enc', f)).isFile(),
  )
  t.is(listed.length, 300, 'one output per input, no temporary files left')
  t.true(listed.every((f) => f.endsWith('.txt.encrypted')))
})

test('stdin to stdout both ways, binary-safe; a pipe of two commands', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  const plain = Buffer.concat([Buffer.from([0, 255, 10, 13, 26, 0]), randomBytes(70_000)])
  const e = await esdk(['-e', '-i', '-', '-o', '-', ...w, '-S', '--frame-length', '1024'], { input: plain })
  t.is(e.status, 0, e.stderr)
  const d = await esdk(['-d', '-i', '-', '-o', '-', ...w, '-S'], { input: e.stdout })
  t.is(d.status, 0, d.stderr)
  t.true(d.stdout.equals(plain))
  const b = await esdk(['-d', '-i', '-', '-o', '-', ...w, '-S', '--buffer'], { input: e.stdout })
  t.true(b.stdout.equals(plain), '--buffer releases the same bytes')
})

test('--encode writes base64 ciphertext that --decode reads back', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  const plain = randomBytes(5000)
  const e = await esdk(['-e', '-i', '-', '-o', '-', ...w, '-S', '--encode'], { input: plain })
  t.is(e.status, 0, e.stderr)
  t.regex(e.stdout.toString(), /^[A-Za-z0-9+/]+={0,2}$/)
  const wrapped = e.stdout.toString().replace(/(.{76})/g, '$1\n')
  const d = await esdk(['-d', '-i', '-', '-o', '-', ...w, '-S', '--decode'], { input: wrapped })
  t.is(d.status, 0, d.stderr)
  t.true(d.stdout.equals(plain))
})

test('raw RSA keys from PEM files: encrypt with the public key, decrypt with the private key', async (t) => {
  const dir = scratch(t)
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  writeFileSync(path.join(dir, 'pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }))
  writeFileSync(path.join(dir, 'priv.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }))
  const w = (file: string): string[] => [
    '-w',
    'provider=raw-rsa',
    `key=file:${file}`,
    'namespace=rsa-ns',
    'name=rsa-1',
    'padding=oaep-sha512',
  ]
  const e = await esdk(['-e', '-i', '-', '-o', '-', ...w('pub.pem'), '-S'], { cwd: dir, input: 'rsa secret' })
  t.is(e.status, 0, e.stderr)
  const d = await esdk(['-d', '-i', '-', '-o', '-', ...w('priv.pem'), '-S'], { cwd: dir, input: e.stdout })
  t.is(d.status, 0, d.stderr)
  t.is(d.stdout.toString(), 'rsa secret')
  const p = await esdk(['-d', '-i', '-', '-o', '-', ...w('pub.pem'), '-S'], { cwd: dir, input: e.stdout })
  t.is(p.status, 1)
  t.regex(p.stderr, /needs a private key/)
})

test('--algorithm, --frame-length, --commitment-policy and --decrypt-unsigned', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  const unsigned = await esdk(
    [
      '-e',
      '-i',
      '-',
      '-o',
      '-',
      ...w,
      '-S',
      '--algorithm',
      'AES_256_GCM_HKDF_SHA512_COMMIT_KEY',
      '--frame-length',
      '100',
    ],
    { input: 'x'.repeat(1000) },
  )
  t.is(unsigned.status, 0, unsigned.stderr)
  t.is(unsigned.stdout.readUInt16BE(1), 0x0478)
  const signed = await esdk(['-e', '-i', '-', '-o', '-', ...w, '-S'], { input: 'signed' })
  t.is(signed.stdout.readUInt16BE(1), 0x0578)
  const du = await esdk(['--decrypt-unsigned', '-i', '-', '-o', '-', ...w, '-S'], { input: unsigned.stdout })
  t.is(du.status, 0, du.stderr)
  t.is(du.stdout.toString(), 'x'.repeat(1000))
  const refused = await esdk(['--decrypt-unsigned', '-i', '-', '-o', '-', ...w, '-S'], { input: signed.stdout })
  t.is(refused.status, 1)
  t.is(refused.stdout.length, 0)
  const v1 = await esdk(
    ['-e', '-i', '-', '-o', '-', ...w, '-S', '--commitment-policy', 'forbid-encrypt-allow-decrypt'],
    { input: 'legacy' },
  )
  t.is(v1.status, 0, v1.stderr)
  t.is(v1.stdout[0], 1, 'a v1 message')
  t.is(v1.stdout.readUInt16BE(2), 0x0378, "the Python CLI's default under forbid-encrypt")
  const strict = await esdk(['-d', '-i', '-', '-o', '-', ...w, '-S'], { input: v1.stdout })
  t.is(strict.status, 1, 'require-decrypt refuses a non-committing message')
  const allow = await esdk(
    ['-d', '-i', '-', '-o', '-', ...w, '-S', '--commitment-policy', 'require-encrypt-allow-decrypt'],
    { input: v1.stdout },
  )
  t.is(allow.stdout.toString(), 'legacy')
})

test('globs pick the matching files; several inputs need an output directory', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  for (const name of ['a.log', 'b.log', 'c.txt', '.hidden.log']) writeFileSync(path.join(dir, name), name)
  mkdirSync(path.join(dir, 'out'))
  const e = await esdk(['-e', '-i', path.join(dir, '*.log'), '-o', path.join(dir, 'out'), ...w, '-S'])
  t.is(e.status, 0, e.stderr)
  t.deepEqual(readdirSync(path.join(dir, 'out')).sort(), ['a.log.encrypted', 'b.log.encrypted'])
})

test('--backend js and --backend native write messages each other reads: small files (batched) and a streamed 1.5 MiB file', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  for (const d of ['in', 'js', 'native', 'back-native', 'back-js']) mkdirSync(path.join(dir, d))
  const files = new Map<string, Buffer>([
    ...Array.from({ length: 6 }, (_, i) => [`s${i}`, randomBytes(100 + i * 700)] as const),
    ['big', randomBytes(1536 * 1024)],
  ])
  for (const [name, bytes] of files) writeFileSync(path.join(dir, 'in', name), bytes)
  for (const backend of ['js', 'native']) {
    const e = await esdk(
      [
        '-e',
        '-r',
        '-i',
        'in',
        '-o',
        backend,
        ...w,
        '-S',
        '--backend',
        backend,
        '--jobs',
        '2',
        '--frame-length',
        '4096',
      ],
      { cwd: dir },
    )
    t.is(e.status, 0, `${backend}: ${e.stderr}`)
  }
  // Each backend's messages opened by the other one.
  for (const [from, by] of [
    ['js', 'native'],
    ['native', 'js'],
  ] as const) {
    const d = await esdk(['-d', '-r', '-i', from, '-o', `back-${by}`, ...w, '-S', '--backend', by, '--suffix', ''], {
      cwd: dir,
    })
    t.is(d.status, 0, `${from} -> ${by}: ${d.stderr}`)
    for (const [name, bytes] of files)
      t.true(readFileSync(path.join(dir, `back-${by}`, `${name}.encrypted`)).equals(bytes), `${from} -> ${by}: ${name}`)
  }
})

// Files past the whole-file limit go through the streams with the reader's and the writer's buffers reused (many
// reads and writes of the same few buffers): the bytes must come back exact on both backends and frame lengths.
for (const backend of ['js', 'native']) {
  test(`[${backend}] a 24 MiB file through the stream path, buffers reused both ways: exact round trip, 0600 plaintext, nothing left over`, async (t) => {
    const dir = scratch(t)
    const { w } = aesKey(dir)
    const plaintext = randomBytes(24 * 1024 * 1024 + 4321)
    writeFileSync(path.join(dir, 'big'), plaintext)
    for (const frameLength of ['4096', '65536']) {
      const e = await esdk(
        ['-e', '-i', 'big', '-o', 'big.esdk', ...w, '-S', '--backend', backend, '--frame-length', frameLength, '-q'],
        { cwd: dir },
      )
      t.is(e.status, 0, e.stderr)
      const d = await esdk(['-d', '-i', 'big.esdk', '-o', 'big.back', ...w, '-S', '--backend', backend, '-q'], {
        cwd: dir,
      })
      t.is(d.status, 0, d.stderr)
      t.true(readFileSync(path.join(dir, 'big.back')).equals(plaintext), `frame length ${frameLength}`)
      t.is(statSync(path.join(dir, 'big.back')).mode & 0o777, 0o600)
    }
    t.deepEqual(readdirSync(dir).sort(), ['aes.key', 'big', 'big.back', 'big.esdk'].sort())
  })
}
