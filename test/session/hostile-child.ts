// Child process of resource-bounds.test.ts: decrypts each hostile message (declared sizes far beyond its bytes, or huge counts) once per backend and API, and prints one JSON line per decrypt with the outcome, the RSS growth and the CPU time it took.
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { buildClient } from '../../lib/api/client'
import { getBackendInfo } from '../../lib/backend/select'
import { EsdkError } from '../../lib/core/errors'
import { CommitmentPolicy } from '../../lib/core/policy'
import { edkBytes, lv, u16, u32, u64, v1Header, v2Header } from '../format/spec-bytes'
import { TransparentKeyring } from '../materials/test-keyrings'
import { specEncrypt } from './spec-encrypt'

const NAME = 'hostile'

/** A valid v2 header (the spec writer's, so it authenticates) declaring frames of `frameLength`, without its body. */
function authenticHeader(frameLength: number): Buffer {
  const whole = specEncrypt({
    suiteId: 0x0478,
    dataKey: Buffer.alloc(32, 7),
    edkName: NAME,
    frameLength,
    frames: [{ plaintext: Buffer.alloc(0), final: true }],
  })
  // The body here is one empty final frame: FF FF FF FF ‖ seq ‖ IV(12) ‖ uint32 0 ‖ tag(16) = 40 bytes.
  return whole.subarray(0, whole.length - 40)
}

export const HOSTILE: ReadonlyArray<readonly [string, () => Buffer]> = [
  // message-header.md: frame length is a uint32; a reader must not size anything by it before the bytes are there.
  [
    'a declared 4 GiB frame (authentic header, frame length 2^32 - 1) and 1 KiB of it',
    () => Buffer.concat([authenticHeader(0xffffffff), u32(1), Buffer.alloc(12), Buffer.alloc(1024, 0xcc)]),
  ],
  [
    'a final frame declaring 4 GiB - 1 of content under a 4 GiB frame length',
    () =>
      Buffer.concat([
        authenticHeader(0xffffffff),
        u32(0xffffffff),
        u32(1),
        Buffer.alloc(12),
        u32(0xfffffffe),
        Buffer.alloc(1024, 0xee),
      ]),
  ],
  // message-body.md: a non-framed body declares a uint64 content length (at most 2^36 - 32).
  [
    'a non-framed body declaring 2^36 - 32 bytes',
    () =>
      Buffer.concat([
        v1Header({
          contentType: 1,
          frameLength: 0,
          edks: edkBytes([{ providerId: 'transparent', providerInfo: NAME, key: Buffer.alloc(32, 7) }]),
        }),
        Buffer.alloc(12),
        u64(2 ** 36 - 32),
        Buffer.alloc(1024),
      ]),
  ],
  [
    'a non-framed body declaring 2^64 - 1 bytes',
    () =>
      Buffer.concat([
        v1Header({ contentType: 1, frameLength: 0 }),
        Buffer.alloc(12),
        Buffer.from('ffffffffffffffff', 'hex'),
        Buffer.alloc(1024),
      ]),
  ],
  // The AAD is a uint16 length; the EDKs a uint16 count and uint16 lengths.
  [
    'an AAD length of 65,535 with 40 bytes after it',
    () => Buffer.concat([Buffer.from([2]), u16(0x0478), Buffer.alloc(32), u16(0xffff), Buffer.alloc(40, 1)]),
  ],
  ['an AAD declaring 65,535 context entries', () => v2Header({ aad: Buffer.concat([u16(0xffff), lv('k'), lv('v')]) })],
  [
    'an EDK count of 65,535 with one EDK present',
    () =>
      v2Header({ edks: edkBytes([{ providerId: 'transparent', providerInfo: NAME, key: Buffer.alloc(32) }], 0xffff) }),
  ],
  [
    'an EDK whose three fields declare 65,535 bytes each, cut short',
    () =>
      Buffer.concat([
        v2Header({ edks: Buffer.alloc(0) }).subarray(0, 37),
        u16(1),
        u16(0xffff),
        Buffer.alloc(100, 0x61),
      ]),
  ],
  [
    'one EDK with 65,535-byte provider id, info and key, all present',
    () =>
      v2Header({
        edks: edkBytes([
          {
            providerId: Buffer.alloc(0xffff, 0x61),
            providerInfo: Buffer.alloc(0xffff, 0x62),
            key: Buffer.alloc(0xffff, 0x63),
          },
        ]),
      }),
  ],
  [
    '65,535 EDKs, all present (no maxEncryptedDataKeys)',
    () =>
      v2Header({
        edks: edkBytes(
          Array.from({ length: 0xffff }, () => ({ providerId: 'p', providerInfo: '', key: Buffer.alloc(0) })),
        ),
      }),
  ],
]

async function streamDecrypt(client: ReturnType<typeof buildClient>, message: Buffer): Promise<unknown> {
  const chunks: Buffer[] = []
  for (let o = 0; o < message.length; o += 4096) chunks.push(message.subarray(o, o + 4096))
  const sink = new Writable({ write: (_c, _e, cb) => cb() })
  await pipeline(Readable.from(chunks), client.decryptStream(new TransparentKeyring(NAME)), sink)
  return undefined
}

async function main(): Promise<void> {
  const backends: ('js' | 'native')[] = getBackendInfo().backend === 'native' ? ['js', 'native'] : ['js']
  const gc = (globalThis as { gc?: () => void }).gc
  for (const backend of backends) {
    const client = buildClient({ backend, commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT })
    for (const [what, make] of HOSTILE) {
      for (const api of ['decrypt', 'decryptStream'] as const) {
        const message = make()
        gc?.()
        const rss = process.memoryUsage().rss
        let peak = rss
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
        const cpu = process.cpuUsage()
        let outcome: string
        try {
          if (api === 'decrypt') await client.decrypt(new TransparentKeyring(NAME), message)
          else await streamDecrypt(client, message)
          outcome = 'decrypted'
        } catch (e) {
          outcome = e instanceof EsdkError ? e.code : `not an EsdkError: ${e instanceof Error ? e.message : String(e)}`
        }
        const used = process.cpuUsage(cpu)
        clearInterval(sampler)
        peak = Math.max(peak, process.memoryUsage().rss)
        process.stdout.write(
          `${JSON.stringify({ backend, what, api, bytes: message.length, outcome, rssGrowthMB: (peak - rss) / 1e6, cpuMs: (used.user + used.system) / 1000 })}\n`,
        )
      }
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  process.exitCode = 1
})
