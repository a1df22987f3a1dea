// The progress bar on stderr (bytes, rate, ETA, files done) through cli-progress, loaded only when a bar is shown.
import type { SingleBar } from 'cli-progress'

/** Below this many input bytes in all, no bar: it would flash and vanish. */
export const PROGRESS_THRESHOLD = 4 * 1024 * 1024

export interface Progress {
  add(bytes: number): void
  fileDone(): void
  stop(): void
}

const NONE: Progress = { add: () => undefined, fileDone: () => undefined, stop: () => undefined }

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
}

export function startProgress(show: boolean, totalBytes: number, totalFiles: number): Progress {
  if (!show || totalBytes < PROGRESS_THRESHOLD) return NONE
  const cliProgress = require('cli-progress') as typeof import('cli-progress')
  const started = Date.now()
  let bytes = 0
  let files = 0
  const payload = (): Record<string, string> => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001)
    return {
      done: mib(bytes),
      all: mib(totalBytes),
      rate: `${mib(bytes / seconds)}/s`,
      files: `${files}/${totalFiles}`,
    }
  }
  const bar: SingleBar = new cliProgress.SingleBar(
    {
      format: 'esdk {bar} {percentage}% | {done} / {all} | {rate} | ETA {eta_formatted} | files {files}',
      stream: process.stderr,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      fps: 10,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  )
  bar.start(totalBytes, 0, payload())
  return {
    add(n: number) {
      bytes += n
      bar.update(bytes, payload())
    },
    fileDone() {
      files++
      bar.update(bytes, payload())
    },
    stop() {
      bar.update(bytes, payload())
      bar.stop()
    },
  }
}
