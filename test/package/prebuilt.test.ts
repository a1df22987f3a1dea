// The prebuilt platform package: versions in step with the main package, and one binary (built on Node 20) that loads and passes the self-test on whichever Node runs this.
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { PLATFORM_PACKAGES } from '../../lib/backend/native-loader'
import { PLATFORM_DIR, PLATFORM_PACKAGE, REPO } from './consumer-project'

const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>

test('the platform package is the one the loader looks for, pinned exactly at the main package version', (t) => {
  const main = readJson(path.join(REPO, 'package.json'))
  const platform = readJson(path.join(PLATFORM_DIR, 'package.json'))
  t.is(PLATFORM_PACKAGES['linux-x64'], PLATFORM_PACKAGE)
  t.is(platform.name, PLATFORM_PACKAGE)
  t.is(platform.version, main.version)
  t.deepEqual(main.optionalDependencies, { [PLATFORM_PACKAGE]: main.version })
  t.deepEqual([platform.os, platform.cpu, platform.libc], [['linux'], ['x64'], ['glibc']])
  t.deepEqual(platform.files, ['esdk_native.node'])
  t.false(JSON.stringify(platform).includes('"scripts"'), 'no install script of its own')
})

test('the prebuilt binary (Node 20 headers) loads on this Node, selects the native backend and passes the self-test', (t) => {
  const binary = path.join(PLATFORM_DIR, 'esdk_native.node')
  if (!fs.existsSync(binary))
    return t.fail(`no prebuilt binary at ${binary}: a build on Node 20 puts it there (npm ci, npm run build:native)`)
  const script = `const esdk = require(${JSON.stringify(path.join(__dirname, '..', '..', 'lib', 'index.js'))});
const i = esdk.getBackendInfo(); process.stdout.write(JSON.stringify({ backend: i.backend, addonPath: i.addonPath, openssl: i.openssl, reasons: i.reasons }))`
  const out = JSON.parse(
    execFileSync(process.execPath, ['-e', script], {
      env: { ...process.env, ESDK_NATIVE_ADDON_PATH: binary, ESDK_BACKEND: '' },
      encoding: 'utf8',
    }),
  ) as { backend: string; addonPath: string; openssl: { compiled: string; runtime: string }; reasons: string[] }
  t.is(out.addonPath, binary)
  t.is(out.backend, 'native', out.reasons.join('\n'))
  t.regex(out.openssl.compiled, /^OpenSSL 3\.0\./, "built against the oldest supported Node's OpenSSL")
  t.true(out.openssl.runtime.includes(process.versions.openssl))
  t.log(
    `node ${process.version}, OpenSSL ${process.versions.openssl}: prebuilt sha256 ${createHash('sha256').update(fs.readFileSync(binary)).digest('hex')}`,
  )
})
