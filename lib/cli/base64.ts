// --encode / --decode: streaming base64 (no line breaks written; whitespace ignored when read), for ciphertext that must pass through text channels.
import { Transform, TransformCallback } from 'node:stream'
import { OperationError } from './errors'

/** Encodes in whole 3-byte groups; the last one or two bytes (and their padding) at the end. */
export function base64Encoder(): Transform {
  let rest = Buffer.alloc(0)
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const all = rest.length === 0 ? chunk : Buffer.concat([rest, chunk])
      const whole = all.length - (all.length % 3)
      rest = Buffer.from(all.subarray(whole))
      done(null, whole === 0 ? undefined : Buffer.from(all.subarray(0, whole).toString('base64'), 'latin1'))
    },
    flush(done: TransformCallback) {
      done(null, rest.length === 0 ? undefined : Buffer.from(rest.toString('base64'), 'latin1'))
    },
  })
}

const ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/

/** Decodes in whole 4-character groups; anything but the alphabet, whitespace and final padding is an error. */
export function base64Decoder(): Transform {
  let rest = ''
  let ended = false
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const text = rest + chunk.toString('latin1').replace(/\s+/g, '')
      if (ended && text.length > 0) return done(new OperationError('--decode: the input has data after base64 padding'))
      const whole = text.length - (text.length % 4)
      rest = text.slice(whole)
      const part = text.slice(0, whole)
      if (!ALPHABET.test(part) || (part.includes('=') && part.indexOf('=') < part.length - 2))
        return done(new OperationError('--decode: the input is not base64'))
      if (part.endsWith('=')) ended = true
      done(null, part.length === 0 ? undefined : Buffer.from(part, 'base64'))
    },
    flush(done: TransformCallback) {
      if (rest.length > 0) return done(new OperationError('--decode: the input ends inside a base64 group'))
      done()
    },
  })
}
