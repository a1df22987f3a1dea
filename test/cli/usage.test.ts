// Every usage error exits 2 with one line on stderr naming the problem, before anything is read or written; --help and --version exit 0.
import test from 'ava'
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { aesKey, esdk, lines, scratch } from './helpers'

const KMS_KEY = 'arn:aws:kms:us-west-2:111122223333:key/mrk-1'

/** [why, arguments after the base, what stderr must say]; `$KEY` is the raw AES -w group. */
const CASES: readonly (readonly [string, readonly string[], RegExp])[] = [
  [
    'no action',
    ['-i', 'in', '-o', 'out', '$KEY', '-S'],
    /exactly one of -e\/--encrypt, -d\/--decrypt or --decrypt-unsigned/,
  ],
  ['two actions', ['-e', '-d', '-i', 'in', '-o', 'out', '$KEY', '-S'], /exactly one of -e/],
  [
    'no metadata choice',
    ['-e', '-i', 'in', '-o', 'out', '$KEY'],
    /exactly one of -S\/--suppress-metadata or --metadata-output/,
  ],
  [
    'both metadata choices',
    ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '--metadata-output', 'm'],
    /exactly one of -S/,
  ],
  ['no input', ['-e', '-o', 'out', '$KEY', '-S'], /-i\/--input is required/],
  ['no output', ['-e', '-i', 'in', '$KEY', '-S'], /-o\/--output is required/],
  ['no wrapping keys', ['-e', '-i', 'in', '-o', 'out', '-S'], /-w\/--wrapping-keys is required/],
  ['unknown flag', ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '--frobnicate'], /unknown option '--frobnicate'/],
  [
    'stray argument',
    ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', 'extra'],
    /too many arguments|unknown command|excess/i,
  ],
  [
    'bad policy',
    ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '--commitment-policy', 'maybe'],
    /--commitment-policy.*maybe/,
  ],
  ['bad algorithm', ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '--algorithm', 'ROT13'], /unknown algorithm ROT13/],
  [
    'frame length zero',
    ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '--frame-length', '0'],
    /--frame-length must be an integer/,
  ],
  [
    'frame length text',
    ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '--frame-length', '4k'],
    /--frame-length must be an integer/,
  ],
  [
    'algorithm on decrypt',
    ['-d', '-i', 'in', '-o', 'out', '$KEY', '-S', '--algorithm', 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY'],
    /--algorithm is for encryption only/,
  ],
  [
    'max-length on encrypt',
    ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '--max-length', '10'],
    /--max-length is for decryption only/,
  ],
  [
    'bad max EDKs',
    ['-d', '-i', 'in', '-o', 'out', '$KEY', '-S', '--max-encrypted-data-keys', '-1'],
    /max-encrypted-data-keys/,
  ],
  [
    'context not key=value',
    ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '-c', 'novalue'],
    /"novalue" must follow the format "key=value"/,
  ],
  [
    'caching without max_age',
    ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '--caching', 'capacity=10'],
    /both "capacity" and "max_age" are required/,
  ],
  [
    'caching unknown key',
    ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '--caching', 'capacity=1', 'max_age=1', 'size=3'],
    /invalid key "size"/,
  ],
  [
    'unknown provider',
    ['-e', '-i', 'in', '-o', 'out', '-w', 'provider=vault', 'key=x', '-S'],
    /unknown provider "vault"/,
  ],
  [
    'kms without key on encrypt',
    ['-e', '-i', 'in', '-o', 'out', '-w', 'provider=aws-kms', 'region=us-west-2', '-S'],
    /at least one "key"/,
  ],
  ['discovery on encrypt', ['-e', '-i', 'in', '-o', 'out', '-w', 'discovery=true', '-S'], /only on decryption/],
  [
    'discovery with keys',
    ['-d', '-i', 'in', '-o', 'out', '-w', 'discovery=true', `key=${KMS_KEY}`, '-S'],
    /cannot specify wrapping keys/,
  ],
  [
    'discovery false, no keys',
    ['-d', '-i', 'in', '-o', 'out', '-w', 'discovery=false', '-S'],
    /must specify at least one wrapping key/,
  ],
  [
    'account without partition',
    ['-d', '-i', 'in', '-o', 'out', '-w', 'discovery=true', 'discovery-account=111122223333', '-S'],
    /must also specify discovery-partition/,
  ],
  [
    'partition without account',
    ['-d', '-i', 'in', '-o', 'out', '-w', 'discovery=true', 'discovery-partition=aws', '-S'],
    /must also specify discovery-account/,
  ],
  [
    'discovery not a bool',
    ['-d', '-i', 'in', '-o', 'out', '-w', 'discovery=yes', '-S'],
    /discovery must be true or false/,
  ],
  [
    'raw key not from a file',
    ['-e', '-i', 'in', '-o', 'out', '-w', 'provider=raw-aes', 'key=abc', 'namespace=n', 'name=k', '-S'],
    /key must be file:PATH/,
  ],
  [
    'raw key without a name',
    ['-e', '-i', 'in', '-o', 'out', '-w', 'provider=raw-aes', 'key=file:aes.key', 'namespace=n', '-S'],
    /namespace= and name= are required/,
  ],
  [
    'raw key with discovery',
    ['-d', '-i', 'in', '-o', 'out', '-w', 'provider=raw-aes', 'key=file:aes.key', 'discovery=true', '-S'],
    /only for AWS KMS/,
  ],
  [
    'bad RSA padding',
    [
      '-e',
      '-i',
      'in',
      '-o',
      'out',
      '-w',
      'provider=raw-rsa',
      'key=file:k.pem',
      'namespace=n',
      'name=k',
      'padding=none',
      '-S',
    ],
    /padding must be one of/,
  ],
  ['directory without -r', ['-e', '-i', 'dir', '-o', 'outdir', '$KEY', '-S'], /dir is a directory: add -r/],
  [
    'directory into a file',
    ['-e', '-r', '-i', 'dir', '-o', 'out', '$KEY', '-S'],
    /output must be an existing directory/,
  ],
  ['no such input', ['-e', '-i', 'missing', '-o', 'out', '$KEY', '-S'], /no input matches missing/],
  [
    'glob into a file',
    ['-e', '-i', '*.txt', '-o', 'out', '$KEY', '-S'],
    /with several inputs, the output must be an existing directory/,
  ],
  [
    'output parent missing',
    ['-e', '-i', 'in', '-o', 'nowhere/out', '$KEY', '-S'],
    /parent directory must already exist/,
  ],
  [
    'stdin into a directory',
    ['-e', '-i', '-', '-o', 'outdir', '$KEY', '-S'],
    /may not be a directory when the input is stdin/,
  ],
  [
    'metadata and output both stdout',
    ['-e', '-i', 'in', '-o', '-', '$KEY', '--metadata-output', '-'],
    /metadata output cannot be stdout/,
  ],
  [
    'metadata is the input',
    ['-e', '-i', 'in', '-o', 'out', '$KEY', '--metadata-output', 'in'],
    /cannot be the input or output/,
  ],
  [
    'metadata in the output directory',
    ['-e', '-i', 'in', '-o', 'outdir', '$KEY', '--metadata-output', 'outdir/m.json'],
    /cannot be in the output directory/,
  ],
  ['bad jobs', ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '--jobs', '0'], /--jobs must be an integer/],
  ['bad backend', ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '--backend', 'gpu'], /--backend.*gpu/],
  [
    'bad endpoint',
    ['-e', '-i', 'in', '-o', 'out', '$KEY', '-S', '--kms-endpoint', 'localhost'],
    /--kms-endpoint must be an http\(s\) URL/,
  ],
  ['missing argument file', ['@nope.args'], /cannot read argument file nope\.args/],
  [
    'ambiguous abbreviation',
    ['--de', '-i', 'in', '-o', 'out', '$KEY', '-S'],
    /ambiguous option: --de could match --decrypt, --decrypt-unsigned, --decode/,
  ],
  [
    'long flag with one dash',
    ['-encrypt', '-i', 'in', '-o', 'out', '$KEY', '-S'],
    /found invalid argument "-encrypt": did you mean "--encrypt"\?/,
  ],
  [
    'required context keys by hand',
    ['-d', '-i', 'in', '-o', 'out', '$KEY', '-S', '--required-encryption-context-keys', 'k'],
    /--required-encryption-context-keys cannot be manually provided/,
  ],
]

