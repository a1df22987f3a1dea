// Configuration has one door: lib/core/config.ts reads every ESDK_* variable; nothing else in lib/ or the install script reads one itself, and the README's table lists exactly those.
import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'
import { CONFIG_VARIABLES } from '../../lib/core/config'

const root = path.resolve(__dirname, '..', '..', '..')
const lib = path.join(root, 'lib')
const CONFIG_FILE = path.join(lib, 'core', 'config.ts')

/** Environment reads in lib/ that are not the library's configuration, each with its reason. */
const OTHER_ENV_READS: Record<string, string> = {
  'lib/cli/arg-files.ts': '$NAME expansion in argument files, as a shell does',
  'lib/kinesis/cli.ts': 'AWS_REGION, the AWS convention for the runner',
  'lib/kinesis/metrics.ts': 'AWS_LAMBDA_FUNCTION_NAME: metrics as EMF lines only inside Lambda',
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

/** ESDK_* names that stand alone (not inside ERR_ESDK_* error codes or other identifiers). */
function esdkNames(text: string): string[] {
  return [...text.matchAll(/(?<![A-Za-z0-9_])ESDK_[A-Z0-9_]+/g)].map((m) => m[0])
}

test('only lib/core/config.ts reads process.env, apart from the few non-ESDK reads named here', (t) => {
  const readers: Record<string, string> = {}
  let scanned = 0
  for (const file of sourceFiles(lib)) {
    scanned++
    if (file === CONFIG_FILE) continue
    const text = fs.readFileSync(file, 'utf8')
    if (/process\.env/.test(text)) readers[path.relative(root, file)] = 'reads process.env'
    // An allowed reader still never reads an ESDK_* variable itself.
    for (const m of text.matchAll(/process\.env(?:\.|\[['"])(ESDK_[A-Z0-9_]+)/g))
      t.fail(`${path.relative(root, file)} reads ${m[1]} itself`)
  }
  t.true(scanned > 100, `${scanned} files scanned`)
  t.deepEqual(Object.keys(readers).sort(), Object.keys(OTHER_ENV_READS).sort())
})

test('every ESDK_* variable lib/ names is one config.ts reads (the native argument-slot macros aside)', (t) => {
  const known = new Set<string>(CONFIG_VARIABLES)
  const unknown: string[] = []
  for (const file of sourceFiles(lib)) {
    if (file === CONFIG_FILE) continue
    for (const name of esdkNames(fs.readFileSync(file, 'utf8'))) {
      // ESDK_*_ARGS are the native argument-slot lists (native/arg_slots.h), named in comments.
      if (!known.has(name) && !name.endsWith('_ARGS')) unknown.push(`${path.relative(root, file)}: ${name}`)
    }
  }
  t.deepEqual(unknown, [])
  // And config.ts itself reads each variable it lists (a name in the list and nowhere else is dead).
  const config = fs.readFileSync(CONFIG_FILE, 'utf8')
  for (const name of CONFIG_VARIABLES) t.true(config.split(name).length > 2, `${name} is listed and read in config.ts`)
})

test('the install script reads its two flags through config.ts, and no other ESDK_* variable', (t) => {
  const script = fs.readFileSync(path.join(root, 'scripts', 'install-native.js'), 'utf8')
  t.regex(script, /require\([^)]*'config\.js'\)\)\.readConfig\(process\.env\)/)
  const named = new Set(esdkNames(script).filter((n) => n !== 'ESDK_'))
  for (const name of named)
    t.true((CONFIG_VARIABLES as readonly string[]).includes(name), `${name} is a config variable`)
  t.true(named.has('ESDK_SKIP_NATIVE_BUILD') && named.has('ESDK_BUILD_FROM_SOURCE'))
})

test("the README's Configuration table lists exactly the variables config.ts reads", (t) => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
  const section = readme.slice(
    readme.indexOf('### Configuration'),
    readme.indexOf('\n## ', readme.indexOf('### Configuration')),
  )
  const rows = [...section.matchAll(/^\| `(ESDK_[A-Z0-9_]+)` \|/gm)].map((m) => m[1])
  t.deepEqual([...rows].sort(), [...CONFIG_VARIABLES].sort())
})
