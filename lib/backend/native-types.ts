// Type contract between the TypeScript side and the compiled esdk_native addon (see native/addon.cc).

/**
 * CPU crypto extensions as probed natively. `arch` uses Node's `process.arch`
 * spelling; only the current architecture's flags are present, so an absent
 * flag means "not applicable here" rather than "unsupported".
 */
export interface CpuFeatures {
  arch: string;
  aesni?: boolean;
  pclmulqdq?: boolean;
  avx2?: boolean;
  vaes?: boolean;
  vpclmulqdq?: boolean;
  avx512f?: boolean;
  aes?: boolean;
  pmull?: boolean;
  sha2?: boolean;
}

/** `compiled` comes from the headers, `runtime`/`number` from the libcrypto inside the node binary. */
export interface OpensslVersion {
  compiled: string;
  runtime: string;
  number: number;
}

/** What the loader checks before accepting a binary: identity and build facts. */
export interface NativeAddon {
  abiVersion: number;
  cpuFeatures(): CpuFeatures;
  opensslVersion(): OpensslVersion;
}

/**
 * The crypto entry points of ABI 2 (native/crypto_bindings.h), checked by
 * createNativeBackend. Every Uint8Array is read or written only inside its own
 * byteOffset/byteLength window; outputs are allocated by the caller at their
 * exact size. Invalid arguments throw (TypeError/RangeError with an
 * `ERR_ESDK_NATIVE_*` code); authentication failures return false.
 */
export interface NativeCryptoFunctions {
  /** Writes the encryption key into `outKey` and, for committing suites, the commitment into `outCommitment` (empty otherwise). */
  deriveKeys(suiteId: number, dataKey: Uint8Array, messageId: Uint8Array, outKey: Uint8Array, outCommitment: Uint8Array): void;
  /** Writes the 16-byte header tag (AAD = headerBody ‖ extraAad) into `outTag`. */
  headerAuthTag(suiteId: number, key: Uint8Array, iv: Uint8Array, headerBody: Uint8Array, extraAad: Uint8Array, outTag: Uint8Array): void;
  verifyHeaderAuth(suiteId: number, key: Uint8Array, iv: Uint8Array, headerBody: Uint8Array, extraAad: Uint8Array, tag: Uint8Array): boolean;
  /** Writes the whole framed body at `out[outOffset..]`; returns the bytes written. */
  sealFramedBody(suiteId: number, key: Uint8Array, messageId: Uint8Array, plaintext: Uint8Array, frameLength: number, out: Uint8Array, outOffset: number): number;
  /**
   * Decrypts every frame of `frameTable` (FRAME_TABLE_STRIDE float64 per frame, offsets into
   * `source`) into `out`; false, with `out` zeroed, if any tag fails.
   */
  openBody(suiteId: number, key: Uint8Array, messageId: Uint8Array, source: Uint8Array, frameTable: Float64Array, out: Uint8Array): boolean;
}

export type NativeCryptoAddon = NativeAddon & NativeCryptoFunctions;

/**
 * Frame table row, shared with native/frame_table.h: IV offset, ciphertext offset, ciphertext
 * length, tag offset, sequence number, kind.
 */
export const FRAME_TABLE_STRIDE = 6;
/** Frame kinds as native/frame_table.h numbers them. */
export const FRAME_KIND_CODE = { frame: 0, final: 1, single: 2 } as const;

export interface NativeLoadResult {
  addon: NativeAddon | undefined;
  path: string | undefined;
  /** Why each earlier candidate was passed over, in search order. */
  reasons: string[];
}
