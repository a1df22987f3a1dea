// `@file` arguments: a file's lines become arguments, split like a POSIX shell, `#` comments dropped, `~` and $VARS expanded (as the Python CLI reads them).
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { UsageError } from './errors'

/** How deep `@file` may name another `@file`: a loop is a usage error, not a hang. */
const MAX_DEPTH = 8

export function expandArgFiles(argv: readonly string[], depth = 0): string[] {
  const out: string[] = []
  for (const arg of argv) {
    if (!arg.startsWith('@') || arg.length === 1) {
      out.push(arg)
      continue
    }
    if (depth >= MAX_DEPTH) throw new UsageError(`argument files nest deeper than ${MAX_DEPTH} (${arg})`)
    let text: string
    try {
      text = readFileSync(arg.slice(1), 'utf8')
    } catch (e) {
      throw new UsageError(
        `cannot read argument file ${arg.slice(1)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      )
    }
    const words = text.split(/\r?\n/).flatMap((line) => splitLine(line))
    out.push(...expandArgFiles(words, depth + 1))
  }
  return out
}

/** Splits one line into words: single and double quotes group, backslash escapes, an unquoted `#` starts a comment. */
export function splitLine(line: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string
    if (quote !== undefined) {
      if (c === quote) quote = undefined
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i]
      else word += c
      continue
    }
    if (c === '#' && !inWord) break
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(expandWord(word))
      word = ''
      inWord = false
      continue
    }
    inWord = true
    if (c === '"' || c === "'") quote = c
    else if (c === '\\' && i + 1 < line.length) word += line[++i]
    else word += c
  }
  if (quote !== undefined) throw new UsageError(`unclosed quote in argument file line: ${line}`)
  if (inWord) words.push(expandWord(word))
  return words
}

function expandWord(word: string): string {
  const home = word === '~' || word.startsWith('~/') ? homedir() + word.slice(1) : word
  return home.replace(
    /\$(\w+)|\$\{(\w+)\}/g,
    (whole, a: string | undefined, b: string | undefined) => process.env[a ?? b ?? ''] ?? whole,
  )
}
