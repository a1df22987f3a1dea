// Enforces the one-way layering of lib/: a folder may import only from folders to its left in LAYERS.
import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(__dirname, '..', '..', '..')
const lib = path.join(root, 'lib')

/** core ← format ← materials ← backend ← session ← batch ← api ← index (DESIGN.md, "Data flows one way"). */
const LAYERS = ['core', 'format', 'materials', 'backend', 'session', 'batch', 'api', 'testing']

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

function layerOf(file: string): number {
  const rel = path.relative(lib, file).split(path.sep)
  return rel.length === 1 ? LAYERS.length : LAYERS.indexOf(rel[0] as string)
}

test('every lib/ folder is a known layer', (t) => {
  for (const e of fs.readdirSync(lib, { withFileTypes: true })) {
    if (e.isDirectory()) t.true(LAYERS.includes(e.name), `unexpected folder lib/${e.name}: add it to LAYERS`)
  }
})

test('imports inside lib/ point only to the same or a lower layer', (t) => {
  const violations: string[] = []
  let checked = 0
  for (const file of sourceFiles(lib)) {
    const from = layerOf(file)
    const text = fs.readFileSync(file, 'utf8')
    for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), m[1] as string)
      const to = layerOf(target)
      checked++
      if (to > from) violations.push(`${path.relative(root, file)} imports ${m[1]}`)
    }
  }
  t.true(checked > 20, 'the scan found the imports')
  t.deepEqual(violations, [])
})
