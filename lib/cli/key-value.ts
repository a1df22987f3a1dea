// `key=value` parameter lists (wrapping keys, context, caching), read the way the Python CLI reads them.
import { UsageError } from './errors'

/** Every value of each key, in order: `key=a key=b` gives `{key: [a, b]}`. Both sides must be non-empty. */
export function parseKeyValues(args: readonly string[], what: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const arg of args) {
    const at = arg.indexOf('=')
    if (at <= 0 || at === arg.length - 1) throw new UsageError(`${what}: "${arg}" must follow the format "key=value"`)
    const key = arg.slice(0, at)
    const list = out.get(key) ?? []
    list.push(arg.slice(at + 1))
    out.set(key, list)
  }
  return out
}

/** The first value of each key (the Python CLI's "collapse"), as a plain record. */
export function collapse(values: Map<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of values) out[k] = v[0] as string
  return out
}
