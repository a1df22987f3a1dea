// What must never happen: plaintext left from a tampered or mismatched message, loose permissions, an input overwritten, stack traces or dependency warnings on a user's terminal.
import test from 'ava'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { aesKey, esdk, lines, metadataLines, scratch } from './helpers'

async function encrypted(dir: string, w: string[], plain: Buffer, extra: string[] = []): Promise<Buffer> {
  const e = await esdk(['-e', '-i', '-', '-o', '-', ...w, '-S', '--frame-length', '512', ...extra], { input: plain })
  if (e.status !== 0) throw new Error(e.stderr)
  return e.stdout
}

test('a tampered message exits 1 with one line, and leaves no plaintext file, not even a partial one', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  const plain = randomBytes(20_000)
  for (const at of [100, 4000, -40]) {
    const bad = Buffer.from(await encrypted(dir, w, plain))
    const i = at < 0 ? bad.length + at : at
    bad[i] = (bad[i] as number) ^ 1
    writeFileSync(path.join(dir, 'bad.enc'), bad)
    const d = await esdk(['-d', '-i', 'bad.enc', '-o', 'bad.out', ...w, '-S'], { cwd: dir })
    t.is(d.status, 1, `flip at ${at}`)
    t.is(lines(d.stderr).length, 1, d.stderr)
    t.regex(d.stderr, /^esdk: bad\.enc: .*\((AUTHENTICATION_FAILED|MALFORMED_MESSAGE|KEYRING)\)\n$/)
    t.deepEqual(readdirSync(dir).sort(), ['aes.key', 'bad.enc'], 'no output and no temporary file')
  }
})

test('a big file (the streaming path) tampered in the middle: exit 1, no output, no temporary file; a context mismatch on the stream path too', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  const plain = randomBytes(1536 * 1024)
  const bad = Buffer.from(await encrypted(dir, w, plain, ['-c', 'team=blue']))
  const middle = Math.floor(bad.length / 2)
  bad[middle] = (bad[middle] as number) ^ 0x80
  writeFileSync(path.join(dir, 'big.enc'), bad)
  const d = await esdk(['-d', '-i', 'big.enc', '-o', 'big.out', ...w, '-S'], { cwd: dir })
  t.is(d.status, 1)
  t.regex(d.stderr, /AUTHENTICATION_FAILED/)
  t.deepEqual(readdirSync(dir).sort(), ['aes.key', 'big.enc'])
  const good = await encrypted(dir, w, plain, ['-c', 'team=blue'])
  const m = await esdk(['-d', '-i', '-', '-o', '-', ...w, '-S', '-c', 'team=red'], { input: good })
  t.is(m.status, 1)
  t.is(m.stdout.length, 0, 'nothing released: the check runs on the header, before the first frame')
  t.regex(m.stderr, /encryption context does not match/)
})

test('a truncated message fails, and on stdout without --buffer only whole verified frames came out', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  const plain = randomBytes(20_000)
  const ct = await encrypted(dir, w, plain, ['--algorithm', 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY'])
  const cut = ct.subarray(0, ct.length - 700)
  const streamed = await esdk(['-d', '-i', '-', '-o', '-', ...w, '-S'], { input: cut })
  t.is(streamed.status, 1)
  t.true(plain.subarray(0, streamed.stdout.length).equals(streamed.stdout), 'a prefix of the plaintext')
  t.is(streamed.stdout.length % 512, 0, 'whole frames only')
  const buffered = await esdk(['-d', '-i', '-', '-o', '-', ...w, '-S', '--buffer'], { input: cut })
  t.is(buffered.status, 1)
  t.is(buffered.stdout.length, 0, '--buffer releases nothing')
})

test('plaintext outputs are 0600, also over an existing wider file; ciphertext follows the umask', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  writeFileSync(path.join(dir, 'p.txt'), 'private')
  t.is((await esdk(['-e', '-i', 'p.txt', '-o', 'p.enc', ...w, '-S'], { cwd: dir })).status, 0)
  writeFileSync(path.join(dir, 'p.dec'), 'old', { mode: 0o644 })
  const d = await esdk(['-d', '-i', 'p.enc', '-o', 'p.dec', ...w, '-S'], { cwd: dir })
  t.is(d.status, 0, d.stderr)
  t.is(statSync(path.join(dir, 'p.dec')).mode & 0o777, 0o600)
  t.is(readFileSync(path.join(dir, 'p.dec'), 'utf8'), 'private')
  t.is(statSync(path.join(dir, 'p.enc')).mode & 0o077, 0o666 & ~process.umask() & 0o077)
})

