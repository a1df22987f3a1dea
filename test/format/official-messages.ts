// Real messages written by the official @aws-crypto/client-node, used as independent input for the format parsers.
import * as official from '@aws-crypto/client-node'

/** An unpooled copy: the official keyring refuses pooled buffers and zeroes the one it is given. */
function isolatedCopy(key: Buffer): Buffer {
  const out = Buffer.alloc(key.length)
  key.copy(out)
  return out
}

export const OFFICIAL_KEY_A = Buffer.alloc(32, 0xa1)
export const OFFICIAL_KEY_B = Buffer.alloc(32, 0xb2)

export function officialAesKeyring(name: string, key: Buffer): official.RawAesKeyringNode {
  return new official.RawAesKeyringNode({
    keyName: name,
    keyNamespace: 'format-tests',
    unencryptedMasterKey: isolatedCopy(key),
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
}

/** Two raw AES keyrings: every message carries two EDKs. */
export function officialKeyring(): official.MultiKeyringNode {
  return new official.MultiKeyringNode({
    generator: officialAesKeyring('key-a', OFFICIAL_KEY_A),
    children: [officialAesKeyring('key-b', OFFICIAL_KEY_B)],
  })
}

export function policyFor(suiteId: number): official.CommitmentPolicy {
  return suiteId === 0x0478 || suiteId === 0x0578
    ? official.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT
    : official.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
}

export interface OfficialMessage {
  readonly bytes: Buffer
  readonly header: official.MessageHeader
}

/**
 * A message the official SDK wrote and can itself decrypt. The official SDK 5.0.2 now and then
 * (about 1 in 300 for the identity-KDF suites) writes a message whose EDK no keyring can unwrap,
 * so a message its own decrypt refuses is discarded and written again.
 */
export async function officialMessage(
  suiteId: number,
  plaintext: Buffer | string,
  options: { encryptionContext?: Record<string, string>; frameLength?: number } = {},
): Promise<OfficialMessage> {
  const client = official.buildClient(policyFor(suiteId))
  for (let attempt = 0; ; attempt++) {
    const { result, messageHeader } = await client.encrypt(officialKeyring(), plaintext, {
      suiteId: suiteId as official.AlgorithmSuiteIdentifier,
      encryptionContext: options.encryptionContext ?? {},
      frameLength: options.frameLength ?? 4096,
    })
    try {
      await officialDecrypt(result)
    } catch (e) {
      if (attempt < 5) continue
      throw e
    }
    return { bytes: result, header: messageHeader }
  }
}

/** Decrypts with the official SDK (allowing every suite) and returns its view of the header. */
export async function officialDecrypt(bytes: Buffer): Promise<{ plaintext: Buffer; header: official.MessageHeader }> {
  const client = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
  const { plaintext, messageHeader } = await client.decrypt(officialKeyring(), bytes)
  return { plaintext, header: messageHeader }
}
