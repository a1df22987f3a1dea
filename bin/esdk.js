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
// Node 22.1+: V8's code cache for the modules below, kept in the OS temp directory and checked against each file's
// contents (module.enableCompileCache); NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node 20 has none: a no-op there.
require('node:module').enableCompileCache?.()
const path = require('node:path')
const fs = require('node:fs')
const cli = path.join(__dirname, '..', 'build', 'lib', 'cli')
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
const entry =
  bundled !== undefined && (separate === undefined || bundled.mtimeMs >= separate.mtimeMs) ? bundle : modules
require(entry)
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