test('never overwrite an input; --no-overwrite keeps existing outputs; an existing output is replaced otherwise', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  writeFileSync(path.join(dir, 'a.txt'), 'A')
  const same = await esdk(['-e', '-i', 'a.txt', '-o', '.', '--suffix', ...w, '-S'], { cwd: dir })
  t.is(same.status, 1)
  t.regex(same.stderr, /refusing to overwrite the input/)
  t.is(readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'A')
  writeFileSync(path.join(dir, 'a.txt.encrypted'), 'keep me')
  const keep = await esdk(['-e', '-i', 'a.txt', '-o', '.', '--no-overwrite', ...w, '-S'], { cwd: dir })
  t.is(keep.status, 0, keep.stderr)
  t.regex(keep.stderr, /warning: skipped a\.txt/)
  t.is(readFileSync(path.join(dir, 'a.txt.encrypted'), 'utf8'), 'keep me')
  t.is((await esdk(['-e', '-i', 'a.txt', '-o', '.', ...w, '-S'], { cwd: dir })).status, 0)
  t.not(readFileSync(path.join(dir, 'a.txt.encrypted'), 'utf8'), 'keep me')
  const written = readFileSync(path.join(dir, 'a.txt.encrypted'))
  // Without a terminal (a new session has none) the answer comes from stdin; test/cli/progress asks a real one.
  const ask = await esdk(['-e', '-i', 'a.txt', '-o', '.', '--interactive', ...w, '-S'], {
    cwd: dir,
    input: 'n\n',
    detached: true,
  })
  t.is(ask.status, 0, ask.stderr)
  t.regex(ask.stderr, /Overwrite existing output file/)
  t.deepEqual(readFileSync(path.join(dir, 'a.txt.encrypted')), written, 'answered no: left alone')
})

test('two inputs named alike into one directory: with --no-overwrite the second is skipped, never written over the first', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  for (const d of ['a', 'b', 'out']) mkdirSync(path.join(dir, d))
  writeFileSync(path.join(dir, 'a', 'x'), 'from a')
  writeFileSync(path.join(dir, 'b', 'x'), 'from b')
  const r = await esdk(['-e', '-i', '*/x', '-o', 'out', '--no-overwrite', ...w, '-S', '--jobs', '2'], { cwd: dir })
  t.is(r.status, 0, r.stderr)
  t.regex(r.stderr, /warning: skipped b\/x: out\/x\.encrypted exists/)
  const back = await esdk(['-d', '-i', 'out/x.encrypted', '-o', '-', ...w, '-S'], { cwd: dir })
  t.is(back.stdout.toString(), 'from a')
})

test('decrypt checks the context: pairs must match, bare keys must be present; a mismatch exits 1, writes nothing and says so in the metadata', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  writeFileSync(path.join(dir, 'c.txt'), 'context')
  t.is(
    (await esdk(['-e', '-i', 'c.txt', '-o', 'c.enc', ...w, '-S', '-c', 'team=blue', 'stage=prod'], { cwd: dir }))
      .status,
    0,
  )
  const ok = await esdk(['-d', '-i', 'c.enc', '-o', 'ok.txt', ...w, '-S', '-c', 'team=blue', 'stage'], { cwd: dir })
  t.is(ok.status, 0, ok.stderr)
  t.is(readFileSync(path.join(dir, 'ok.txt'), 'utf8'), 'context')
  const bad = await esdk(
    ['-d', '-i', 'c.enc', '-o', 'bad.txt', ...w, '--metadata-output', 'm.json', '-c', 'team=red', 'region'],
    { cwd: dir },
  )
  t.is(bad.status, 1, 'stricter than the Python CLI, which exits 0 (its issue #199)')
  t.regex(bad.stderr, /encryption context does not match: key "region" missing, "team" is not "red"/)
  t.false(readdirSync(dir).includes('bad.txt'))
  const [m] = metadataLines(readFileSync(path.join(dir, 'm.json')))
  t.like(m, {
    skipped: true,
    reason: 'Missing encryption context key or value',
    missing_encryption_context_keys: ['region'],
    missing_encryption_context_pairs: [['team', 'red']],
  })
})

test('one bad file in a directory fails alone: the others are written, the exit code is 1', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  mkdirSync(path.join(dir, 'in'))
  mkdirSync(path.join(dir, 'out'))
  for (const n of ['1', '2', '3'])
    writeFileSync(path.join(dir, 'in', n), await encrypted(dir, w, Buffer.from(`file ${n}`)))
  writeFileSync(path.join(dir, 'in', '2'), Buffer.from('not a message'))
  const d = await esdk(['-d', '-r', '-i', 'in', '-o', 'out', ...w, '-S'], { cwd: dir })
  t.is(d.status, 1)
  t.deepEqual(readdirSync(path.join(dir, 'out')).sort(), ['1.decrypted', '3.decrypted'])
  t.regex(d.stderr, /in\/2: .*MALFORMED_MESSAGE/)
  t.regex(d.stderr, /1 of 3 inputs failed/)
})

test('errors are one line without -v and carry the stack with -v; no dependency warning reaches stderr', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  const quiet = await esdk(['-d', '-i', '-', '-o', '-', ...w, '-S'], { input: 'garbage' })
  t.is(quiet.status, 1)
  t.is(lines(quiet.stderr).length, 1)
  const verbose = await esdk(['-d', '-i', '-', '-o', '-', ...w, '-S', '-v'], { input: 'garbage' })
  t.regex(verbose.stderr, /\n\s+at /)
  const env = { ...process.env }
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  })
  const withSdk = await esdk(
    [
      '-e',
      '-i',
      '-',
      '-o',
      '-',
      '-w',
      'key=arn:aws:kms:us-west-2:111122223333:key/none',
      '-S',
      '--kms-endpoint',
      'http://127.0.0.1:9',
    ],
    { input: 'x', env },
  )
  t.is(withSdk.status, 1)
  t.is(lines(withSdk.stderr).length, 1, withSdk.stderr)
  t.notRegex(withSdk.stderr, /NodeVersionSupportWarning|Warning/)
})
