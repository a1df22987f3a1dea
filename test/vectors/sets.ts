// The registry of vector sets: catalog set name → where its files are and which loader reads them.
import * as path from 'node:path'
import { VectorCase } from './cases'
import { loadCommitmentSet } from './commitment-set'
import { loadDecryptManifest } from './decrypt-manifest'
import { loadLegacyManifest } from './legacy-manifest'
import { loadOracleSet } from './oracle-set'
import { folderSource, zipSource } from './source'

export type SetLoader = (vectorFolder: string) => VectorCase[]

const zipManifest =
  (zip: string, manifest: string): SetLoader =>
  (root) =>
    loadDecryptManifest(zipSource(path.join(root, zip)), manifest)
const inFolder =
  (folder: string, load: typeof loadDecryptManifest, file: string): SetLoader =>
  (root) =>
    load(folderSource(path.join(root, folder)), file)

/** Keys are the set names used in catalog.json. */
export const SET_LOADERS: ReadonlyMap<string, SetLoader> = new Map([
  ['net-4.0.1/v4-Net-4.0.1.zip', zipManifest('net-4.0.1/v4-Net-4.0.1.zip', 'manifest.json')],
  ['net-4.0.0/valid-Net-4.0.0.zip', zipManifest('net-4.0.0/valid-Net-4.0.0.zip', 'manifest.json')],
  ['net-4.0.0/invalid-Net-4.0.0.zip', zipManifest('net-4.0.0/invalid-Net-4.0.0.zip', 'manifest.json')],
  ['dafny-4.1.0', inFolder('dafny-4.1.0', loadDecryptManifest, 'decrypt-manifest.json')],
  ['python-1.3.5/python-1.3.5.zip', zipManifest('python-1.3.5/python-1.3.5.zip', 'decrypt_message.json')],
  ['python-1.3.0-legacy', inFolder('python-1.3.0-legacy', loadLegacyManifest, 'manifests/ciphertext.manifest')],
  ['commitment-v2', inFolder('commitment-v2', loadCommitmentSet, 'commitment-test-vectors.json')],
  ['python-decrypt-oracle', inFolder('python-decrypt-oracle', loadOracleSet, 'decrypt_vectors.json')],
])
