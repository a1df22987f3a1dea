// What `esdk --version` prints: this package's version and the runtime's; reads package.json and loads nothing else (bin/esdk.js calls it before the command itself loads).
import { readFileSync } from 'node:fs'
import path from 'node:path'

export function versionReport(): string {
  // build/lib/cli/ (and the bundle beside it) sit three levels under the package root.
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    version?: unknown
  }
  const version = typeof pkg.version === 'string' ? pkg.version : 'unknown'
  return `esdk/${version} esdk-native/${version} node/${process.version}`
}
