// Enforces the one-way layering of lib/: a folder may import only from folders to its left in LAYERS.
import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(__dirname, '..', '..', '..')
const lib = path.join(root, 'lib')

/**
 * core ← format ← materials ← backend ← session ← stream, batch ← api ← cli, kinesis, testing
 * (DESIGN.md, "Data flows one way"): a folder imports only from lower ranks; folders of one rank
 * (stream and batch; the sinks) do not import each other. index.ts sits above them all.
 */
const RANKS: readonly (readonly string[])[] = [
  ['core'],
  ['format'],
  ['materials'],
  ['backend'],
  ['session'],
  ['stream', 'batch'],
  ['api'],
  ['cli', 'kinesis', 'testing'],
]
const LAYERS = RANKS.flat()

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

function folderOf(file: string): string | undefined {
  const rel = path.relative(lib, file).split(path.sep)
  return rel.length === 1 ? undefined : rel[0]
}

function rankOf(file: string): number {
  const folder = folderOf(file)
  return folder === undefined ? RANKS.length : RANKS.findIndex((rank) => rank.includes(folder))
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
    const from = rankOf(file)
    const text = fs.readFileSync(file, 'utf8')
    for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), m[1] as string)
      const to = rankOf(target)
      checked++
      const sibling = to === from && folderOf(file) !== folderOf(target)
      if (to > from || sibling) violations.push(`${path.relative(root, file)} imports ${m[1]}`)
    }
  }
  t.true(checked > 20, 'the scan found the imports')
  t.deepEqual(violations, [])
})
