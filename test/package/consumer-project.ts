// Builds a fresh consumer project around packed tarballs: package.json, a lockfile from this repository's, and CJS/ESM/TS programs.
import * as fs from 'node:fs'
import * as path from 'node:path'

type LockEntry = Record<string, unknown>

export const REPO = path.resolve(__dirname, '..', '..', '..')
export const PLATFORM_PACKAGE = '@esdk-native/linux-x64-gnu'
export const PLATFORM_DIR = path.join(REPO, 'npm', 'linux-x64-gnu')

function readJson(file: string): Record<string, unknown> {
  const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
  if (typeof value !== 'object' || value === null) throw new Error(`${file}: not a JSON object`)
  return value as Record<string, unknown>
}

/**
 * The consumer's lockfile: esdk-native and its platform package from the packed tarballs, every
 * production dependency exactly as this repository's lockfile pins it (same versions, same tarball
 * URLs and integrity). `npm ci --offline` then needs only the tarballs `npm ci` here already put in
 * npm's cache: no registry metadata, no network. The platform package is an optional dependency of
 * esdk-native, as it would be from the registry.
 */
function consumerLock(mainTarball: string, platformTarball: string): Record<string, unknown> {
  const repoPackage = readJson(path.join(REPO, 'package.json'))
  const platformPackage = readJson(path.join(PLATFORM_DIR, 'package.json'))
  const repoLock = readJson(path.join(REPO, 'package-lock.json'))
  const entries = repoLock.packages as Record<string, LockEntry>
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { 'esdk-native': `file:${mainTarball}` } },
    'node_modules/esdk-native': {
      version: repoPackage.version,
      resolved: `file:${mainTarball}`,
      hasInstallScript: true,
      license: repoPackage.license,
      dependencies: repoPackage.dependencies,
      optionalDependencies: repoPackage.optionalDependencies,
      engines: repoPackage.engines,
      bin: repoPackage.bin,
    },
    [`node_modules/${PLATFORM_PACKAGE}`]: {
      version: platformPackage.version,
      resolved: `file:${platformTarball}`,
      optional: true,
      os: platformPackage.os,
      cpu: platformPackage.cpu,
      libc: platformPackage.libc,
      license: platformPackage.license,
      engines: platformPackage.engines,
    },
  }
  for (const [key, entry] of Object.entries(entries)) {
    if (key === '' || !key.startsWith('node_modules/') || entry.link === true || entry.dev === true) continue
    if (key === `node_modules/${PLATFORM_PACKAGE}`) continue
    const { devOptional, ...rest } = entry
    packages[key] = devOptional === true ? { ...rest, optional: true } : rest
  }
  return { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }
}

const ROUND_TRIP = `
  const keyring = new RawAesKeyringNode({ keyName: 'k', keyNamespace: 'packed', unencryptedMasterKey: Buffer.alloc(32, 7),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING })
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const { result } = await encrypt(keyring, 'packed hello')
  const { plaintext } = await decrypt(keyring, result)
  const info = getBackendInfo()
  console.log(JSON.stringify({ backend: info.backend, addonPath: info.addonPath ?? null, plaintext: plaintext.toString() }))
`
const NAMES = 'buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, getBackendInfo'

/** The three consumers: CommonJS, ESM, and TypeScript (type-checked against the shipped .d.ts, then run). */
export const CONSUMERS = {
  cjs: {
    file: 'consumer.cjs',
    source: `const { ${NAMES} } = require('esdk-native')\n;(async () => {${ROUND_TRIP}})()\n`,
  },
  esm: { file: 'consumer.mjs', source: `import { ${NAMES} } from 'esdk-native'\n${ROUND_TRIP}\n` },
  ts: {
    file: 'consumer.ts',
    source: `import { ${NAMES} } from 'esdk-native'\nasync function main(): Promise<void> {${ROUND_TRIP}}\nvoid main()\n`,
  },
} as const

/** Writes the project into `dir` (which holds the two tarballs). */
export function writeConsumerProject(dir: string, mainTarball: string, platformTarball: string): void {
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      { name: 'consumer', version: '1.0.0', private: true, dependencies: { 'esdk-native': `file:${mainTarball}` } },
      null,
      2,
    ),
  )
  fs.writeFileSync(
    path.join(dir, 'package-lock.json'),
    JSON.stringify(consumerLock(mainTarball, platformTarball), null, 2),
  )
  for (const c of Object.values(CONSUMERS)) fs.writeFileSync(path.join(dir, c.file), c.source)
  // The repository's TypeScript and Node types (dev dependencies, not the consumer's concern here).
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'node16',
          moduleResolution: 'node16',
          strict: true,
          outDir: 'out',
          types: ['node'],
          typeRoots: [path.join(REPO, 'node_modules', '@types')],
        },
        files: [CONSUMERS.ts.file],
      },
      null,
      2,
    ),
  )
}
