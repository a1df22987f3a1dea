#!/usr/bin/env node
// Runs the local AWS KMS stand-in (build/lib/testing/cli.js): prints its endpoint and key ARNs, serves until Ctrl-C.
'use strict'
require('../build/lib/testing/cli.js')
  .main(process.argv.slice(2))
  .catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  })