function setup(dir: string): string[] {
  const { w } = aesKey(dir)
  writeFileSync(path.join(dir, 'in'), 'input')
  writeFileSync(path.join(dir, 'a.txt'), 'a')
  writeFileSync(path.join(dir, 'b.txt'), 'b')
  for (const d of ['dir', 'outdir']) mkdirSync(path.join(dir, d))
  writeFileSync(path.join(dir, 'dir', 'f'), 'f')
  return w
}

test('each usage error exits 2 with one line, and writes nothing', async (t) => {
  const dir = scratch(t)
  const w = setup(dir)
  const before = readdirSync(dir).sort()
  const results = await Promise.all(
    CASES.map(async ([why, args, expected]) => ({
      why,
      expected,
      r: await esdk(
        args.flatMap((a) => (a === '$KEY' ? w : [a])),
        { cwd: dir },
      ),
    })),
  )
  for (const { why, expected, r } of results) {
    t.is(r.status, 2, `${why}: ${r.stderr}`)
    t.is(lines(r.stderr).length, 1, `${why}: one line`)
    t.regex(r.stderr, expected, why)
    t.regex(r.stderr, /^esdk: .*\(see esdk --help\)\n$/, why)
  }
  t.deepEqual(readdirSync(dir).sort(), before, 'no usage error wrote a file')
})

