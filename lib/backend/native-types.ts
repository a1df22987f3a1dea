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

export interface NativeAddon {
  abiVersion: number;
  cpuFeatures(): CpuFeatures;
  opensslVersion(): OpensslVersion;
}

export interface NativeLoadResult {
  addon: NativeAddon | undefined;
  path: string | undefined;
  /** Why each earlier candidate was passed over, in search order. */
  reasons: string[];
}
