// A bounds-checked cursor over untrusted bytes that reports "need more" instead of reading past the end.

/** Thrown (and caught inside format/) when the input ends before a structure does. Never escapes format/. */
export class NeedMoreBytes {
  constructor(readonly needed: number) {}
}

export class ByteReader {
  private offset: number
  constructor(
    private readonly bytes: Buffer,
    start = 0,
  ) {
    this.offset = start
  }

  get position(): number {
    return this.offset
  }

  get remaining(): number {
    return this.bytes.length - this.offset
  }

  private need(n: number): void {
    // A plain object, not an Error: it is control flow inside format/, and capturing a stack per short read costs.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (this.bytes.length - this.offset < n) throw new NeedMoreBytes(this.offset + n - this.bytes.length)
  }

  uint8(): number {
    this.need(1)
    return this.bytes[this.offset++] as number
  }

  uint16(): number {
    this.need(2)
    const v = this.bytes.readUInt16BE(this.offset)
    this.offset += 2
    return v
  }

  uint32(): number {
    this.need(4)
    const v = this.bytes.readUInt32BE(this.offset)
    this.offset += 4
    return v
  }

  /** A view (not a copy) of the next n bytes. */
  bytesView(n: number): Buffer {
    this.need(n)
    const v = this.bytes.subarray(this.offset, this.offset + n)
    this.offset += n
    return v
  }

  skip(n: number): void {
    this.need(n)
    this.offset += n
  }
}

/** Big-endian writers over a preallocated Buffer; the caller sized it exactly. */
export class ByteWriter {
  offset = 0
  constructor(readonly bytes: Buffer) {}

  uint8(v: number): this {
    this.bytes[this.offset++] = v
    return this
  }

  uint16(v: number): this {
    this.bytes.writeUInt16BE(v, this.offset)
    this.offset += 2
    return this
  }

  uint32(v: number): this {
    this.bytes.writeUInt32BE(v, this.offset)
    this.offset += 4
    return this
  }

  raw(b: Uint8Array): this {
    this.bytes.set(b, this.offset)
    this.offset += b.length
    return this
  }
}
