// `npm run kinesis:soak`: the full end-to-end run, 20,000 records and 10 SIGKILL restarts (KINESIS_SOAK_RECORDS, KINESIS_SOAK_KILLS), printing the verdict; exits 1 on any loss.
import { startLocalKms } from '../../lib/testing'
import { startLocalDynamoDb } from '../hierarchy/stand-ins'
import { runScenario } from './scenario'
import { startKinesalite } from './stand-ins'

async function main(): Promise<number> {
  const records = Number(process.env['KINESIS_SOAK_RECORDS'] ?? 20_000)
  const kills = Number(process.env['KINESIS_SOAK_KILLS'] ?? 10)
  const [kinesis, kms, ddb] = await Promise.all([startKinesalite(), startLocalKms(), startLocalDynamoDb()])
  try {
    const r = await runScenario(
      kinesis,
      kms,
      {
        records,
        kills,
        shards: 4,
        batchSize: 100,
        checkpoints: 'dynamodb:esdk-kinesis-soak',
        dynamodbEndpoint: ddb.endpoint,
        killAfterMs: [1000, 8000],
      },
      'soak',
    )
    console.log(JSON.stringify({ records, ...r }, null, 1))
    const v = r.verdict
    const ok = v.missing === 0 && v.unexpected === 0 && v.keyMismatches === 0 && v.orderViolations === 0
    console.log(
      ok
        ? `soak: OK, ${r.users} records, ${v.duplicates} duplicates from ${kills} kills, ${r.kmsGenerateDataKey} GenerateDataKey calls, ${r.seconds.toFixed(1)} s`
        : 'soak: FAILED',
    )
    return ok ? 0 : 1
  } finally {
    await Promise.all([kinesis.close(), kms.close(), ddb.close()])
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e)
    process.exit(1)
  },
)
