// No two files import each other, directly or around a longer loop: in lib/ and bench/, type-only imports included.
import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(__dirname, '..', '..', '..')
const ROOTS = ['lib', 'bench']

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

/** Every relative module a file names: import/export ... from, import(), require(). */
export function relativeImports(text: string): string[] {
  const found: string[] = []
  for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm))
    found.push(m[1] as string)
  return found
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec)
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (candidate.endsWith('.ts') && fs.existsSync(candidate)) return candidate
  }
  return undefined
}

/** The import graph of the scanned folders: file -> files it imports. */
function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>()
  for (const folder of ROOTS) {
    for (const file of sourceFiles(path.join(root, folder))) {
      const targets = relativeImports(fs.readFileSync(file, 'utf8'))
        .map((spec) => resolve(file, spec))
        .filter((t): t is string => t !== undefined)
      edges.set(file, [...new Set(targets)])
    }
  }
  return edges
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function circles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0
  const indices = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    indices.set(v, index)
    low.set(v, index)
    index++
    stack.push(v)
    onStack.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, indices.get(w) as number))
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop() as string
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(component.sort())
    }
  }
  for (const v of edges.keys()) if (!indices.has(v)) visit(v)
  return found
}

test('the circle finder finds a planted three-file loop and a self-import, and nothing in a chain', (t) => {
  t.deepEqual(
    circles(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
        ['d', ['a']],
      ]),
    ),
    [['a', 'b', 'c']],
  )
  t.deepEqual(circles(new Map([['a', ['a']]])), [['a']])
  t.deepEqual(
    circles(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', []],
      ]),
    ),
    [],
  )
  t.deepEqual(
    relativeImports(
      "import type { X } from './x'\nimport './side'\nconst y = require('../y')\nexport { z } from './z'",
    ),
    ['./x', './side', '../y', './z'],
  )
})

test('no files in lib/ or bench/ import each other in a circle', (t) => {
  const edges = graph()
  t.true(edges.size > 50, 'the scan found the sources')
  t.deepEqual(
    circles(edges).map((c) => c.map((f) => path.relative(root, f)).join(' <-> ')),
    [],
  )
})
