// bin/code-cache.js: a module loaded through V8's code cache behaves as if required; the cache is written once, reused, and a bad one is ignored and replaced.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT, scratch } from './helpers'

interface Loaded {
  readonly exports: { answer: () => string; dir: string; file: string; sibling: string }
  save(): void
}
const { requireWithCodeCache } = require(path.join(ROOT, 'bin', 'code-cache.js')) as {
  requireWithCodeCache: (file: string) => Loaded
}

/** A module with a function (compiled lazily), its own __dirname and __filename, and a relative require. */
function writeModule(dir: string): string {
  writeFileSync(path.join(dir, 'sibling.js'), "module.exports = 'from the sibling'\n")
  const file = path.join(dir, 'entry.js')
  writeFileSync(
    file,
    [
      "'use strict'",
      "exports.answer = function answer() { return ['a', 'b', 'c'].map((x) => x.toUpperCase()).join('') }",
      'exports.dir = __dirname',
      'exports.file = __filename',
      "exports.sibling = require('./sibling')",
    ].join('\n'),
  )
  return file
}

test('loads like require: exports, __dirname, __filename and relative requires; the first run writes the cache', (t) => {
  const dir = scratch(t)
  const file = writeModule(dir)
  const loaded = requireWithCodeCache(file)
  t.is(loaded.exports.answer(), 'ABC')
  t.is(loaded.exports.dir, dir)
  t.is(loaded.exports.file, file)
  t.is(loaded.exports.sibling, 'from the sibling')
  t.false(existsSync(`${file}.v8-cache`), 'nothing written before save()')
  loaded.save()
  t.true(statSync(`${file}.v8-cache`).size > 0)
})

/** Loads `file` in a fresh Node process (V8 keeps a compiled script in memory: only a new process reads the cache) and saves. */
function loadInChild(file: string): string {
  const script = [
    `const { requireWithCodeCache } = require(${JSON.stringify(path.join(ROOT, 'bin', 'code-cache.js'))})`,
    `const loaded = requireWithCodeCache(${JSON.stringify(file)})`,
    'process.stdout.write(loaded.exports.answer())',
    'loaded.save()',
  ].join('\n')
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`)
  return r.stdout
}

test('a valid cache is used and left alone; a corrupt one is ignored (the module still loads) and replaced', (t) => {
  const dir = scratch(t)
  const file = writeModule(dir)
  const cacheFile = `${file}.v8-cache`
  t.is(loadInChild(file), 'ABC')
  const written = readFileSync(cacheFile)

  t.is(loadInChild(file), 'ABC')
  t.true(readFileSync(cacheFile).equals(written), 'an accepted cache is not rewritten')

  const corrupt = Buffer.alloc(written.length, 0x5a)
  writeFileSync(cacheFile, corrupt)
  t.is(loadInChild(file), 'ABC', 'a rejected cache changes nothing but speed')
  const replaced = readFileSync(cacheFile)
  t.false(replaced.equals(corrupt), 'the corrupt cache was replaced')
  // V8 takes the replacement: the next process leaves it as it is.
  t.is(loadInChild(file), 'ABC')
  t.true(readFileSync(cacheFile).equals(replaced))
})

test('a changed module rejects the old cache: the new code runs, never the cached one', (t) => {
  const dir = scratch(t)
  const file = writeModule(dir)
  t.is(loadInChild(file), 'ABC')
  writeFileSync(file, "exports.answer = () => 'changed'\n")
  t.is(loadInChild(file), 'changed')
})

test('a read-only directory: the module loads and save() writes nothing and does not throw', (t) => {
  if (process.getuid?.() === 0) {
    // root writes through permissions; make the cache path a directory instead, which no file write can replace.
    const dir = scratch(t)
    const file = writeModule(dir)
    const blocker = path.join(dir, 'entry.js.v8-cache')
    mkdirSync(blocker)
    const loaded = requireWithCodeCache(file)
    t.is(loaded.exports.answer(), 'ABC')
    t.notThrows(() => loaded.save())
    t.true(statSync(blocker).isDirectory())
    return
  }
  const dir = scratch(t)
  const file = writeModule(dir)
  chmodSync(dir, 0o555)
  t.teardown(() => chmodSync(dir, 0o755))
  const loaded = requireWithCodeCache(file)
  t.is(loaded.exports.answer(), 'ABC')
  t.notThrows(() => loaded.save())
  t.false(existsSync(`${file}.v8-cache`))
})
