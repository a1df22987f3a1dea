#!/usr/bin/env node
// The `esdk` command (build/lib/cli): dependency warnings (such as the AWS SDK's Node-version notice) stay off the user's terminal unless -v.
'use strict'
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const argv = process.argv.slice(2)
const verbose = argv.some((a) => /^-v+$/.test(a))
process.removeAllListeners('warning')
process.on('warning', (w) => {
  if (verbose) process.stderr.write(`esdk: warning: ${w.name}: ${w.message}\n`)
})
require('../build/lib/cli/main.js')
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
