// Where a set's files come from (a folder or a zip archive), addressed by manifest-relative file:// URIs.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ZipArchive } from './zip'
import { ShapeError } from './json'

export interface FileSource {
  /** For messages: the folder or archive path. */
  readonly label: string
  /** Reads a file by its '/'-separated path relative to the source root. */
  read(relativePath: string): Buffer
}

/** Normalizes a relative '/'-path and refuses anything that would leave the source root. */
function inside(relativePath: string, label: string): string {
  const normal = path.posix.normalize(relativePath)
  if (normal.startsWith('/') || normal === '..' || normal.startsWith('../') || normal === '.') {
    throw new ShapeError(`${label}: path ${JSON.stringify(relativePath)} leaves the vector set`)
  }
  return normal
}

export function folderSource(dir: string): FileSource {
  return {
    label: dir,
    read(relativePath: string): Buffer {
      return fs.readFileSync(path.join(dir, ...inside(relativePath, dir).split('/')))
    },
  }
}

export function zipSource(zipPath: string): FileSource {
  const archive = new ZipArchive(fs.readFileSync(zipPath), zipPath)
  return {
    label: zipPath,
    read: (relativePath: string): Buffer => archive.read(inside(relativePath, zipPath)),
  }
}

/** Resolves a `file://` URI found in the manifest at `manifestPath` to a source-relative path. */
export function resolveUri(uri: string, manifestPath: string, where: string): string {
  const prefix = 'file://'
  if (!uri.startsWith(prefix))
    throw new ShapeError(`${where}: only file:// URIs are supported (got ${JSON.stringify(uri)})`)
  return inside(path.posix.join(path.posix.dirname(manifestPath), uri.slice(prefix.length)), where)
}
