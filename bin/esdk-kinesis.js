#!/usr/bin/env node
// Runs the Kinesis record-encryption worker's local runner (build/lib/kinesis/cli.js); see `esdk-kinesis --help`.
'use strict'
require('../build/lib/kinesis/cli.js')
  .main(process.argv.slice(2))
  // Exit at once: a batch abandoned at SIGTERM may still hold timers or sockets.
  .then((code) => process.exit(code))
  .catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  })
