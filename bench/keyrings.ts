// The keyrings group: messages/s of 1 KiB encrypt and decrypt per new keyring (raw ECDH, AWS KMS ECDH, hierarchical), native | js, and the official SDK for the hierarchical keyring.
import Benchmark from 'benchmark'
import { generateKeyPairSync } from 'node:crypto'
import * as official from '@aws-crypto/client-node'
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms'
import {
  AwsKmsEcdhKeyringNode,
  BranchKeyStoreNode,
  CommitmentPolicy,
  EcdhCurveSpec,
  KeyringNode,
  KmsHierarchicalKeyRingNode,
  RawEcdhKeyringNode,
  buildClient,
  getBackendInfo,
} from '../lib/index'
import { startLocalKms } from '../lib/testing/index'
import { startLocalDynamoDb } from '../test/hierarchy/stand-ins'

type Side = 'native' | 'js' | 'official'

interface Client {
  encrypt(keyring: unknown, plaintext: Buffer, options?: object): Promise<{ result: Buffer }>
  decrypt(keyring: unknown, ciphertext: Buffer): Promise<{ plaintext: Buffer }>
}

interface KeyringCase {
  readonly id: string
  /** Per side: the keyrings to encrypt and decrypt with (official only where it has the keyring). */
  readonly rings: Partial<Record<Side, { encrypt: unknown; decrypt: unknown }>>
  readonly notes: string
}

export interface KeyringRow {
  readonly id: string
  readonly op: 'encrypt' | 'decrypt'
  readonly hz: Partial<Record<Side, number>>
  readonly rme: Partial<Record<Side, number>>
}

function time(fn: () => Promise<unknown>, quick: boolean): Promise<{ hz: number; rme: number }> {
  return new Promise((resolve, reject) => {
    const bench = new Benchmark('case', {
      defer: true,
      minSamples: quick ? 5 : 20,
      maxTime: quick ? 0.5 : 3,
      fn: (deferred: { resolve(): void }) => {
        fn().then(
          () => deferred.resolve(),
          (e: unknown) => reject(e),
        )
      },
      onComplete: () => resolve({ hz: bench.hz, rme: bench.stats.rme }),
      onError: (e: unknown) => reject(e),
    })
    bench.run({ async: true })
  })
}

/** Every side's message must open on every other side that has the keyring before anything is timed. */
async function check(c: KeyringCase, clients: Partial<Record<Side, Client>>, plaintext: Buffer): Promise<void> {
  for (const [from, rings] of Object.entries(c.rings) as [Side, { encrypt: unknown; decrypt: unknown }][]) {
    const { result } = await (clients[from] as Client).encrypt(rings.encrypt, plaintext)
    for (const [to, other] of Object.entries(c.rings) as [Side, { encrypt: unknown; decrypt: unknown }][]) {
      const { plaintext: back } = await (clients[to] as Client).decrypt(other.decrypt, result)
      if (!Buffer.from(back).equals(plaintext)) throw new Error(`${c.id}: ${from} -> ${to} did not round-trip`)
    }
  }
}

