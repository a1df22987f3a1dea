// Batches as a loop of one-message backend calls: the JS backend's batch, the reference the native one matches byte for byte.
import { CryptoBackend, MESSAGE_ID_SLOT, OpenBatchInput, SEAL_BATCH_STRIDE, SealBatchInput } from './backend'

type MessageCalls = Pick<CryptoBackend, 'sealMessage' | 'openMessage'>

/** Each message: header template and id copied into its slot of `out`, then sealMessage; async only where a message went to the pool. */
export function sealBatchByMessage(backend: MessageCalls, input: SealBatchInput): void | Promise<void> {
  const { runs, plaintexts, table, messageIds, out, lengths } = input
  let pending: Promise<void>[] | undefined
  try {
    for (let i = 0; i < plaintexts.length; i++) {
      const row = i * SEAL_BATCH_STRIDE
      const run = runs[table[row] as number]
      const plaintext = plaintexts[i]
      if (!run || !plaintext) throw new RangeError(`batch message ${i} has no run or plaintext`)
      const at = table[row + 1] as number
      const message = out.subarray(at, at + (table[row + 2] as number))
      const idAt = i * MESSAGE_ID_SLOT
      const messageId = messageIds.subarray(idAt, idAt + run.suite.messageIdLength)
      run.header.copy(message)
      messageId.copy(message, run.messageIdOffset)
      const sealed = backend.sealMessage({
        suite: run.suite,
        dataKey: run.dataKey,
        messageId,
        out: message,
        headerBodyLength: run.header.length,
        extraAad: run.extraAad,
        plaintext,
        frameLength: run.frameLength,
        signingKey: run.signingKey,
      })
      if (typeof sealed === 'number') lengths[i] = sealed
      else (pending ??= []).push(sealed.then((n) => void (lengths[i] = n)))
    }
  } catch (e) {
    out.fill(0)
    throw e
  }
  if (!pending) return undefined
  return Promise.all(pending).then(
    () => undefined,
    (e: unknown) => {
      out.fill(0)
      throw e
    },
  )
}

/** Each message through openMessage into its slice of `out`; a message that throws counts as not authentic (fail closed). */
export function openBatchByMessage(backend: MessageCalls, input: OpenBatchInput): void | Promise<void> {
  const { groups, messages, out, authentic } = input
  let pending: Promise<void>[] | undefined
  messages.forEach((m, i) => {
    const group = groups[m.group]
    const plaintext = out.subarray(m.outOffset, m.outOffset + m.body.plaintextLength)
    const refuse = (): void => {
      plaintext.fill(0)
      authentic[i] = 0
    }
    try {
      if (!group) throw new RangeError(`batch message ${i} has no group`)
      const opened = backend.openMessage({
        suite: group.suite,
        dataKey: group.dataKey,
        messageId: m.messageId,
        headerBody: m.headerBody,
        headerIv: m.headerIv,
        headerAuthTag: m.headerAuthTag,
        extraAad: group.extraAad,
        commitment: m.commitment,
        body: m.body,
        out: plaintext,
        signature:
          group.verificationKey && m.signed && m.signature
            ? { key: group.verificationKey, signed: m.signed, der: m.signature }
            : undefined,
      })
      if (typeof opened === 'boolean') authentic[i] = opened ? 1 : 0
      else (pending ??= []).push(opened.then((ok) => (ok ? void (authentic[i] = 1) : refuse()), refuse))
    } catch {
      refuse()
    }
  })
  return pending ? Promise.all(pending).then(() => undefined) : undefined
}
