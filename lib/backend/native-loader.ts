// Finds, loads and validates the optional native addon, reporting why candidates were rejected instead of throwing.
import * as fs from 'fs';
import * as path from 'path';
import type { CpuFeatures, NativeAddon, NativeLoadResult, OpensslVersion } from './native-types';

export type { CpuFeatures, NativeAddon, NativeLoadResult, OpensslVersion } from './native-types';

/** Must match kAbiVersion in native/addon.cc, so a stale binary is rejected rather than misused. */
export const EXPECTED_ABI_VERSION = 6;

const ADDON_FILE = 'esdk_native.node';

const CPU_FLAGS = [
  'aesni', 'pclmulqdq', 'avx2', 'vaes', 'vpclmulqdq', 'avx512f', 'aes', 'pmull', 'sha2',
] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isCpuFeatures(value: unknown): value is CpuFeatures {
  return isRecord(value) &&
    typeof value.arch === 'string' &&
    CPU_FLAGS.every((flag) => value[flag] === undefined || typeof value[flag] === 'boolean');
}

export function isOpensslVersion(value: unknown): value is OpensslVersion {
  return isRecord(value) &&
    typeof value.compiled === 'string' &&
    typeof value.runtime === 'string' &&
    typeof value.number === 'number';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Shape-checks a loaded module, pushing the first problem found onto
 * `problems`. The functions are called once here so that a binary returning
 * malformed data is rejected at load time, not in the middle of encryption.
 */
// The parameter is not called `exports`: under CommonJS output that would
// shadow the module's own exports object and break references to constants.
export function isNativeAddon(mod: unknown, problems: string[]): mod is NativeAddon {
  if (!isRecord(mod)) {
    problems.push('shape check failed: module exports are not an object');
    return false;
  }
  const { abiVersion, cpuFeatures, opensslVersion } = mod;
  if (typeof abiVersion !== 'number') {
    problems.push('shape check failed: abiVersion is not a number');
    return false;
  }
  if (abiVersion !== EXPECTED_ABI_VERSION) {
    problems.push(`abi mismatch: addon has ${abiVersion}, loader expects ${EXPECTED_ABI_VERSION}`);
    return false;
  }
  if (typeof cpuFeatures !== 'function' || typeof opensslVersion !== 'function') {
    problems.push('shape check failed: cpuFeatures/opensslVersion are not functions');
    return false;
  }
  try {
    const cpu: unknown = cpuFeatures.call(mod);
    if (!isCpuFeatures(cpu)) {
      problems.push('shape check failed: cpuFeatures() returned an unexpected value');
      return false;
    }
    const ssl: unknown = opensslVersion.call(mod);
    if (!isOpensslVersion(ssl)) {
      problems.push('shape check failed: opensslVersion() returned an unexpected value');
      return false;
    }
  } catch (err) {
    problems.push(`shape check failed: ${errorMessage(err)}`);
    return false;
  }
  return true;
}

/** x86 needs AES-NI plus carry-less multiply for GHASH; arm64 needs AES plus PMULL. */
export function hasHardwareAes(cpu: CpuFeatures): boolean {
  switch (cpu.arch) {
    case 'x64':
    case 'ia32':
      return cpu.aesni === true && cpu.pclmulqdq === true;
    case 'arm64':
      return cpu.aes === true && cpu.pmull === true;
    default:
      return false;
  }
}

// The compiled file sits at build/lib/backend/, but walking up to binding.gyp
// keeps this correct when run from source (ts-node) or from an installed copy.
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'binding.gyp'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..', '..');
  }
}

function candidates(root: string): string[] {
  const list: string[] = [];
  const override = process.env.ESDK_NATIVE_ADDON_PATH;
  if (override !== undefined && override !== '') list.push(path.resolve(override));
  list.push(
    path.join(root, 'build', 'Release', ADDON_FILE),
    path.join(root, 'build-cmake', 'Release', ADDON_FILE),
    path.join(root, 'build', 'Debug', ADDON_FILE),
  );
  return list;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function loadUncached(): NativeLoadResult {
  const reasons: string[] = [];
  try {
    for (const candidate of candidates(packageRoot())) {
      if (!isFile(candidate)) {
        reasons.push(`${candidate}: not found`);
        continue;
      }
      // process.dlopen rather than require(): an override pointing at a .js
      // file must not be executed, and the require cache stays untouched.
      const mod: { exports: unknown } = { exports: {} };
      try {
        process.dlopen(mod, candidate);
      } catch (err) {
        reasons.push(`${candidate}: dlopen failed: ${errorMessage(err)}`);
        continue;
      }
      const problems: string[] = [];
      if (isNativeAddon(mod.exports, problems)) {
        return { addon: mod.exports, path: candidate, reasons };
      }
      reasons.push(`${candidate}: ${problems.join('; ')}`);
    }
  } catch (err) {
    reasons.push(`native loader failed unexpectedly: ${errorMessage(err)}`);
  }
  return { addon: undefined, path: undefined, reasons };
}

let memo: NativeLoadResult | undefined;

/** Memoized: dlopen is process-wide, so a second search could only repeat the first. */
export function loadNativeAddon(): NativeLoadResult {
  memo ??= loadUncached();
  return memo;
}
