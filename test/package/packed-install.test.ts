// The published shape, offline: `npm pack`, installed into fresh projects: without install scripts the prebuilt addon serves CJS, ESM and TS; with scripts and no compiler, the JS backend.
import test from 'ava'
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { CONSUMERS, PLATFORM_DIR, PLATFORM_PACKAGE, REPO, writeConsumerProject } from './consumer-project'

/** npm as this test was started with (`npm test` sets npm_execpath), run by the node running the tests. */
function npm(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): { status: number | null; output: string } {
  const cli = process.env.npm_execpath?.replace(/npx-cli\.js$/, 'npm-cli.js')
  const [command, argv] = cli !== undefined && cli.endsWith('.js') ? [process.execPath, [cli, ...args]] : ['npm', args]
  const r = spawnSync(command, argv, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` }
}

/** Runs a consumer program with the test's node, in the project; returns its one JSON line. */
function runConsumer(dir: string, file: string): { backend: string; addonPath: string | null; plaintext: string } {
  const out = execFileSync(process.execPath, [file], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ESDK_NATIVE_ADDON_PATH: '', ESDK_BACKEND: '' },
  })
  return JSON.parse(out.trim().split('\n').pop() ?? '') as {
    backend: string
    addonPath: string | null
    plaintext: string
  }
}

/** C and C++ compiler drivers by name (cc, g++-12, x86_64-linux-gnu-gcc, clang++, ...). */
const COMPILER = /^(cc|c\+\+|gcc|g\+\+|clang|clang\+\+|cpp)(-[0-9.]+)?$|-(cc|c\+\+|gcc|g\+\+)(-[0-9.]+)?$/

/**
 * One directory standing in for PATH: every program on it (the first of each name, as the shell
 * would find it), this test's node first, and no C or C++ compiler: a machine without build tools.
 */
function pathWithoutCompiler(dir: string): string {
  const bin = path.join(dir, 'no-compiler-bin')
  fs.mkdirSync(bin)
  fs.symlinkSync(process.execPath, path.join(bin, 'node'))
  const seen = new Set(['node'])
  for (const entry of (process.env.PATH ?? '').split(path.delimiter)) {
    let names: string[]
    try {
      names = fs.readdirSync(entry)
    } catch {
      continue
    }
    for (const name of names) {
      if (seen.has(name) || COMPILER.test(name)) continue
      seen.add(name)
      fs.symlinkSync(path.join(entry, name), path.join(bin, name))
    }
  }
  return bin
}

const prebuilt = path.join(PLATFORM_DIR, 'esdk_native.node')
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'esdk-packed-'))
test.after.always(() => fs.rmSync(work, { recursive: true, force: true }))

let packed: Promise<{ main: string; platform: string }> | undefined
/** Both tarballs, packed once for the file (the build/lib that `npm test` just compiled goes in). */
function pack(): Promise<{ main: string; platform: string }> {
  packed ??= Promise.resolve().then(() => {
    if (!fs.existsSync(prebuilt))
      throw new Error(
        `no prebuilt binary at ${prebuilt}: a build on Node 20 puts it there (npm ci, npm run build:native)`,
      )
    const main = npm(['pack', '--pack-destination', work, '--silent'], REPO)
    const platform = npm(['pack', PLATFORM_DIR, '--pack-destination', work, '--silent'], REPO)
    if (main.status !== 0 || platform.status !== 0)
      throw new Error(`npm pack failed:\n${main.output}\n${platform.output}`)
    return {
      main: main.output.trim().split('\n').pop() ?? '',
      platform: platform.output.trim().split('\n').pop() ?? '',
    }
  })
  return packed
}

function project(name: string, tarballs: { main: string; platform: string }): string {
  const dir = path.join(work, name)
  fs.mkdirSync(dir)
  for (const t of [tarballs.main, tarballs.platform]) fs.copyFileSync(path.join(work, t), path.join(dir, t))
  writeConsumerProject(dir, tarballs.main, tarballs.platform)
  return dir
}

test.serial(
  'packed, installed offline with --ignore-scripts: CommonJS, ESM and TypeScript consumers get the native backend from the prebuilt package',
  async (t) => {
    const tarballs = await pack()
    const dir = project('no-scripts', tarballs)
    const installStart = Date.now()
    const install = npm(['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], dir)
    t.is(install.status, 0, install.output)
    t.false(fs.existsSync(path.join(dir, 'node_modules', 'esdk-native', 'build', 'Release')), 'nothing was compiled')
    t.true(fs.existsSync(path.join(dir, 'node_modules', PLATFORM_PACKAGE, 'esdk_native.node')))
    const tscStart = Date.now()
    const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], {
      encoding: 'utf8',
    })
    t.log(
      `npm ci ${((tscStart - installStart) / 1000).toFixed(1)} s, tsc ${((Date.now() - tscStart) / 1000).toFixed(1)} s`,
    )
    t.is(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`)
    for (const [kind, file] of [
      ['cjs', CONSUMERS.cjs.file],
      ['esm', CONSUMERS.esm.file],
      ['ts', path.join('out', 'consumer.js')],
    ] as const) {
      const r = runConsumer(dir, file)
      t.is(r.backend, 'native', `${kind}: ${JSON.stringify(r)}`)
      t.is(r.addonPath, fs.realpathSync(path.join(dir, 'node_modules', PLATFORM_PACKAGE, 'esdk_native.node')), kind)
      t.is(r.plaintext, 'packed hello', kind)
    }
  },
)

