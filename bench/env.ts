// The environment a run was measured in: backend choice, CPU, OpenSSL, Node, load. Printed first and kept in the JSON.
import * as os from 'node:os'
import * as path from 'node:path'
import { getBackendInfo } from '../lib'
import type { BackendInfo } from '../lib'

export interface Environment {
  date: string
  backendInfo: BackendInfo
  node: string
  nodeOpenssl: string | undefined
  v8: string
  platform: string
  cpuModel: string
  cpuCount: number
  /** Cores this process may run on (os.availableParallelism). */
  availableParallelism: number
  loadAverage: number[]
  totalMemoryMiB: number
  uvThreadpoolSize: string
  esdkBackendEnv: string | undefined
  versions: { benchmark: string; official: string }
}

function packageVersion(name: string): string {
  try {
    // Resolve the package directory from its main entry: some packages do not export package.json.
    const main = require.resolve(name)
    let dir = path.dirname(main)
    for (;;) {
      const candidate = path.join(dir, 'package.json')
      try {
        const pkg = require(candidate) as { name?: string; version?: string }
        if (pkg.name === name && pkg.version) return pkg.version
      } catch {
        // keep walking up
      }
      const parent = path.dirname(dir)
      if (parent === dir) return 'unknown'
      dir = parent
    }
  } catch {
    return 'not installed'
  }
}

export function collectEnvironment(): Environment {
  const cpus = os.cpus()
  return {
    date: new Date().toISOString(),
    backendInfo: getBackendInfo(),
    node: process.version,
    nodeOpenssl: process.versions.openssl,
    v8: process.versions.v8,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism(),
    loadAverage: os.loadavg(),
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
    esdkBackendEnv: process.env.ESDK_BACKEND,
    versions: { benchmark: packageVersion('benchmark'), official: packageVersion('@aws-crypto/client-node') },
  }
}

export function formatLoad(load: readonly number[]): string {
  return load.map((l) => l.toFixed(2)).join(' ')
}

export function formatEnvironment(env: Environment): string {
  const info = env.backendInfo
  const cpu = info.cpu
  const features = cpu
    ? Object.entries(cpu)
        .filter(([k]) => k !== 'arch')
        .map(([k, v]) => `${k}${v ? '+' : '-'}`)
        .join(' ')
    : 'n/a (addon not loaded)'
  const lines = [
    '== Environment',
    `date              ${env.date}`,
    `backend (auto)    ${info.backend}${info.reasons.length ? `  (not native: ${info.reasons.join('; ')})` : ''}`,
    `addon             ${info.addonPath ?? 'not loaded'}`,
    `CPU features      ${cpu ? `${cpu.arch}: ` : ''}${features}`,
    `OpenSSL (addon)   compiled ${info.openssl?.compiled ?? 'n/a'}; runtime ${info.openssl?.runtime ?? 'n/a'}`,
    `Node              ${env.node} (V8 ${env.v8}, OpenSSL ${env.nodeOpenssl ?? 'n/a'}) on ${env.platform}`,
    `CPU               ${env.cpuModel} x ${env.cpuCount} (available parallelism ${env.availableParallelism})`,
    `load average      ${formatLoad(env.loadAverage)} (1/5/15 min)`,
    `memory            ${env.totalMemoryMiB} MiB; UV_THREADPOOL_SIZE ${env.uvThreadpoolSize}; ESDK_BACKEND ${env.esdkBackendEnv ?? '(unset)'}`,
    `measured with     benchmark ${env.versions.benchmark}; official @aws-crypto/client-node ${env.versions.official}`,
  ]
  return lines.join('\n')
}
