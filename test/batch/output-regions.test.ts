// A run of records under one data key whose messages outgrow one output region (REGION_BYTES) is sealed into several regions: every record is still its own message, with its own message id and commitment (never one from another region), in input order, and decrypts.
import { REGION_BYTES } from '../../lib/session/seal-records'
import { eachBackend } from '../backend/backends'
import { cachingCmm, clientFor, keyring, messages, plaintexts } from './helpers'

// Message ids are drawn for the whole batch in one call and sliced per region: a wrong slice would give two
// messages under one data key the same id, hence the same derived key and IVs (data-format/message-header.md
// "Message ID": unique per message).
const RECORD = 4 * 1024 * 1024
const RECORDS = REGION_BYTES / RECORD + 3

eachBackend(
  `a batch of ${RECORDS} records of 4 MiB fills more than one 64 MiB region; each record its own message`,
  async (t, backend) => {
    const client = clientFor(backend)
    const input = Array.from({ length: RECORDS }, (_, i) => Buffer.alloc(RECORD, i + 1))
    // One data key for every record (a caching CMM), so that they are one run, sealed together.
    const cmm = cachingCmm()
    const entries = await client.encryptBatch(cmm, input, { messageHeaders: true })
    t.is(
      new Set(entries.map((e) => (e.ok ? e.messageHeader?.encryptedDataKeys[0]?.encryptedDataKey.toString() : '')))
        .size,
      1,
    )
    const out = messages(entries)
    const ids = new Set<string>()
    const commitments = new Set<string>()
    for (const [i, entry] of entries.entries()) {
      if (!entry.ok) return t.fail(`record ${i} failed`)
      const message = out[i] as Buffer
      // v2 (the default suite 0x0578): version(1) suite(2) message id(32) ... the id in the bytes is the one reported.
      const id = message.subarray(3, 35).toString('hex')
      t.is(Buffer.from(entry.messageHeader?.messageId ?? []).toString('hex'), id, `record ${i}: reported id`)
      ids.add(id)
      const header = entry.messageHeader
      if (header?.version === 2 && header.suiteData) commitments.add(header.suiteData.toString('hex'))
    }
    t.is(ids.size, RECORDS, 'no two messages share a message id')
    t.is(commitments.size, RECORDS, 'no two messages share a commitment')
    const back = plaintexts(await client.decryptBatch(keyring(), out))
    for (const [i, p] of back.entries())
      t.true(p.equals(input[i] as Buffer), `record ${i} decrypts to its own plaintext`)
  },
)

eachBackend(
  'a record bigger than a whole region gets a region of its own; the records around it are sealed too',
  async (t, backend) => {
    const client = clientFor(backend)
    const cmm = cachingCmm()
    const input = [Buffer.from('before'), Buffer.alloc(REGION_BYTES + 1, 7), Buffer.from('after')]
    const out = messages(await client.encryptBatch(cmm, input))
    const back = plaintexts(await client.decryptBatch(keyring(), out))
    t.is(back.length, 3)
    for (const [i, p] of back.entries()) t.true(p.equals(input[i] as Buffer), `record ${i}`)
  },
)
