// A backend that fails while sealing a batch: every record of the failed region gets the typed error, none is lost or left without an entry, and the data keys are still wiped; on both backends, failing synchronously or asynchronously.
import test from 'ava'
import { CryptoBackend, SealBatchInput } from '../../lib/backend/backend'
import { encryptMany } from '../../lib/batch/encrypt-many'
import { EsdkError, NativeBindingError } from '../../lib/core/errors'
import { CommitmentPolicy } from '../../lib/core/policy'
import { findSuite } from '../../lib/core/suites'
import { KeepingCmm } from '../materials/keeping-cmm'
import { BACKENDS as BACKEND_CASES } from '../backend/backends'
import { keyring } from './helpers'

/** The backend with a sealBatch that fails the way `how` says. */
function failingSeal(backend: CryptoBackend, how: 'throws' | 'rejects'): CryptoBackend {
  const spy = Object.create(backend) as CryptoBackend
  Object.defineProperty(spy, 'sealBatch', {
    value: (_input: SealBatchInput) => {
      const failure = new Error('the backend failed mid-batch')
      if (how === 'throws') throw failure
      return Promise.reject(failure)
    },
  })
  return spy
}

for (const { name, backend } of BACKEND_CASES) {
  for (const how of ['throws', 'rejects'] as const) {
    const title = `${name}: a sealBatch that ${how} gives every record of the batch the typed error, and the data keys are wiped`
    if (!backend) {
      test.skip(title, () => undefined)
      continue
    }
    test(title, async (t) => {
      const cmm = new KeepingCmm(keyring())
      const settings = {
        backend: failingSeal(backend, how),
        commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
        maxEncryptedDataKeys: false as const,
      }
      const records = ['a', 'bb', 'ccc', 'dddd'].map((s) => Buffer.from(s))
      const entries = await encryptMany(settings, cmm, records, {
        suite: findSuite(0x0478),
        frameLength: 4096,
        encryptionContext: {},
        messageHeaders: false,
        encoding: 'utf8',
      })
      t.is(entries.length, records.length)
      for (const [i, entry] of entries.entries()) {
        if (!entry || entry.ok) return t.fail(`record ${i} has no failure entry`)
        t.true(entry.error instanceof EsdkError, `record ${i}: a typed error`)
        t.true(
          entry.error instanceof NativeBindingError && /mid-batch/.test(entry.error.message),
          `record ${i}: the backend failure`,
        )
      }
      t.true(cmm.given.length > 0)
      t.true(cmm.given.every((m) => !m.hasUnencryptedDataKey))
    })
  }
}
