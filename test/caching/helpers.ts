// Caching test fixtures: a keyring that counts (and can delay or fail) its calls, a fake clock, clients and suites.
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { CommitmentPolicy } from '../../lib/core/policy'
import { AlgorithmSuite, findSuite } from '../../lib/core/suites'
import { EncryptedDataKey } from '../../lib/format/header'
import { EsdkClient, buildClient } from '../../lib/api/client'
import { KeyringNode } from '../../lib/materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'

export const WRAPPING_KEY = randomBytes(32)

export function rawAesKeyring(keyName = 'caching-test'): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyName,
    keyNamespace: 'caching',
    unencryptedMasterKey: new Uint8Array(WRAPPING_KEY),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
}

/**
 * A raw AES keyring that counts its onEncrypt / onDecrypt calls: each onEncrypt without a data key
 * is one new data key, the stand-in for one GenerateDataKey.
 */
export class CountingKeyring extends KeyringNode {
  encryptCalls = 0
  decryptCalls = 0
  /** Milliseconds each call waits before answering (a slow KMS). */
  delayMs = 0
  /** The next this-many calls fail with `failure`. */
  failNext = 0
  failure: Error = new Error('backing keyring failed')

  constructor(readonly inner: KeyringNode = rawAesKeyring()) {
    super()
  }

  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    this.encryptCalls++
    await this.pause()
    return this.inner.onEncrypt(material)
  }

  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    this.decryptCalls++
    await this.pause()
    return this.inner.onDecrypt(material, edks)
  }

  private async pause(): Promise<void> {
    if (this.delayMs > 0) await sleep(this.delayMs)
    if (this.failNext > 0) {
      this.failNext--
      throw this.failure
    }
  }
}

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(public t = 1_700_000_000_000) {}
  readonly now = (): number => this.t
  advance(ms: number): void {
    this.t += ms
  }
}

export const FORBID = CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
export const REQUIRE = CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT

const clients = new Map<CommitmentPolicy, EsdkClient>()

export function client(policy: CommitmentPolicy = REQUIRE): EsdkClient {
  let c = clients.get(policy)
  if (!c) {
    c = buildClient({ commitmentPolicy: policy })
    clients.set(policy, c)
  }
  return c
}

export function suite(id: number): AlgorithmSuite {
  const s = findSuite(id)
  if (!s) throw new Error(`no suite 0x${id.toString(16)}`)
  return s
}

export function policyFor(s: AlgorithmSuite): CommitmentPolicy {
  return s.commitment ? REQUIRE : FORBID
}

export const IDENTITY_SUITES = [0x0014, 0x0046, 0x0078] as const

/** The data key an EDK of the counting keyring's raw AES keyring wraps, by its ciphertext (unique per data key). */
export function edkFingerprint(edks: readonly EncryptedDataKey[]): string {
  return edks.map((e) => Buffer.from(e.encryptedDataKey).toString('base64')).join(',')
}
