#!/usr/bin/env node
// The `esdk` command (build/lib/cli): dependency warnings (such as the AWS SDK's Node-version notice) stay off the user's terminal unless -v.
'use strict'
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined)
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const argv = process.argv.slice(2)
const verbose = argv.some((a) => /^-v+$/.test(a))
process.removeAllListeners('warning')
process.on('warning', (w) => {
  if (verbose) process.stderr.write(`esdk: warning: ${w.name}: ${w.message}\n`)
})
const path = require('node:path')
const fs = require('node:fs')
const cli = path.join(__dirname, '..', 'build', 'lib', 'cli')
// Node 22.1+: V8's code cache for the modules loaded later by require (the AWS SDK for a KMS key, the progress bar),
// in the package's own directory rather than a shared temporary one (module.enableCompileCache; a read-only
// directory just means no cache). Node 20 has no such call; the bundle has its own cache below, on every version.
try {
  require('node:module').enableCompileCache?.(path.join(cli, '.compile-cache'))
} catch {
  // A cache is an optimisation: without one, modules compile as usual.
}
if (argv.length === 1 && argv[0] === '--version') {
  // The common probe, answered before the command (bundled or not) loads.
  process.stdout.write(`${require(path.join(cli, 'version.js')).versionReport()}\n`)
  return
}
// One bundled file (scripts/bundle-cli.js, made by `npm run build`) starts faster than ~100 modules; a bundle older than
// the modules it was made from (a bare `tsc` since) is stale, and the modules run instead.
const bundle = path.join(cli, 'bundle.js')
const modules = path.join(cli, 'main.js')
const bundled = fs.statSync(bundle, { throwIfNoEntry: false })
const separate = fs.statSync(modules, { throwIfNoEntry: false })
const useBundle = bundled !== undefined && (separate === undefined || bundled.mtimeMs >= separate.mtimeMs)
// The bundle through V8's code cache (bin/code-cache.js): about a third of a small file's start-up is compiling it.
const loaded = useBundle ? require('./code-cache').requireWithCodeCache(bundle) : { exports: require(modules) }
loaded.exports
  .main(argv)
  .then(
    (code) => {
      process.exitCode = code
    },
    (e) => {
      process.stderr.write(`esdk: ${e instanceof Error ? e.message : String(e)}\n`)
      process.exitCode = 1
    },
  )
  .finally(() => loaded.save?.())
