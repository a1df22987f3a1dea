// The progress bar appears on a real terminal (a pseudo-terminal from util-linux `script`), and not when stderr is a pipe or with -q.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { aesKey, esdk, ESDK, scratch } from './helpers'

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0

function inTerminal(command: string, cwd: string, typed?: string): string {
  // -q quiet, -f flush, -e the child's exit code, -c the command; the pty's output arrives on script's stdout, script's stdin is typed on it.
  const r = spawnSync('script', ['-qfec', command, '/dev/null'], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    ...(typed === undefined ? {} : { input: typed }),
  })
  if (r.status !== 0) throw new Error(`script exited ${String(r.status)}: ${r.stdout}${r.stderr}`)
  return r.stdout
}

const maybe = hasScript ? test : test.skip

maybe('a 6 MiB file on a terminal shows bytes, rate, ETA and files done; -q and a pipe show nothing', async (t) => {
  const dir = scratch(t)
  const { w } = aesKey(dir)
  writeFileSync(path.join(dir, 'big.bin'), randomBytes(6 * 1024 * 1024))
  const args = ['-e', '-i', 'big.bin', '-o', 'big.enc', '-S', ...w]
  const command = `${process.execPath} ${ESDK} ${args.join(' ')}`
  const shown = inTerminal(command, dir)
  t.regex(shown, /100% \| 6\.0 MiB \/ 6\.0 MiB \| [\d.]+ MiB\/s \| ETA \d+s \| files 1\/1/)
  t.true(shown.includes('\u2588'), 'the bar itself')
  const quiet = inTerminal(`${command} -q`, dir)
  t.notRegex(quiet, /MiB|files/)
  const piped = await esdk(args, { cwd: dir })
  t.is(piped.status, 0, piped.stderr)
  t.is(piped.stderr, '', 'no bar when stderr is not a terminal')
  const small = inTerminal(`${process.execPath} ${ESDK} -e -i - -o - -S ${w.join(' ')} < /dev/null > /dev/null`, dir)
  t.notRegex(small, /files/, 'no bar for a small input')
})

maybe(
  '--interactive asks the terminal (/dev/tty), not stdin: the answer typed there decides, with stdin at /dev/null',
  (t) => {
    const dir = scratch(t)
    const { w } = aesKey(dir)
    writeFileSync(path.join(dir, 'a.txt'), 'A')
    writeFileSync(path.join(dir, 'a.txt.encrypted'), 'keep me')
    const command = `${process.execPath} ${ESDK} -e -i a.txt -o . --interactive ${w.join(' ')} -S < /dev/null`
    t.regex(inTerminal(command, dir, 'n\n'), /Overwrite existing output file/)
    t.is(readFileSync(path.join(dir, 'a.txt.encrypted'), 'utf8'), 'keep me', 'answered no on the terminal')
    inTerminal(command, dir, 'y\n')
    t.not(
      readFileSync(path.join(dir, 'a.txt.encrypted'), 'utf8'),
      'keep me',
      'answered yes on the terminal (stdin said nothing)',
    )
  },
)
