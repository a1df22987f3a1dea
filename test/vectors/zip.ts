// A tiny read-only zip reader: central directory, stored and deflated entries, every offset bounds-checked, CRC verified.
import { crc32, inflateRawSync } from 'node:zlib'

export class ZipError extends Error {
  override name = 'ZipError'
}

export interface ZipEntry {
  readonly name: string
  readonly method: number
  readonly flags: number
  readonly crc: number
  readonly compressedSize: number
  readonly size: number
  readonly localHeaderOffset: number
}

const EOCD_SIGNATURE = 0x06054b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
const EOCD_LENGTH = 22
const CENTRAL_LENGTH = 46
const LOCAL_LENGTH = 30
const MAX_COMMENT = 0xffff
const METHOD_STORED = 0
const METHOD_DEFLATE = 8
const FLAG_ENCRYPTED = 0x1
/** Refuse to inflate entries claiming more than this (the vector files are far smaller). */
const MAX_ENTRY_SIZE = 256 * 1024 * 1024

export class ZipArchive {
  readonly label: string
  private readonly bytes: Buffer
  private readonly entries: ReadonlyMap<string, ZipEntry>
  /** Entry data must end before the central directory starts. */
  private readonly dataLimit: number

  constructor(bytes: Buffer, label: string) {
    this.bytes = bytes
    this.label = label
    const eocd = this.findEndOfCentralDirectory()
    const disk = bytes.readUInt16LE(eocd + 4)
    const cdDisk = bytes.readUInt16LE(eocd + 6)
    const countOnDisk = bytes.readUInt16LE(eocd + 8)
    const count = bytes.readUInt16LE(eocd + 10)
    const cdSize = bytes.readUInt32LE(eocd + 12)
    const cdOffset = bytes.readUInt32LE(eocd + 16)
    if (disk !== 0 || cdDisk !== 0 || countOnDisk !== count) this.fail('multi-disk archives are not supported')
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
      this.fail('ZIP64 archives are not supported')
    if (cdOffset + cdSize > eocd) this.fail('central directory overlaps the end record')
    this.dataLimit = cdOffset
    this.entries = this.readCentralDirectory(cdOffset, cdSize, count)
  }

  names(): string[] {
    return [...this.entries.keys()]
  }

  has(name: string): boolean {
    return this.entries.has(name)
  }

  /** The uncompressed bytes of one file entry. */
  read(name: string): Buffer {
    const entry = this.entries.get(name)
    if (!entry) this.fail(`no entry named ${JSON.stringify(name)}`)
    if (entry.flags & FLAG_ENCRYPTED) this.fail(`${name}: encrypted entries are not supported`)
    const start = this.dataStart(entry)
    const end = start + entry.compressedSize
    if (end > this.dataLimit) this.fail(`${name}: data runs past the central directory`)
    const raw = this.bytes.subarray(start, end)
    const data = this.decompress(entry, raw)
    if (data.length !== entry.size) this.fail(`${name}: size is ${data.length}, central directory says ${entry.size}`)
    if (crc32(data) >>> 0 !== entry.crc) this.fail(`${name}: CRC-32 mismatch`)
    return data
  }

  private decompress(entry: ZipEntry, raw: Buffer): Buffer {
    if (entry.method === METHOD_STORED) return Buffer.from(raw)
    if (entry.method !== METHOD_DEFLATE) this.fail(`${entry.name}: compression method ${entry.method} is not supported`)
    if (entry.size > MAX_ENTRY_SIZE) this.fail(`${entry.name}: declared size ${entry.size} is too large`)
    try {
      return inflateRawSync(raw, { maxOutputLength: Math.max(entry.size, 1) })
    } catch (e) {
      this.fail(`${entry.name}: inflate failed (${e instanceof Error ? e.message : String(e)})`)
    }
  }

  private dataStart(entry: ZipEntry): number {
    const at = entry.localHeaderOffset
    this.need(at, LOCAL_LENGTH, `${entry.name}: local header`)
    if (this.bytes.readUInt32LE(at) !== LOCAL_SIGNATURE) this.fail(`${entry.name}: bad local header signature`)
    const nameLength = this.bytes.readUInt16LE(at + 26)
    const extraLength = this.bytes.readUInt16LE(at + 28)
    const start = at + LOCAL_LENGTH + nameLength + extraLength
    if (start > this.dataLimit) this.fail(`${entry.name}: local header runs past the central directory`)
    return start
  }

  private findEndOfCentralDirectory(): number {
    const b = this.bytes
    if (b.length < EOCD_LENGTH) this.fail('too short to be a zip archive')
    const lowest = Math.max(0, b.length - EOCD_LENGTH - MAX_COMMENT)
    for (let at = b.length - EOCD_LENGTH; at >= lowest; at--) {
      if (b.readUInt32LE(at) === EOCD_SIGNATURE && at + EOCD_LENGTH + b.readUInt16LE(at + 20) === b.length) return at
    }
    this.fail('no end-of-central-directory record')
  }

  private readCentralDirectory(offset: number, size: number, count: number): Map<string, ZipEntry> {
    const b = this.bytes
    const end = offset + size
    const entries = new Map<string, ZipEntry>()
    let at = offset
    for (let i = 0; i < count; i++) {
      if (at + CENTRAL_LENGTH > end) this.fail(`central directory entry ${i} is truncated`)
      if (b.readUInt32LE(at) !== CENTRAL_SIGNATURE) this.fail(`central directory entry ${i} has a bad signature`)
      const nameLength = b.readUInt16LE(at + 28)
      const extraLength = b.readUInt16LE(at + 30)
      const commentLength = b.readUInt16LE(at + 32)
      const next = at + CENTRAL_LENGTH + nameLength + extraLength + commentLength
      if (next > end) this.fail(`central directory entry ${i} runs past the directory`)
      const name = b.toString('utf8', at + CENTRAL_LENGTH, at + CENTRAL_LENGTH + nameLength)
      const entry: ZipEntry = {
        name,
        flags: b.readUInt16LE(at + 8),
        method: b.readUInt16LE(at + 10),
        crc: b.readUInt32LE(at + 16),
        compressedSize: b.readUInt32LE(at + 20),
        size: b.readUInt32LE(at + 24),
        localHeaderOffset: b.readUInt32LE(at + 42),
      }
      if (entry.compressedSize === 0xffffffff || entry.size === 0xffffffff || entry.localHeaderOffset === 0xffffffff) {
        this.fail(`${name}: ZIP64 entries are not supported`)
      }
      if (entries.has(name)) this.fail(`duplicate entry ${JSON.stringify(name)}`)
      // Folders are listed as entries ending in "/"; only files are readable.
      if (!name.endsWith('/')) entries.set(name, entry)
      at = next
    }
    if (at !== end) this.fail('central directory size does not match its entries')
    return entries
  }

  private need(at: number, length: number, what: string): void {
    if (at < 0 || at + length > this.bytes.length) this.fail(`${what} is out of bounds`)
  }

  private fail(message: string): never {
    throw new ZipError(`${this.label}: ${message}`)
  }
}
