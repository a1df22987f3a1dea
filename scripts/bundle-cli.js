// Build step after tsc: the `esdk` command's modules (build/lib/cli/main.js and the library it reaches) as one file, build/lib/cli/bundle.js, so start-up resolves and reads one module instead of about a hundred.
'use strict'
const path = require('node:path')
const fs = require('node:fs')

const root = path.join(__dirname, '..')
const entry = path.join(root, 'build', 'lib', 'cli', 'main.js')
// Beside main.js on purpose: the same depth, so the paths the code computes from __dirname (package.json, the addon search) hold.
const outfile = path.join(root, 'build', 'lib', 'cli', 'bundle.js')

let esbuild
try {
  esbuild = require('esbuild')
} catch {
  // An install without dev dependencies: bin/esdk.js falls back to the separate modules.
  process.stderr.write('bundle-cli: esbuild is not installed; esdk runs from build/lib/cli/main.js\n')
  process.exit(0)
}

/**
 * commander requires node:child_process at load, for executable subcommands this command does not have; loading it
 * (with net, dgram and their kin) is a visible share of start-up. Inside commander it becomes a stand-in that loads
 * the real module on first use, so nothing changes if it is ever used.
 */
function lazyChildProcess() {
  return {
    name: 'lazy-child-process',
    setup(build) {
      build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
        /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
          ? { path: 'lazy-child-process', namespace: 'esdk-stub' }
          : undefined,
      )
      build.onLoad({ filter: /.*/, namespace: 'esdk-stub' }, () => ({
        contents:
          "let real; const load = () => (real ??= require('node:child_process')); module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() })",
        loader: 'js',
      }))
    },
  }
}

esbuild
  .build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    // Loaded only when used (a KMS key, a progress bar) and large or with files of their own: left to Node's resolution.
    external: ['@aws-sdk/*', '@smithy/*', 'cli-progress'],
    legalComments: 'none',
    plugins: [lazyChildProcess()],
  })
  .then(() => {
    // bin/esdk.js uses the bundle only when it is at least as new as main.js (a later bare `tsc` makes it stale).
    const now = new Date()
    fs.utimesSync(outfile, now, now)
  })
  .catch((e) => {
    process.stderr.write(`bundle-cli: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  })
