// Loads one CommonJS file (the esdk command's bundle) through V8's code cache kept beside it, so a start compiles nothing it compiled before.
'use strict'

const fs = require('node:fs')
const Module = require('node:module')
const path = require('node:path')
const vm = require('node:vm')

/**
 * Like `require(file)`, with V8's code cache in `file + '.v8-cache'`. The cache is written after the first run (a
 * cache made then holds the functions the run compiled, not only the top level) and whenever V8 rejects the one
 * there (another Node or V8 version, or a changed file: V8 checks both). It lives beside the code, in the package's
 * own directory, never in a shared temporary one: whoever can write it can already write the code. Where that
 * directory is read-only, nothing is written and every start compiles, as without a cache.
 *
 * Returns the module's exports and `save()`, to be called once the work is done.
 */
function requireWithCodeCache(file) {
  const cacheFile = `${file}.v8-cache`
  const source = fs.readFileSync(file, 'utf8')
  let cachedData
  try {
    cachedData = fs.readFileSync(cacheFile)
  } catch {
    cachedData = undefined
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData })
  const module = new Module(file, require.main)
  module.filename = file
  module.paths = Module._nodeModulePaths(path.dirname(file))
  script
    .runInThisContext()
    .call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file))
  module.loaded = true
  const fresh = cachedData === undefined || script.cachedDataRejected === true
  return {
    exports: module.exports,
    save() {
      if (!fresh) return
      // A temporary name, then a rename: a concurrent start reads the old cache or the new one, never half of one.
      const temporary = `${cacheFile}.${process.pid}.tmp`
      try {
        fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o644 })
        fs.renameSync(temporary, cacheFile)
      } catch {
        try {
          fs.unlinkSync(temporary)
        } catch {
          // Never created (a read-only directory): nothing to clean up.
        }
      }
    },
  }
}

module.exports = { requireWithCodeCache }
