#!/usr/bin/env node
// npm run lint / npm run format: Prettier for the TypeScript and JavaScript, ESLint (typescript-eslint, type-aware)
// for the TypeScript, clang-format for the native sources; all three pinned in devDependencies.
//
//   npm run lint      check only; exit 1 if any tool finds something (CI runs this once)
//   npm run format    rewrite the files in place (Prettier and clang-format; ESLint findings are fixed by hand)
'use strict'

const { spawnSync } = require('child_process')
const path = require('path')

const root = path.resolve(__dirname, '..')
const write = process.argv.includes('--write')
const PRETTIER_GLOBS = [
  'lib/**/*.ts',
  'test/**/*.ts',
  'bench/**/*.ts',
  'examples/**/*.ts',
  'scripts/**/*.js',
  'bin/**/*.js',
  'esm/**/*.mjs',
  'eslint.config.mjs',
]

function bin(name) {
  return path.join(root, 'node_modules', '.bin', name)
}

/** The native sources under version control: what the addon, the fuzz targets and the harnesses compile. */
function nativeSources() {
  const listed = spawnSync('git', ['ls-files', '-z', 'native', 'test/native'], { cwd: root, encoding: 'utf8' })
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`)
  return listed.stdout.split('\0').filter((f) => /\.(cc|h)$/.test(f))
}

function run(label, command, args) {
  const start = Date.now()
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' })
  const ok = result.status === 0
  console.log(`lint: ${label} ${ok ? 'clean' : 'FAILED'} (${((Date.now() - start) / 1000).toFixed(1)} s)`)
  return ok
}

const steps = write
  ? [
      ['prettier', bin('prettier'), ['--write', '--log-level', 'warn', ...PRETTIER_GLOBS]],
      ['clang-format', bin('clang-format'), ['-i', ...nativeSources()]],
    ]
  : [
      ['prettier', bin('prettier'), ['--check', '--log-level', 'warn', ...PRETTIER_GLOBS]],
      ['eslint', bin('eslint'), ['--max-warnings', '0', '.']],
      ['clang-format', bin('clang-format'), ['--dry-run', '-Werror', ...nativeSources()]],
    ]
let failures = 0
for (const [label, command, args] of steps) if (!run(label, command, args)) failures++
process.exit(failures === 0 ? 0 : 1)