test('--help and --version print to stdout and exit 0', async (t) => {
  const help = await esdk(['--help'])
  t.is(help.status, 0)
  for (const flag of [
    '--encrypt',
    '--decrypt',
    '--decrypt-unsigned',
    '--input',
    '--output',
    '--wrapping-keys',
    '--encryption-context',
    '--suppress-metadata',
    '--metadata-output',
    '--overwrite-metadata',
    '--commitment-policy',
    '--caching',
    '--buffer',
    '--encode',
    '--decode',
    '--algorithm',
    '--frame-length',
    '--max-length',
    '--max-encrypted-data-keys',
    '--suffix',
    '--interactive',
    '--no-overwrite',
    '--recursive',
    '--quiet',
    '--version',
    '--jobs',
    '--backend',
    '--kms-endpoint',
  ]) {
    t.true(help.stdout.toString().includes(flag), flag)
  }
  t.regex(help.stdout.toString(), /Exit codes: 0 success, 1 an operation failed, 2 usage error/)
  const version = await esdk(['--version'])
  t.is(version.status, 0)
  t.regex(version.stdout.toString(), /^esdk\/\d+\.\d+\.\d+ esdk-native\/\d+\.\d+\.\d+ node\/v\d+/)
  t.is(version.stderr, '')
})

test('long flags shorten to any unique prefix, as argparse allows: --inp, --out, --suppress, --wrap, --frame=, --wrapping=, --metadata-o=; exact names win over longer ones', async (t) => {
  const dir = scratch(t)
  const { file } = aesKey(dir)
  writeFileSync(path.join(dir, 'in'), 'shortened')
  const key = ['provider=raw-aes', `key=file:${file}`, 'namespace=cli-tests', 'name=aes-1']
  const enc = await esdk(['-e', '--inp', 'in', '--out', 'in.enc', '--wrap', ...key, '--suppress', '--frame=1024'], {
    cwd: dir,
  })
  t.is(enc.status, 0, enc.stderr)
  // --decrypt is a prefix of --decrypt-unsigned: an exact name is never ambiguous.
  const dec = await esdk(
    ['--decrypt', '-i', 'in.enc', '-o', '-', `--wrapping=${key[0] as string}`, ...key.slice(1), '--metadata-o=m.json'],
    { cwd: dir },
  )
  t.is(dec.status, 0, dec.stderr)
  t.is(dec.stdout.toString(), 'shortened')
  t.regex(readFileSync(path.join(dir, 'm.json'), 'utf8'), /"mode": ?"decrypt"/)
})

test('@file arguments: one file holds the flags, with quotes, comments and $VARS', async (t) => {
  const dir = scratch(t)
  const { file } = aesKey(dir)
  writeFileSync(
    path.join(dir, 'enc.args'),
    `# encrypt with the raw key\n-e -S  # no metadata\n-w provider=raw-aes key=file:$KEYFILE namespace=cli-tests name=aes-1\n-c "team=blue green"\n`,
  )
  const r = await esdk(['@enc.args', '-i', '-', '-o', '-'], {
    cwd: dir,
    input: 'from args',
    env: { ...process.env, KEYFILE: file },
  })
  t.is(r.status, 0, r.stderr)
  const back = await esdk(
    [
      '-d',
      '-i',
      '-',
      '-o',
      '-',
      '-w',
      'provider=raw-aes',
      `key=file:${file}`,
      'namespace=cli-tests',
      'name=aes-1',
      '-S',
      '-c',
      'team=blue green',
    ],
    { input: r.stdout },
  )
  t.is(back.status, 0, back.stderr)
  t.is(back.stdout.toString(), 'from args')
})
