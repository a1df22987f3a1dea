// This process's resident set as Linux reports it: current and peak (VmRSS, VmHWM of /proc/self/status), and a reset of the peak.
import { readFileSync, writeFileSync } from 'node:fs'

/** A field of /proc/self/status in bytes; undefined where there is no /proc. */
export function procStatus(field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))
    return m ? Number(m[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

/**
 * Sets the peak (VmHWM) back to the current RSS (proc(5), clear_refs "5"), so a peak read later covers only
 * what came after. False where that is not possible. Needed because a child's getrusage maxRSS starts from
 * its parent's RSS at fork (the kernel carries the pre-exec high-water mark over exec), and a warm-up's own
 * peak would otherwise count too.
 */
export function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}
