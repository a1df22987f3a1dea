// Code cites the specification itself (spec file and section), never the team's numbered notes, so the project reads on its own.
import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(__dirname, '..', '..', '..')
const DIRS = ['lib', 'native', 'test', 'bench', 'scripts']
// Spelled in two parts so this file does not match itself.
const NOTES = 'SPEC-' + 'NOTES'

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? files(p) : e.isFile() ? [p] : []
  })
}

test(`no file under ${DIRS.join('/, ')}/ cites ${NOTES}`, (t) => {
  const offenders: string[] = []
  let scanned = 0
  for (const dir of DIRS) {
    for (const file of files(path.join(root, dir))) {
      scanned++
      const lines = fs.readFileSync(file, 'utf8').split('\n')
      lines.forEach((line, i) => {
        if (line.includes(NOTES)) offenders.push(`${path.relative(root, file)}:${i + 1}`)
      })
    }
  }
  t.true(scanned > 300, `${scanned} files scanned`)
  t.deepEqual(offenders, [], `cite the spec file and section instead: ${offenders.join(', ')}`)
})
