// What to read and where to write: inputs (stdin, a file, a glob, directories with -r) paired with outputs, under the Python CLI's rules for sources, destinations and suffixes.
import { mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Action } from './action'
import { UsageError } from './errors'
import { expandGlob, hasGlob } from './glob'

export interface Job {
  /** A path, or '-' for stdin. */
  readonly source: string
  /** A path, or '-' for stdout. */
  readonly destination: string
  /** The input's size when it is a file (progress, the plaintext length bound on encrypt, the small-file paths). */
  readonly size: number | undefined
  /** The input file's device and inode (`dev:ino`), from the one stat of planning: no output may land on it. */
  readonly identity: string | undefined
  /** What the metadata calls them: absolute paths, `<stdin>` and `<stdout>`. */
  readonly inputName: string
  readonly outputName: string
}

export interface TargetRequest {
  readonly action: Action
  readonly input: string
  readonly output: string
  readonly recursive: boolean
  readonly suffix: string | undefined
  readonly metadataOutput: string | undefined
  readonly warn: (message: string) => void
}

const DEFAULT_SUFFIX: Readonly<Record<Action, string>> = {
  encrypt: '.encrypted',
  decrypt: '.decrypted',
  'decrypt-unsigned': '.decrypted',
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

/** `dev:ino` of what a path names (through links), or undefined when nothing is there. bigint: an inode number may not fit a double. */
export function identityOf(p: string): string | undefined {
  const s = statSync(p, { bigint: true, throwIfNoEntry: false })
  return s === undefined ? undefined : `${s.dev}:${s.ino}`
}

function real(p: string): string {
  try {
    return realpathSync(p)
  } catch {
    return path.resolve(p)
  }
}

/** The files under `dir` as paths relative to it, sorted per directory; built by concatenation (entry names hold no separator), not normalized per file. */
function walk(dir: string, prefix: string, out: string[]): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )) {
    const p = path.join(dir, e.name)
    const relative = prefix + e.name
    if (e.isDirectory()) walk(p, relative + path.sep, out)
    else if (e.isFile() || (e.isSymbolicLink() && statSync(p, { throwIfNoEntry: false })?.isFile() === true))
      out.push(relative)
  }
  return out
}

/** `base` (normalized once) and a clean relative path, joined without normalizing the whole again. */
function under(base: string, relative: string): string {
  if (base === '.') return relative
  return base.endsWith(path.sep) ? base + relative : base + path.sep + relative
}

/** Every job of the run, in order; usage errors for requests the Python CLI refuses. */
export function planJobs(r: TargetRequest): Job[] {
  const suffix = r.suffix ?? DEFAULT_SUFFIX[r.action]
  const outputIsDir = r.output !== '-' && isDir(r.output)
  if (r.output !== '-' && !outputIsDir && !isDir(path.dirname(path.resolve(r.output)))) {
    throw new UsageError('if the output is a file, its parent directory must already exist')
  }
  checkMetadataTarget(r, outputIsDir)
  if (r.input === '-') {
    if (outputIsDir) throw new UsageError('the output may not be a directory when the input is stdin')
    return [
      {
        source: '-',
        destination: r.output,
        size: undefined,
        identity: undefined,
        inputName: '<stdin>',
        outputName: r.output === '-' ? '<stdout>' : path.resolve(r.output),
      },
    ]
  }
  const sources = hasGlob(r.input) && !existsPath(r.input) ? expandGlob(r.input) : existsPath(r.input) ? [r.input] : []
  if (sources.length === 0) throw new UsageError(`no input matches ${r.input}`)
  if (sources.length > 1 && !outputIsDir)
    throw new UsageError('with several inputs, the output must be an existing directory')
  const jobs: Job[] = []
  const fileJob = (
    source: string,
    destination: string,
    inputName = path.resolve(source),
    outputName = destination === '-' ? '<stdout>' : path.resolve(destination),
  ): Job => {
    const s = statSync(source, { bigint: true })
    return { source, destination, size: Number(s.size), identity: `${s.dev}:${s.ino}`, inputName, outputName }
  }
  for (const source of sources) {
    if (isDir(source)) {
      if (!r.recursive) {
        if (sources.length === 1) throw new UsageError(`${source} is a directory: add -r to process it`)
        r.warn(`skipping ${source}: it is a directory (add -r)`)
        continue
      }
      if (!outputIsDir) throw new UsageError('if the input is a directory, the output must be an existing directory')
      const sourceBase = path.join(source, '.')
      const outputBase = path.join(r.output, '.')
      const absoluteSource = path.resolve(source)
      const absoluteOutput = path.resolve(r.output)
      // A suffix with a separator in it takes the normalizing path (its "..", if any, resolved as before).
      const plain = !suffix.includes('/') && !suffix.includes(path.sep)
      for (const relative of walk(source, '', [])) {
        const destination = under(outputBase, relative + suffix)
        jobs.push(
          plain
            ? fileJob(
                under(sourceBase, relative),
                destination,
                under(absoluteSource, relative),
                under(absoluteOutput, relative + suffix),
              )
            : fileJob(under(sourceBase, relative), path.join(destination)),
        )
      }
    } else {
      jobs.push(fileJob(source, outputIsDir ? path.join(r.output, path.basename(source) + suffix) : r.output))
    }
  }
  if (jobs.length > 1 && r.output === '-')
    throw new UsageError('with several inputs, the output must be an existing directory')
  return jobs
}

function existsPath(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false }) !== undefined
}

/** Every input file's identity: no output may land on one of them (whatever the names say: links, a suffix of ""). */
export function inputIdentities(jobs: readonly Job[]): Set<string> {
  const out = new Set<string>()
  for (const j of jobs) if (j.identity !== undefined) out.add(j.identity)
  return out
}

/** Makes the directories nested outputs need, each once per run. */
export class ParentDirectories {
  private readonly made = new Set<string>()

  ensure(destination: string): void {
    const dir = path.dirname(destination)
    if (this.made.has(dir)) return
    mkdirSync(dir, { recursive: true })
    this.made.add(dir)
  }
}

function checkMetadataTarget(r: TargetRequest, outputIsDir: boolean): void {
  const m = r.metadataOutput
  if (m === undefined || m === '-') return
  if (isDir(m)) throw new UsageError('metadata output cannot be a directory')
  const metadata = real(m)
  if (r.input !== '-' && (metadata === real(r.input) || (r.output !== '-' && metadata === real(r.output))))
    throw new UsageError('metadata output file cannot be the input or output')
  if (outputIsDir && metadata.startsWith(real(r.output) + path.sep))
    throw new UsageError('metadata output file cannot be in the output directory')
  if (r.input !== '-' && isDir(r.input) && metadata.startsWith(real(r.input) + path.sep))
    throw new UsageError('metadata output file cannot be in the input directory')
}
