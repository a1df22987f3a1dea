// Runs encrypt-manifest cases: encrypt with ours, then decrypt with ours and, where it has the keyring, with the official SDK.
import * as official from '@aws-crypto/client-node'
import { BackendChoice, CommitmentPolicy, buildClient } from '../../lib/index'
import { describeError } from './describe-error'
import { EncryptCase } from './encrypt-manifest'

export interface EncryptTotals {
  passed: number
  failed: number
  /** Of the passed: also opened by the official SDK. */
  officialChecked: number
  needsNetwork: number
  notWritten: number
  failures: string[]
}

export async function runEncryptCases(
  cases: readonly EncryptCase[],
  backend: BackendChoice | undefined,
): Promise<EncryptTotals> {
  const totals: EncryptTotals = {
    passed: 0,
    failed: 0,
    officialChecked: 0,
    needsNetwork: 0,
    notWritten: 0,
    failures: [],
  }
  // Both policies' clients: committing suites need REQUIRE_ENCRYPT_*, the others FORBID_ENCRYPT_ALLOW_DECRYPT.
  const clients = {
    committing: buildClient({
      commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
      maxEncryptedDataKeys: false,
      ...(backend ? { backend } : {}),
    }),
    legacy: buildClient({
      commitmentPolicy: CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
      maxEncryptedDataKeys: false,
      ...(backend ? { backend } : {}),
    }),
  }
  const officialClient = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
  for (const c of cases) {
    const p = c.plan
    if (p.kind === 'needs-network') totals.needsNetwork++
    else if (p.kind === 'not-written') totals.notWritten++
    else if (p.kind === 'broken') {
      totals.failed++
      totals.failures.push(`${c.id}: runner could not build it: ${p.error}`)
    } else {
      const client = p.suiteId === 0x0478 || p.suiteId === 0x0578 ? clients.committing : clients.legacy
      try {
        const { result } = await client.encrypt(p.encrypt, p.plaintext, {
          suiteId: p.suiteId,
          frameLength: p.frameLength,
          encryptionContext: p.context,
        })
        const options = p.reproducedContext === undefined ? undefined : { encryptionContext: p.reproducedContext }
        const mine = await client.decrypt(p.decrypt, result, options)
        if (!mine.plaintext.equals(p.plaintext)) throw new Error('our decrypt returned other bytes')
        if (p.officialDecrypt) {
          const theirs = await officialClient.decrypt(p.officialDecrypt, result)
          if (!Buffer.from(theirs.plaintext).equals(p.plaintext))
            throw new Error('the official decrypt returned other bytes')
          totals.officialChecked++
        }
        totals.passed++
      } catch (e) {
        totals.failed++
        totals.failures.push(`${c.id}: ${describeError(e)}`)
      }
    }
  }
  return totals
}
