// What the tests expect of the running Node's OpenSSL, read from process.versions alone (not from the code under test).

/** The runtime OpenSSL's major.minor as one number (3.0 -> 300, 3.5 -> 305). */
export function opensslMinor(): number {
  const [major = '0', minor = '0'] = process.versions.openssl.split('.')
  return Number(major) * 100 + Number(minor)
}

/**
 * OpenSSL 3.2 added implicit rejection for RSA PKCS#1 v1.5 decryption, and Node allows that padding
 * only where it is on: Node 22.20+ and 24 (OpenSSL 3.5) do, Node 20 (OpenSSL 3.0) refuses it.
 */
export function nodeRejectsPkcs1Implicitly(): boolean {
  return opensslMinor() >= 302
}
