// The algorithm names `--algorithm` takes: the Python SDK's Algorithm names, plus this library's enum names and hex ids.
import { AlgorithmSuiteIdentifier as A } from '../core/suites'

/** The Python CLI's `--algorithm` choices (aws_encryption_sdk.Algorithm member names) and their suite ids. */
export const PYTHON_ALGORITHM_NAMES: Readonly<Record<string, A>> = {
  AES_128_GCM_IV12_TAG16: A.ALG_AES128_GCM_IV12_TAG16,
  AES_192_GCM_IV12_TAG16: A.ALG_AES192_GCM_IV12_TAG16,
  AES_256_GCM_IV12_TAG16: A.ALG_AES256_GCM_IV12_TAG16,
  AES_128_GCM_IV12_TAG16_HKDF_SHA256: A.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256,
  AES_192_GCM_IV12_TAG16_HKDF_SHA256: A.ALG_AES192_GCM_IV12_TAG16_HKDF_SHA256,
  AES_256_GCM_IV12_TAG16_HKDF_SHA256: A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256,
  AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256: A.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256,
  AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384: A.ALG_AES192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
  AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384: A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY: A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384: A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
}

/** A suite id for a name (Python name, `ALG_...` enum name, or `0x0478`); undefined if none. */
export function suiteIdOf(name: string): A | undefined {
  const python = PYTHON_ALGORITHM_NAMES[name]
  if (python !== undefined) return python
  const ours = (A as unknown as Record<string, unknown>)[name]
  if (typeof ours === 'number') return ours
  if (/^0x[0-9a-fA-F]{4}$/.test(name)) {
    const id = Number.parseInt(name.slice(2), 16)
    if (Object.values(PYTHON_ALGORITHM_NAMES).includes(id)) return id
  }
  return undefined
}

/** The Python name of a suite: what the metadata's `header.algorithm` says. */
export function pythonAlgorithmName(suiteId: number): string {
  for (const [name, id] of Object.entries(PYTHON_ALGORITHM_NAMES)) if (id === suiteId) return name
  return `0x${suiteId.toString(16).padStart(4, '0')}`
}
