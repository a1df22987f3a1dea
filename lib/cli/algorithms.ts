// The algorithm names `--algorithm` takes: the Python SDK's Algorithm names, plus this library's `ALG_...` names and hex ids.
// Plain numbers, not core/suites: `esdk --help` should not load the library.

/** The Python CLI's `--algorithm` choices (aws_encryption_sdk.Algorithm member names) and their suite ids. */
export const PYTHON_ALGORITHM_NAMES: Readonly<Record<string, number>> = {
  AES_128_GCM_IV12_TAG16: 0x0014,
  AES_192_GCM_IV12_TAG16: 0x0046,
  AES_256_GCM_IV12_TAG16: 0x0078,
  AES_128_GCM_IV12_TAG16_HKDF_SHA256: 0x0114,
  AES_192_GCM_IV12_TAG16_HKDF_SHA256: 0x0146,
  AES_256_GCM_IV12_TAG16_HKDF_SHA256: 0x0178,
  AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256: 0x0214,
  AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384: 0x0346,
  AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384: 0x0378,
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY: 0x0478,
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384: 0x0578,
}

/** A suite id for a name (Python name, `ALG_...` enum name, or `0x0478`); undefined if none. */
export function suiteIdOf(name: string): number | undefined {
  const python = PYTHON_ALGORITHM_NAMES[name]
  if (python !== undefined) return python
  // The JS enum's names: ALG_ + the Python name with AES_256 spelled AES256 and IV12_TAG16 always present.
  for (const [pythonName, id] of Object.entries(PYTHON_ALGORITHM_NAMES)) {
    const joined = pythonName.replace(/^AES_(\d+)_GCM_/, 'AES$1_GCM_')
    if (name === `ALG_${joined.includes('IV12_TAG16') ? joined : joined.replace('GCM_', 'GCM_IV12_TAG16_')}`) return id
  }
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
