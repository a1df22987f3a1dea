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
  /** The input's size when it is a file (progress, and the plaintext length bound on encrypt). */
  readonly size: number | undefined
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

const DEFAULT_SUFFIX: Readonly<Record<Action, string>> = { encrypt: '.encrypted', decrypt: '.decrypted', 'decrypt-unsigned': '.decrypted' }

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

function real(p: string): string {
  try {
    return realpathSync(p)
  } catch {
    return path.resolve(p)
  }
}

function walk(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...walk(p))
    else if (e.isFile() || (e.isSymbolicLink() && statSync(p, { throwIfNoEntry: false })?.isFile() === true)) out.push(p)
  }
  return out
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
    return [{ source: '-', destination: r.output, size: undefined, inputName: '<stdin>', outputName: r.output === '-' ? '<stdout>' : path.resolve(r.output) }]
  }
  const sources = hasGlob(r.input) && !existsPath(r.input) ? expandGlob(r.input) : existsPath(r.input) ? [r.input] : []
  if (sources.length === 0) throw new UsageError(`no input matches ${r.input}`)
  if (sources.length > 1 && !outputIsDir) throw new UsageError('with several inputs, the output must be an existing directory')
  const jobs: Job[] = []
  const fileJob = (source: string, destination: string): Job => ({
    source,
    destination,
    size: statSync(source).size,
    inputName: path.resolve(source),
    outputName: destination === '-' ? '<stdout>' : path.resolve(destination),
  })
  for (const source of sources) {
    if (isDir(source)) {
      if (!r.recursive) {
        if (sources.length === 1) throw new UsageError(`${source} is a directory: add -r to process it`)
        r.warn(`skipping ${source}: it is a directory (add -r)`)
        continue
      }
      if (!outputIsDir) throw new UsageError('if the input is a directory, the output must be an existing directory')
      for (const file of walk(source)) {
        const relative = path.relative(source, path.dirname(file))
        jobs.push(fileJob(file, path.join(r.output, relative, path.basename(file) + suffix)))
      }
    } else {
      jobs.push(fileJob(source, outputIsDir ? path.join(r.output, path.basename(source) + suffix) : r.output))
    }
  }
  if (jobs.length > 1 && r.output === '-') throw new UsageError('with several inputs, the output must be an existing directory')
  return jobs
}

function existsPath(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false }) !== undefined
}

/** The real paths of every input file: no output may land on one of them. */
export function inputPaths(jobs: readonly Job[]): Set<string> {
  return new Set(jobs.filter((j) => j.source !== '-').map((j) => real(j.source)))
}

export function realDestination(job: Job): string {
  return real(job.destination)
}

/** Makes the directories a nested output needs. */
export function ensureParent(destination: string): void {
  mkdirSync(path.dirname(destination), { recursive: true })
}

function checkMetadataTarget(r: TargetRequest, outputIsDir: boolean): void {
  const m = r.metadataOutput
  if (m === undefined || m === '-') return
  if (isDir(m)) throw new UsageError('metadata output cannot be a directory')
  const metadata = real(m)
  if (r.input !== '-' && (metadata === real(r.input) || (r.output !== '-' && metadata === real(r.output)))) throw new UsageError('metadata output file cannot be the input or output')
  if (outputIsDir && metadata.startsWith(real(r.output) + path.sep)) throw new UsageError('metadata output file cannot be in the output directory')
  if (r.input !== '-' && isDir(r.input) && metadata.startsWith(real(r.input) + path.sep)) throw new UsageError('metadata output file cannot be in the input directory')
}
