// Command-line vector runner (`npm run vectors -- [--json FILE] [--set NAME]... [--backend auto|js|native]`).
import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { parseArgs } from 'node:util'
import { BackendChoice, CommitmentPolicy, EsdkClient, buildClient, getBackendInfo } from '../../lib/index'
import { nodePkcs1Behaviour } from '../../lib/materials/node-rsa-pkcs1'
import { loadCatalog } from './catalog'
import { vectorFolder, vectorFolderPresent } from './paths'
import { SetSummary, finalLine, printDetails, printTable, summarize, totalsOf, writeJson } from './report'
import { VectorResult, runSet } from './run'
import { SET_LOADERS } from './sets'

const SECURITY_REVERT = '--security-revert=CVE-2023-46809'
const USAGE = 'usage: node build/test/vectors/cli.js [--json FILE] [--set NAME]... [--backend auto|js|native]'

interface Options {
  readonly json: string | undefined
  readonly sets: readonly string[]
  readonly backend: BackendChoice | undefined
}

function parseOptions(args: string[]): Options | string {
  try {
    const { values } = parseArgs({
      args,
      options: {
        json: { type: 'string' },
        set: { type: 'string', multiple: true },
        backend: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    })
    if (values.help) return USAGE
    const backend = values.backend
    if (backend !== undefined && backend !== 'auto' && backend !== 'js' && backend !== 'native')
      return `--backend must be auto, js or native\n${USAGE}`
    return { json: values.json, sets: values.set ?? [], backend }
  } catch (e) {
    return `${e instanceof Error ? e.message : String(e)}\n${USAGE}`
  }
}

/**
 * Node 20 refuses RSA PKCS#1 v1.5 private decryption (CVE-2023-46809) unless started with the revert flag, and
 * 191 vectors use that padding. Only the JS backend decrypts through node:crypto; the native backend unwraps
 * PKCS#1 v1.5 in the addon (with implicit rejection) and runs without the flag, and so does the JS backend on
 * Node 22.20+ and 24, whose OpenSSL 3.5 rejects implicitly (there the flag is gone: "Attempt to revert an
 * unknown CVE"). Returns the child's exit status, or undefined when no re-exec happened.
 */
function reexecWithSecurityRevert(args: string[]): number | undefined {
  if (process.execArgv.includes(SECURITY_REVERT)) return undefined
  if (nodeRejectsImplicitly()) {
    console.log(
      'vectors: node:crypto rejects RSA PKCS#1 v1.5 implicitly here (OpenSSL 3.2+), so the JS backend needs no node flag',
    )
    return undefined
  }
  console.log(
    `vectors: re-running under node ${SECURITY_REVERT}: the JS backend decrypts RSA PKCS#1 v1.5 through node:crypto, which Node 20 refuses without it`,
  )
  const child = spawnSync(process.execPath, [SECURITY_REVERT, __filename, ...args], { stdio: 'inherit' })
  if (child.error) {
    console.log(
      `vectors: WARNING: could not re-run node (${child.error.message}); continuing without ${SECURITY_REVERT}, PKCS#1 v1.5 vectors will fail`,
    )
    return undefined
  }
  return child.status ?? 1
}

/** Asked of node:crypto itself, with a throwaway key (a few ms, once). */
function nodeRejectsImplicitly(): boolean {
  return nodePkcs1Behaviour(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey) === 'implicit'
}

/** The backend the client will use: --backend, else ESDK_BACKEND, else what auto picks here. */
function plannedBackend(choice: BackendChoice | undefined): 'js' | 'native' {
  const env = process.env.ESDK_BACKEND
  const resolved = choice ?? (env === 'js' || env === 'native' ? env : 'auto')
  return resolved === 'auto' ? getBackendInfo().backend : resolved
}

async function main(args: string[]): Promise<number> {
  const options = parseOptions(args)
  if (typeof options === 'string') {
    console.error(options)
    return options === USAGE ? 0 : 2
  }
  const folder = vectorFolder()
  if (!vectorFolderPresent(folder)) {
    const banner = '!'.repeat(78)
    console.warn(
      `${banner}\n!!! WARNING: test-vector folder not found at ${folder}\n!!! Set ESDK_TEST_VECTORS to the folder holding catalog.json. NO VECTORS WERE RUN.\n${banner}`,
    )
    console.log(
      finalLine({ passed: 0, failed: 0, pending: 0, needsNetwork: 0 }, `vector folder not found at ${folder}`),
    )
    return 0
  }
  // Decided before building anything: only a JS-backend run needs the re-exec.
  const backend = plannedBackend(options.backend)
  const status = backend === 'js' ? reexecWithSecurityRevert(args) : undefined
  if (status !== undefined) return status
  const securityRevert = process.execArgv.includes(SECURITY_REVERT)

  let client: EsdkClient
  try {
    client = buildClient({
      commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
      ...(options.backend ? { backend: options.backend } : {}),
    })
  } catch (e) {
    console.error(`vectors: cannot build a client: ${e instanceof Error ? e.message : String(e)}`)
    return 2
  }
  const info = getBackendInfo()
  console.log(
    `vectors: folder ${folder}; backend ${backend}${info.reasons.length && backend === 'js' ? ` (${info.reasons.join('; ')})` : ''}; node ${process.version}${securityRevert ? ` ${SECURITY_REVERT}` : ' without --security-revert'}`,
  )
  if (backend === 'native')
    console.log(
      'vectors: RSA PKCS#1 v1.5 data keys are unwrapped by the native addon (implicit rejection); no node flag needed',
    )

  const catalog = loadCatalog(folder).filter(
    (s) => options.sets.length === 0 || options.sets.some((name) => s.name.includes(name)),
  )
  const summaries: SetSummary[] = []
  const results: VectorResult[] = []
  for (const set of catalog) {
    const loader = SET_LOADERS.get(set.name)
    const setResults = await runSet(
      set,
      () => {
        if (!loader) throw new Error(`no loader registered for catalog set ${set.name}`)
        return loader(folder)
      },
      client,
    )
    results.push(...setResults)
    summaries.push(summarize(set.name, setResults))
  }
  printTable(summaries, console.log)
  printDetails(summaries, console.log)
  const totals = totalsOf(summaries)
  if (options.json)
    writeJson(options.json, {
      folder,
      backend,
      node: process.version,
      securityRevert,
      totals,
      sets: summaries,
      results,
    })
  console.log(finalLine(totals))
  return totals.failed > 0 ? 1 : 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error('vectors: runner crashed:', e)
    process.exit(2)
  },
)
