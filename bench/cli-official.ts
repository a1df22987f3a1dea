// The official SDK driven the way `esdk` drives ours, for the cli group: a file (or stdin) through encryptStream/decryptStream to a file (or stdout), or a directory of files N at a time with a caching CMM.
import { createReadStream, createWriteStream, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import * as official from '@aws-crypto/client-node'

const [mode, input, output, keyFile, jobsText] = process.argv.slice(2)
if (!mode || !input || !output || !keyFile)
  throw new Error('usage: cli-official encrypt|decrypt|encrypt-dir IN OUT KEYFILE [JOBS]')
const keyring = new official.RawAesKeyringNode({
  keyName: 'bench',
  keyNamespace: 'cli-bench',
  unencryptedMasterKey: new Uint8Array(readFileSync(keyFile)),
  wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
})
const { encryptStream, decryptStream } = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
const SUITE = official.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY

/** `withLength`: hand the file size to the CMM (its caching CMM caches only then). Not for the big file: the official stream then fails a 1 GiB input ("Encrypted data exceeded plaintextLength"). */
async function one(
  cmm: official.KeyringNode | official.NodeCachingMaterialsManager,
  from: string,
  to: string,
  encrypting: boolean,
  withLength: boolean,
): Promise<void> {
  const source = from === '-' ? process.stdin : createReadStream(from, { highWaterMark: 1024 * 1024 })
  const sink = to === '-' ? process.stdout : createWriteStream(to)
  const size = from === '-' || !withLength ? undefined : statSync(from).size
  const crypto = encrypting
    ? encryptStream(cmm, {
        suiteId: SUITE,
        frameLength: 65536,
        ...(size === undefined ? {} : { plaintextLength: size }),
      })
    : decryptStream(cmm)
  await pipeline(source, crypto, sink)
}

async function main(): Promise<void> {
  if (mode === 'encrypt' || mode === 'decrypt')
    return one(keyring, input as string, output as string, mode === 'encrypt', false)
  const cmm = new official.NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: official.getLocalCryptographicMaterialsCache(100),
    maxAge: 60_000,
  })
  const files = readdirSync(input as string)
  mkdirSync(output as string, { recursive: true })
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) {
      const name = files[i] as string
      await one(cmm, path.join(input as string, name), path.join(output as string, `${name}.encrypted`), true, true)
    }
  }
  await Promise.all(Array.from({ length: Number(jobsText ?? '2') }, worker))
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
  process.exitCode = 1
})
