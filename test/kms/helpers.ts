// Shared fixtures for the KMS integration tests: the local KMS stand-in, real @aws-sdk/client-kms suppliers for both SDKs, and per-test call-log slices.
import { randomUUID } from 'node:crypto'
import * as official from '@aws-crypto/client-node'
import { KMS } from '@aws-sdk/client-kms'
import * as ours from '../../lib/index'
import { startLocalKms } from '../../lib/testing/index'
import type { KmsCallRecord, LocalKms, LocalKmsOptions } from '../../lib/testing/index'

export { official, ours }

/** Context pairs naming the test, so its calls can be picked out of the shared call log. */
export type TestContext = Record<string, string>

export async function startKms(options?: LocalKmsOptions): Promise<LocalKms> {
  return startLocalKms(options)
}

/** What a KMS client needs to reach the stand-in; `region` is the default for aliases and bare ids. */
export function sdkConfig(
  kms: LocalKms,
  extra: Record<string, unknown> = {},
): { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string }; region: string } {
  return { endpoint: kms.endpoint, credentials: kms.credentials, region: 'us-west-2', ...extra }
}

/** Our supplier over the real SDK v3 `KMS` class. */
export function ourProvider(kms: LocalKms, extra?: Record<string, unknown>): ours.KmsClientSupplier<KMS> {
  return ours.getClient(KMS, sdkConfig(kms, extra))
}

/** The official SDK's own getClient over its own `KMS` export, pointed at the same stand-in. */
export function officialProvider(kms: LocalKms): ReturnType<typeof official.getClient> {
  return official.getClient(official.KMS, sdkConfig(kms))
}

/** A client pinned to one region, for the MRK keyrings' `client` option. */
export function kmsClient(kms: LocalKms, region: string): KMS {
  return new KMS({ ...sdkConfig(kms), region })
}

export function uniqueContext(extra: TestContext = {}): TestContext {
  return { 'test-id': randomUUID(), ...extra }
}

/** Every call this test's encryption context reached KMS with. */
export function callsOf(kms: LocalKms, context: TestContext): KmsCallRecord[] {
  return kms.calls.filter((c) => c.encryptionContext['test-id'] === context['test-id'])
}

/** Compact view of calls for assertions: [op, region, keyId]. */
export function brief(calls: readonly KmsCallRecord[]): Array<[string, string, string | undefined]> {
  return calls.map((c) => [c.op, c.region, c.keyId])
}

export const committing = ours.buildClient(ours.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
export const legacy = ours.buildClient(ours.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
export const officialClient: ReturnType<typeof official.buildClient> = official.buildClient(
  official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
)

export const PLAINTEXT = Buffer.from('attack at dawn, via KMS')
