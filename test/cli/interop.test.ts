// Files written by the official @aws-crypto/client-node open with `esdk -d`, and files `esdk -e` writes open with the official SDK (raw AES and raw RSA keys).
import test from 'ava'
import { constants, generateKeyPairSync, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as official from '@aws-crypto/client-node'
import { aesKey, esdk, scratch } from './helpers'

const { encrypt, decrypt } = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)

function officialAes(bytes: Buffer): official.RawAesKeyringNode {
  return new official.RawAesKeyringNode({
    keyName: 'aes-1',
    keyNamespace: 'cli-tests',
    unencryptedMasterKey: new Uint8Array(bytes),
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
}

test('raw AES: official encrypt -> esdk decrypt, and esdk encrypt -> official decrypt, signed and unsigned', async (t) => {
  const dir = scratch(t)
  const { bytes, w } = aesKey(dir)
  const plain = randomBytes(50_000)
  for (const suiteId of [
    official.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    official.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
  ]) {
    const { result } = await encrypt(officialAes(bytes), plain, {
      suiteId,
      encryptionContext: { from: 'official' },
      frameLength: 1000,
    })
    writeFileSync(path.join(dir, 'official.enc'), result)
    const d = await esdk(['-d', '-i', 'official.enc', '-o', 'official.dec', ...w, '-S', '-c', 'from=official'], {
      cwd: dir,
    })
    t.is(d.status, 0, d.stderr)
    t.true(readFileSync(path.join(dir, 'official.dec')).equals(plain))
  }
  writeFileSync(path.join(dir, 'plain'), plain)
  const e = await esdk(['-e', '-i', 'plain', '-o', 'ours.enc', ...w, '-S', '-c', 'from=esdk'], { cwd: dir })
  t.is(e.status, 0, e.stderr)
  const { plaintext, messageHeader } = await decrypt(officialAes(bytes), readFileSync(path.join(dir, 'ours.enc')))
  t.true(Buffer.from(plaintext).equals(plain))
  t.is(messageHeader.encryptionContext.from, 'esdk')
})

test('raw RSA (OAEP-SHA256): both directions with the official RawRsaKeyringNode', async (t) => {
  const dir = scratch(t)
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  writeFileSync(path.join(dir, 'priv.pem'), privateKey)
  const w = ['-w', 'provider=raw-rsa', 'key=file:priv.pem', 'namespace=rsa-ns', 'name=rsa-1', 'padding=oaep-sha256']
  const keyring = new official.RawRsaKeyringNode({
    keyName: 'rsa-1',
    keyNamespace: 'rsa-ns',
    rsaKey: { publicKey, privateKey },
    padding: constants.RSA_PKCS1_OAEP_PADDING,
    oaepHash: 'sha256',
  })
  const { result } = await encrypt(keyring, 'from the official SDK')
  const d = await esdk(['-d', '-i', '-', '-o', '-', ...w, '-S'], { cwd: dir, input: Buffer.from(result) })
  t.is(d.status, 0, d.stderr)
  t.is(d.stdout.toString(), 'from the official SDK')
  const e = await esdk(['-e', '-i', '-', '-o', '-', ...w, '-S'], { cwd: dir, input: 'from esdk' })
  t.is(e.status, 0, e.stderr)
  t.is(Buffer.from((await decrypt(keyring, e.stdout)).plaintext).toString(), 'from esdk')
})