export async function measureKeyringGroup(
  quick: boolean,
  progress: (text: string) => void,
): Promise<{ rows: KeyringRow[]; notes: string[] }> {
  const kms = await startLocalKms()
  const ddb = await startLocalDynamoDb()
  const kmsClient = new KMSClient(kms.clientConfig('us-west-2'))
  try {
    const nativeOk = getBackendInfo().backend === 'native'
    const clients: Partial<Record<Side, Client>> = {
      js: buildClient({
        commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
        maxEncryptedDataKeys: false,
        backend: 'js',
      }) as unknown as Client,
      official: official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT) as unknown as Client,
    }
    if (nativeOk)
      clients.native = buildClient({
        commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
        maxEncryptedDataKeys: false,
        backend: 'native',
      }) as unknown as Client
    const ours = (
      make: () => { encrypt: KeyringNode; decrypt: KeyringNode },
    ): Partial<Record<Side, { encrypt: unknown; decrypt: unknown }>> => {
      const rings = make()
      return nativeOk ? { native: rings, js: rings } : { js: rings }
    }

    const cases: KeyringCase[] = []
    for (const [spec, curve] of [
      [EcdhCurveSpec.ECC_NIST_P256, 'prime256v1'],
      [EcdhCurveSpec.ECC_NIST_P384, 'secp384r1'],
    ] as const) {
      const recipient = generateKeyPairSync('ec', { namedCurve: curve })
      cases.push({
        id: `raw ecdh ${spec} ephemeral -> discovery`,
        notes: 'a fresh key pair per encrypt; one ECDH each way',
        rings: ours(() => ({
          encrypt: new RawEcdhKeyringNode({
            curveSpec: spec,
            keyAgreementScheme: {
              EphemeralPrivateKeyToStaticPublicKey: {
                recipientPublicKey: recipient.publicKey.export({ type: 'spki', format: 'der' }),
              },
            },
          }),
          decrypt: new RawEcdhKeyringNode({
            curveSpec: spec,
            keyAgreementScheme: { PublicKeyDiscovery: { recipientStaticPrivateKey: recipient.privateKey } },
          }),
        })),
      })
    }
    const eccKey = kms.keys.createKey({ region: 'us-west-2', keySpec: 'ECC_NIST_P256' }).arn
    const partner = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const partnerDer = partner.publicKey.export({ type: 'spki', format: 'der' })
    const kmsDer = (await kmsClient.send(new GetPublicKeyCommand({ KeyId: eccKey }))).PublicKey ?? new Uint8Array()
    cases.push({
      id: 'aws-kms ecdh P-256 static (stand-in)',
      notes: 'one DeriveSharedSecret per message, each way',
      rings: ours(() => {
        const ring = new AwsKmsEcdhKeyringNode({
          curveSpec: EcdhCurveSpec.ECC_NIST_P256,
          kmsClient,
          keyAgreementScheme: {
            KmsPrivateKeyToStaticPublicKey: {
              senderKmsIdentifier: eccKey,
              recipientPublicKey: partnerDer,
              senderPublicKey: kmsDer,
            },
          },
        })
        return { encrypt: ring, decrypt: ring }
      }),
    })

    const name = 'bench-branch-keys'
    const keyStore = new BranchKeyStoreNode({
      logicalKeyStoreName: name,
      storage: { ddbTableName: name, ddbClient: ddb.client() },
      keyManagement: { kmsClient },
      kmsConfiguration: { identifier: kms.keys.keyArn('us-west-2') },
    })
    await keyStore.createKeyStore()
    const { branchKeyIdentifier } = await keyStore.createKey()
    const theirStore = new official.BranchKeyStoreNode({
      logicalKeyStoreName: name,
      storage: { ddbTableName: name, ddbClient: ddb.client() },
      keyManagement: { kmsClient },
      kmsConfiguration: { identifier: kms.keys.keyArn('us-west-2') },
    })
    const hierarchy = new KmsHierarchicalKeyRingNode({ branchKeyId: branchKeyIdentifier, keyStore, cacheLimitTtl: 600 })
    const theirHierarchy = new official.KmsHierarchicalKeyRingNode({
      branchKeyId: branchKeyIdentifier,
      keyStore: theirStore,
      cacheLimitTtl: 600,
      utf8Sorting: true,
    })
    cases.push({
      id: 'hierarchical, warm branch key cache',
      notes: 'KDF + AES-GCM per message; the store and KMS only on a cold cache',
      rings: {
        ...ours(() => ({ encrypt: hierarchy, decrypt: hierarchy })),
        official: { encrypt: theirHierarchy, decrypt: theirHierarchy },
      },
    })

    const plaintext = Buffer.alloc(1024, 0x61)
    const rows: KeyringRow[] = []
    for (const c of cases) {
      await check(c, clients, plaintext)
      for (const op of ['encrypt', 'decrypt'] as const) {
        const row: KeyringRow = { id: c.id, op, hz: {}, rme: {} }
        for (const [side, rings] of Object.entries(c.rings) as [Side, { encrypt: unknown; decrypt: unknown }][]) {
          progress(`[keyrings] ${c.id} ${op} ${side}`)
          const client = clients[side] as Client
          const message = (await client.encrypt(rings.encrypt, plaintext)).result
          const { hz, rme } = await time(
            () =>
              op === 'encrypt' ? client.encrypt(rings.encrypt, plaintext) : client.decrypt(rings.decrypt, message),
            quick,
          )
          row.hz[side] = hz
          row.rme[side] = rme
        }
        rows.push(row)
      }
    }
    return { rows, notes: cases.map((c) => `${c.id}: ${c.notes}`) }
  } finally {
    kmsClient.destroy()
    await ddb.close()
    await kms.close()
  }
}

export function keyringTable(rows: readonly KeyringRow[], notes: readonly string[]): string {
  const fmt = (n: number | undefined): string => (n === undefined ? '-' : n >= 100 ? n.toFixed(0) : n.toFixed(1))
  const lines = ['== Keyrings (1 KiB, suite 0x0578, sequential; messages/s ± RME %)', '']
  lines.push(['case', 'op', 'native', 'js', 'official', 'native/js', 'native/official'].join(' | '))
  for (const r of rows) {
    const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(2)}x` : '-')
    const cell = (s: Side): string => (r.hz[s] === undefined ? '-' : `${fmt(r.hz[s])} ±${(r.rme[s] ?? 0).toFixed(1)}`)
    lines.push(
      [
        r.id,
        r.op,
        cell('native'),
        cell('js'),
        cell('official'),
        ratio(r.hz.native, r.hz.js),
        ratio(r.hz.native, r.hz.official),
      ].join(' | '),
    )
  }
  lines.push('', ...notes.map((n) => `   ${n}`))
  return lines.join('\n')
}
