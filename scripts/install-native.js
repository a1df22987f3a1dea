// Install step: use the prebuilt platform package's addon when it loads here, else build from source with node-gyp; never fails `npm install`.
'use strict'

const fs = require('fs')
const path = require('path')
const { spawnSync } = require('child_process')

const root = path.resolve(__dirname, '..')
// --strict (npm run build:native): always build from source, show the compiler output and propagate failure.
const strict = process.argv.includes('--strict')
const logFile = path.join(root, 'build', 'native-build.log')
// This repository (not an installed copy): it holds the platform package's source folder.
const workspacePrebuilt = path.join(root, 'npm', 'linux-x64-gnu')
const inRepository = fs.existsSync(path.join(workspacePrebuilt, 'package.json'))

/**
 * The ESDK_* variables, read by lib/core/config.ts (compiled, shipped in build/lib). In this repository
 * before the first `npm run build` there is no compiled copy yet; then only the two install flags are
 * read here, with the same rule ('0', '1' or unset).
 */
function installConfig() {
  try {
    return require(path.join(root, 'build', 'lib', 'core', 'config.js')).readConfig(process.env)
  } catch (err) {
    // A bad value of another variable (ESDK_NATIVE_THREADS, ...) is the library's error at run time, not a
    // reason to fail or change the install: only the two install flags below matter here.
    if (err && err.code !== 'MODULE_NOT_FOUND' && err.code !== 'INVALID_ARGUMENT') {
      console.error(`esdk-native: ${err.message}`)
      process.exit(1)
    }
  }
  const flag = (name) => {
    const value = process.env[name]
    if (value === undefined || value === '' || value === '0') return false
    if (value === '1') return true
    console.error(`esdk-native: ${name} must be 0, 1 or unset (got ${JSON.stringify(value)})`)
    process.exit(1)
  }
  return { skipNativeBuild: flag('ESDK_SKIP_NATIVE_BUILD'), buildFromSource: flag('ESDK_BUILD_FROM_SOURCE') }
}

/** The prebuilt binary's path when the platform package is installed and its addon loads and passes the checks here. */
function usablePrebuilt() {
  let loader
  try {
    loader = require(path.join(root, 'build', 'lib', 'backend', 'native-loader.js'))
  } catch {
    return undefined
  }
  const result = loader.loadNativeAddon()
  const name = loader.PLATFORM_PACKAGES[`${process.platform}-${process.arch}`]
  return result.addon && name && result.path.includes(name) ? { name, path: result.path } : undefined
}

/**
 * In this repository a build made by the oldest supported Node (20: OpenSSL 3.0 headers, which every later
 * runtime's OpenSSL 3 still has) is also the platform package's binary; newer headers would not load on Node 20.
 */
function refreshWorkspacePrebuilt() {
  const built = path.join(root, 'build', 'Release', 'esdk_native.node')
  if (!inRepository || !fs.existsSync(built)) return
  if (!process.versions.openssl.startsWith('3.0.')) return
  fs.copyFileSync(built, path.join(workspacePrebuilt, 'esdk_native.node'))
  console.log(
    `esdk-native: copied the build to ${path.relative(root, workspacePrebuilt)} (the prebuilt package's binary)`,
  )
}

function giveUp(reason) {
  if (strict) {
    console.error(`esdk-native: native addon build failed (${reason})`)
    process.exit(1)
  }
  console.log(`esdk-native: native addon not built (${reason}); the pure-JS backend will be used`)
  // A stale binary from an earlier build would contradict the line above.
  fs.rmSync(path.join(root, 'build', 'Release', 'esdk_native.node'), { force: true })
  process.exit(0)
}

function main() {
  const config = installConfig()
  // An installed copy with a fitting prebuilt binary needs no compiler; this repository always builds its own.
  if (!strict && !config.buildFromSource && !inRepository) {
    const prebuilt = usablePrebuilt()
    if (prebuilt) {
      console.log(`esdk-native: using the prebuilt addon from ${prebuilt.name} (nothing to compile)`)
      return
    }
  }
  if (!strict && config.skipNativeBuild) {
    console.log('esdk-native: native addon build skipped (ESDK_SKIP_NATIVE_BUILD=1); the pure-JS backend will be used')
    return
  }

  // The running node's own headers (including its OpenSSL ones) sit under
  // <prefix>/include/node; pointing node-gyp there means it never tries to
  // download a header tarball, which would hang or fail offline.
  const nodeDir =
    process.platform === 'win32' ? path.dirname(process.execPath) : path.dirname(path.dirname(process.execPath))
  if (!fs.existsSync(path.join(nodeDir, 'include', 'node', 'node_api.h'))) {
    giveUp(`Node headers not found under ${path.join(nodeDir, 'include', 'node')}`)
  }

  let nodeGyp
  try {
    nodeGyp = require.resolve('node-gyp/bin/node-gyp.js')
  } catch {
    giveUp('node-gyp is not installed')
  }

  // Not `node-gyp rebuild`: its clean step deletes all of build/, which also
  // holds tsc's output (and, in a published package, the shipped build/lib).
  // Removing only node-gyp's own artefacts gives the same fresh build.
  for (const entry of [
    'Release',
    'Debug',
    'Makefile',
    'binding.Makefile',
    'esdk_native.target.mk',
    'config.gypi',
    'node_gyp_bins',
    'gyp-mac-tool',
    'native-build.log',
  ]) {
    fs.rmSync(path.join(root, 'build', entry), { recursive: true, force: true })
  }

  const result = spawnSync(process.execPath, [nodeGyp, 'configure', 'build', `--nodedir=${nodeDir}`, '--jobs=max'], {
    cwd: root,
    stdio: strict ? 'inherit' : 'pipe',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.error) giveUp(`could not run node-gyp: ${result.error.message}`)
  if (result.status !== 0) {
    if (strict) giveUp(`node-gyp exited with ${result.status ?? result.signal}`)
    const output = `${result.stdout}${result.stderr}`
    fs.mkdirSync(path.dirname(logFile), { recursive: true })
    fs.writeFileSync(logFile, output)
    // The first compiler/make error line is usually the real cause; node-gyp's
    // own "gyp ERR!" lines are generic, so they are the fallback.
    const lines = output.split('\n').map((l) => l.trim())
    const cause =
      lines.find((l) => /error|not found|No such file/i.test(l) && !l.startsWith('gyp ')) ??
      lines.find((l) => l.startsWith('gyp ERR!')) ??
      `exit ${result.status ?? result.signal}`
    giveUp(`${cause.slice(0, 200)}; full log: ${path.relative(process.cwd(), logFile) || logFile}`)
  }
  console.log(
    `esdk-native: built the native addon from source (${path.join(root, 'build', 'Release', 'esdk_native.node')})`,
  )
  refreshWorkspacePrebuilt()
}

main()
