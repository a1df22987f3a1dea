// Metadata records as the Python CLI writes them: one sorted JSON line per file, header fields base64 where binary, appended unless --overwrite-metadata.
import test from 'ava'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { aesKey, esdk, metadataLines, scratch } from './helpers'

test('encrypt and decrypt lines: mode, absolute input/output, header, header_auth on decrypt, the decrypting key', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  writeFileSync(path.join(dir, 'doc'), 'metadata please')
  const e = await esdk(
    [
      '-e',
      '-i',
      'doc',
      '-o',
      'doc.enc',
      ...w,
      '--metadata-output',
      'meta.jsonl',
      '-c',
      'app=cli',
      '--frame-length',
      '2048',
    ],
    { cwd: dir },
  )
  t.is(e.status, 0, e.stderr)
  const d = await esdk(['-d', '-i', 'doc.enc', '-o', '-', ...w, '--metadata-output', 'meta.jsonl'], { cwd: dir })
  t.is(d.status, 0, d.stderr)
  t.is(d.stdout.toString(), 'metadata please')
  const text = readFileSync(path.join(dir, 'meta.jsonl'), 'utf8')
  const [enc, dec] = metadataLines(text)
  t.is(text.split('\n').length, 3, 'two lines, appended')
  for (const line of text.trim().split('\n')) {
    const keys = [...line.matchAll(/"([a-z_]+)":/g)].map((m) => m[1])
    t.truthy(keys.length)
  }
  t.like(enc, { mode: 'encrypt', input: path.join(dir, 'doc'), output: path.join(dir, 'doc.enc') })
  t.like(dec, {
    mode: 'decrypt',
    input: path.join(dir, 'doc.enc'),
    output: '<stdout>',
    decrypted_with: { provider_id: 'cli-tests', key: 'aes-1' },
  })
  const header = enc?.header as Record<string, unknown>
  t.like(header, {
    version: '2.0',
    algorithm: 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
    content_type: 2,
    frame_length: 2048,
    header_iv_length: 12,
  })
  t.is((header.encryption_context as Record<string, string>).app, 'cli')
  t.is(Buffer.from(header.message_id as string, 'base64').length, 32)
  const [edk] = header.encrypted_data_keys as { key_provider: { provider_id: string; key_info: string } }[]
  t.is(Buffer.from(edk?.key_provider.provider_id ?? '', 'base64').toString(), 'cli-tests')
  t.true(
    Buffer.from(edk?.key_provider.key_info ?? '', 'base64')
      .subarray(0, 5)
      .equals(Buffer.from('aes-1')),
  )
  t.deepEqual(dec?.header, enc?.header, 'the same header both ways')
  const auth = dec?.header_auth as { iv: string; tag: string }
  t.is(Buffer.from(auth.tag, 'base64').length, 16)
  const ciphertext = readFileSync(path.join(dir, 'doc.enc'))
  t.true(ciphertext.includes(Buffer.from(auth.tag, 'base64')), 'the tag is the one in the message')
  t.is(enc?.header_auth, undefined, 'encrypt has no header_auth, as in the Python CLI')
})

test('keys are sorted at every level (json.dumps sort_keys) and --overwrite-metadata truncates', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  writeFileSync(path.join(dir, 'meta.jsonl'), 'old line\n')
  const e = await esdk(
    [
      '-e',
      '-i',
      '-',
      '-o',
      'x.enc',
      ...w,
      '--metadata-output',
      'meta.jsonl',
      '--overwrite-metadata',
      '-c',
      'z=1',
      'a=2',
    ],
    { cwd: dir, input: 'x' },
  )
  t.is(e.status, 0, e.stderr)
  const text = readFileSync(path.join(dir, 'meta.jsonl'), 'utf8')
  t.false(text.includes('old line'))
  const sorted = (v: unknown): boolean =>
    v === null || typeof v !== 'object'
      ? true
      : Array.isArray(v)
        ? v.every(sorted)
        : Object.keys(v).join() === Object.keys(v).sort().join() && Object.values(v).every(sorted)
  const [line] = metadataLines(text)
  t.true(sorted(line))
  t.is(line?.input, '<stdin>')
  t.deepEqual(Object.keys(line ?? {}), ['header', 'input', 'mode', 'output'])
})
