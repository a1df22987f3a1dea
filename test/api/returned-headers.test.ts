// The messageHeader that stream and batch encryption report is the header of the bytes they wrote (its message id and, for v2, its commitment), for v1 and v2 suites on both backends, for batch runs of one record and of many; a batch asked for no headers returns none.
import test, { ExecutionContext } from 'ava'
import { MessageHeader } from '../../lib/format/header'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { BACKENDS, aesKeyring, clientFor } from '../session/fixtures'
import { runThrough } from '../stream/helpers'

// One v1 suite and one v2 suite, each with and without a signature: the header auth is 28 bytes in v1
// (IV and tag) and 16 in v2, and only v2 carries the commitment (data-format/message-header.md).
const SUITES = [0x0178, 0x0378, 0x0478, 0x0578] as const

const hex = (b: Uint8Array | undefined): string | undefined => (b ? Buffer.from(b).toString('hex') : undefined)

/** The fields that differ per message: what decrypt of the written bytes reports is the truth. */
function sameAsWritten(t: ExecutionContext, reported: MessageHeader | undefined, read: MessageHeader, label: string) {
  if (!reported) return t.fail(`${label}: no header reported`)
  t.is(reported.version, read.version, `${label}: version`)
  t.is(hex(reported.messageId), hex(read.messageId), `${label}: message id`)
  const suiteData = (h: MessageHeader) => ('suiteData' in h ? hex(h.suiteData) : undefined)
  t.is(suiteData(reported), suiteData(read), `${label}: commitment`)
  if (read.version === 2) t.is(suiteData(read)?.length, 64, `${label}: a 32-byte commitment`)
  t.is(reported.encryptedDataKeys.length, read.encryptedDataKeys.length, `${label}: EDK count`)
}

for (const backend of BACKENDS) {
  for (const suiteId of SUITES) {
    const label = `${backend} 0x${suiteId.toString(16).padStart(4, '0')}`

    test(`${label}: encryptStream's MessageHeader event is the header of the message it wrote`, async (t) => {
      const c = clientFor(suiteId, backend)
      const plaintext = Buffer.alloc(1000, 0x42)
      let reported: MessageHeader | undefined
      const stream = c.encryptStream(aesKeyring(), { suiteId, frameLength: 256 })
      stream.on('MessageHeader', (h: MessageHeader) => (reported = h))
      const { bytes: message, error } = await runThrough(stream, [plaintext])
      t.is(error, undefined)
      const back = await c.decrypt(aesKeyring(), message)
      t.true(back.plaintext.equals(plaintext))
      sameAsWritten(t, reported, back.messageHeader, label)
    })

    // Over a keyring each record has materials of its own (a run of one); over a caching CMM the records
    // share one data key and are sealed as one run, where each message's header is found by its place in it.
    for (const via of ['a keyring', 'a caching CMM'] as const) {
      test(`${label}: encryptBatch over ${via} reports each record's own header when asked, and none when not`, async (t) => {
        const c = clientFor(suiteId, backend)
        const cmm =
          via === 'a keyring'
            ? aesKeyring()
            : new NodeCachingMaterialsManager({
                backingMaterials: aesKeyring(),
                cache: getLocalCryptographicMaterialsCache(10),
                maxAge: 60_000,
              })
        const records = [Buffer.from('first'), Buffer.from('second'), Buffer.from('third')]
        const entries = await c.encryptBatch(cmm, records, { suiteId, messageHeaders: true })
        const ids = new Set<string | undefined>()
        for (const [i, entry] of entries.entries()) {
          if (!entry.ok) return t.fail(`record ${i}: ${entry.error.message}`)
          const back = await c.decrypt(aesKeyring(), entry.result)
          t.true(back.plaintext.equals(records[i] as Buffer))
          sameAsWritten(t, entry.messageHeader, back.messageHeader, `${label} record ${i}`)
          ids.add(hex(entry.messageHeader?.messageId))
        }
        t.is(ids.size, records.length, 'every record its own message id')
        const bare = await c.encryptBatch(cmm, records, { suiteId })
        t.true(bare.every((e) => e.ok && !('messageHeader' in e)))
      })
    }
  }
}
