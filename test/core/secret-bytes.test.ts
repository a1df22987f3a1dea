// Secret buffers live outside V8's heap: the engine never copies them around, so a wipe reaches the only copy.
import test from 'ava'
import { allocSecret } from '../../lib/core/secret-bytes'
import { randomBytes } from '../../lib/core/random'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

const COUNT = 20000
const SIZE = 32
// Every buffer made here stays reachable for the whole file, so no collection of an earlier
// measurement's buffers can shrink a later one's count (the tests run serially for the same reason).
const kept: Uint8Array[] = []

// A full collection before each reading: otherwise garbage from earlier work (ava's own IPC buffers)
// freed by a collection that lands inside the loop shrinks the count (seen on Node 24).
setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as () => void

/** Bytes of ArrayBuffer backing store (outside V8's heap) that COUNT buffers from `make` add. */
function offHeapBytes(make: () => Uint8Array): number {
  collect()
  const before = process.memoryUsage().arrayBuffers
  for (let i = 0; i < COUNT; i++) kept.push(make())
  collect()
  return process.memoryUsage().arrayBuffers - before
}

test.serial('a 32-byte Buffer.alloc stays inside the V8 heap (the control: this is what allocSecret avoids)', (t) => {
  t.true(offHeapBytes(() => Buffer.alloc(SIZE)) < (COUNT * SIZE) / 2)
})

test.serial('allocSecret: zero-filled, unpooled, and backed outside the V8 heap even for 32 bytes', (t) => {
  const one = allocSecret(SIZE)
  t.is(one.length, SIZE)
  t.true(one.every((b) => b === 0))
  t.is(one.byteOffset, 0)
  t.is(one.buffer.byteLength, SIZE, 'its own ArrayBuffer, shared with nothing')
  const grown = offHeapBytes(() => allocSecret(SIZE))
  t.true(grown >= 0.8 * COUNT * SIZE, `grew ${grown} bytes`)
})

test.serial('randomBytes (data keys) come from allocSecret', (t) => {
  const grown = offHeapBytes(() => randomBytes(SIZE))
  t.true(grown >= 0.8 * COUNT * SIZE, `grew ${grown} bytes`)
  const a = randomBytes(SIZE)
  t.is(a.buffer.byteLength, SIZE)
  t.notDeepEqual(a, randomBytes(SIZE))
})