test.serial(
  'packed, installed offline with install scripts (the default): the script finds the prebuilt binary, says so in one line and compiles nothing',
  async (t) => {
    const tarballs = await pack()
    const dir = project('with-scripts', tarballs)
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithoutCompiler(path.join(work, 'with-scripts')) }
    const install = npm(['ci', '--offline', '--foreground-scripts', '--no-audit', '--no-fund'], dir, env)
    t.is(install.status, 0, install.output)
    const lines = install.output.split('\n').filter((l) => l.startsWith('esdk-native: '))
    t.deepEqual(
      lines,
      [`esdk-native: using the prebuilt addon from ${PLATFORM_PACKAGE} (nothing to compile)`],
      install.output,
    )
    t.false(fs.existsSync(path.join(dir, 'node_modules', 'esdk-native', 'build', 'Release')), 'nothing was compiled')
    const r = runConsumer(dir, CONSUMERS.cjs.file)
    t.is(r.backend, 'native', JSON.stringify(r))
    t.is(r.plaintext, 'packed hello')
  },
)

test.serial(
  'packed, installed offline with install scripts but no compiler and no prebuilt package: one line says so, and the JS backend works',
  async (t) => {
    const tarballs = await pack()
    const dir = project('no-compiler', tarballs)
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithoutCompiler(work) }
    for (const name of ['CC', 'CXX', 'npm_config_node_gyp']) delete env[name]
    // --omit=optional: as where no platform package fits (another OS, CPU or libc), so the install script must build.
    const install = npm(
      ['ci', '--offline', '--omit=optional', '--foreground-scripts', '--no-audit', '--no-fund'],
      dir,
      env,
    )
    t.is(install.status, 0, install.output)
    t.false(fs.existsSync(path.join(dir, 'node_modules', PLATFORM_PACKAGE)))
    const lines = install.output.split('\n').filter((l) => l.startsWith('esdk-native: '))
    t.is(lines.length, 1, install.output)
    t.regex(
      lines[0] ?? '',
      /^esdk-native: native addon not built \(.*(g\+\+|c\+\+|cc|compiler).*\); the pure-JS backend will be used$/,
    )
    t.log(lines[0])
    for (const file of [CONSUMERS.cjs.file, CONSUMERS.esm.file]) {
      const r = runConsumer(dir, file)
      t.is(r.backend, 'js', `${file}: ${JSON.stringify(r)}`)
      t.is(r.plaintext, 'packed hello', file)
    }
  },
)
