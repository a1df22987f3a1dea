// Input globs (`*`, `?`, `[...]` in any path segment) expanded the way Python's glob.glob does it: sorted matches, dotfiles only when the pattern names the dot.
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'

export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern)
}

function segmentRegex(segment: string): RegExp {
  let re = ''
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2)
      if (end < 0) re += '\\['
      else {
        const body = segment.slice(i + 1, end)
        re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`
        i = end
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** Paths that match, sorted; [] when none. */
export function expandGlob(pattern: string): string[] {
  const absolute = path.isAbsolute(pattern)
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0)
  let bases = [absolute ? '/' : '']
  for (const segment of segments) {
    if (segment === '' && absolute) continue
    const next: string[] = []
    for (const base of bases) {
      if (!hasGlob(segment)) {
        next.push(base === '' ? segment : path.join(base, segment))
        continue
      }
      let names: string[]
      try {
        names = readdirSync(base === '' ? '.' : base)
      } catch {
        continue
      }
      const re = segmentRegex(segment)
      for (const name of names) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue
        if (re.test(name)) next.push(base === '' ? name : path.join(base, name))
      }
    }
    bases = next
  }
  return bases
    .filter((p) => {
      try {
        statSync(p)
        return true
      } catch {
        return false
      }
    })
    .sort()
}
