// Child process of p384.test.ts: the same P-384 operations under whatever ESDK_P384 the parent set, as JSON on stdout.
// Input (stdin): { scalars: hex[], verify: { point, message, signature }[] } (hex). Not a test file itself.
import { createHash } from 'node:crypto'
import { isNativeCryptoAddon } from '../../lib/backend/native-backend'
import { loadNativeAddon } from '../../lib/backend/native-loader'
import { NativeCryptoAddon } from '../../lib/backend/native-types'

export interface ChildInput {
  scalars: string[]
  verify: { point: string; message: string; signature: string }[]
}
export interface ChildOutput {
  implementation: string | undefined
  /** Uncompressed public point of each scalar's key. */
  points: string[]
  verified: boolean[]
  /** Keys made by generateSigningKeys in the child, each with one signature of `message`. */
  signed: { point: string; signature: string }[]
}

function addon(): NativeCryptoAddon {
  const load = loadNativeAddon()
  const problems: string[] = []
  if (!load.addon || !isNativeCryptoAddon(load.addon, problems))
    throw new Error(`native addon unavailable: ${problems.join('; ')}`)
  return load.addon
}

export async function run(input: ChildInput, native: NativeCryptoAddon): Promise<ChildOutput> {
  const points = input.scalars.map((hex) => {
    const handle = native.signingKeyFromScalar(384, Buffer.from(hex, 'hex'))
    const d = Buffer.alloc(48)
    const point = Buffer.alloc(97)
    native.exportSigningKey(handle, d, point)
    native.disposeSigningKey(handle)
    return point.toString('hex')
  })
  const verified = input.verify.map((v) =>
    native.verifyMessage(
      0x0578,
      Buffer.from(v.point, 'hex'),
      Buffer.from(v.message, 'hex'),
      Buffer.from(v.signature, 'hex'),
    ),
  )
  const handles = await new Promise<unknown[]>((resolve, reject) =>
    native.generateSigningKeys(384, 8, (e, h) => (e ? reject(e) : resolve(h ?? []))),
  )
  const digest = createHash('sha384').update('child message').digest()
  const signed = handles.map((h) => {
    const handle = h as Parameters<NativeCryptoAddon['signDigest']>[0]
    const d = Buffer.alloc(48)
    const point = Buffer.alloc(97)
    native.exportSigningKey(handle, d, point)
    const out = Buffer.alloc(104)
    const signature = out.subarray(0, native.signDigest(handle, digest, out))
    native.disposeSigningKey(handle)
    return { point: point.toString('hex'), signature: signature.toString('hex') }
  })
  return { implementation: native.p384Implementation, points, verified, signed }
}

if (require.main === module) {
  const chunks: Buffer[] = []
  process.stdin.on('data', (c: Buffer) => chunks.push(c))
  process.stdin.on('end', () => {
    run(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChildInput, addon()).then(
      (out) => process.stdout.write(JSON.stringify(out)),
      (err: unknown) => {
        console.error(err)
        process.exit(1)
      },
    )
  })
}
