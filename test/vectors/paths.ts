// Locates the shared vector folder: $ESDK_TEST_VECTORS, else ../shared/test-vectors relative to the repo root.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isObject, parseJson } from './json'

/** The nearest folder above this file whose package.json names this package (works from test/ and build/test/). */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json')
    if (fs.existsSync(pkg)) {
      const parsed = parseJson(fs.readFileSync(pkg), pkg)
      if (isObject(parsed) && parsed.name === 'esdk-native') return dir
    }
    if (path.dirname(dir) === dir) throw new Error(`no esdk-native package.json above ${from}`)
  }
}

export function vectorFolder(): string {
  const fromEnv = process.env.ESDK_TEST_VECTORS
  return fromEnv ? path.resolve(fromEnv) : path.resolve(repoRoot(), '..', 'shared', 'test-vectors')
}

/** The folder counts as present when it holds the catalog every run is judged against. */
export function vectorFolderPresent(folder: string): boolean {
  return fs.existsSync(path.join(folder, 'catalog.json'))
}
