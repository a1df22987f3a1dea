// End to end through kinesalite, the local KMS and dynalite: the runner (a child process, SIGKILLed and restarted) encrypts a 4-shard source into a destination; nothing lost, keys and per-key order kept.
import test from 'ava'
import { startLocalKms } from '../../lib/testing'
import { startLocalDynamoDb } from '../hierarchy/stand-ins'
import { runScenario } from './scenario'
import { startKinesalite } from './stand-ins'

/**
 * npm test runs 2,000 user records and 3 kills (about 2,000 / 10 x 900 KiB records included);
 * `npm run kinesis:soak` runs the 20,000 records and 10 kills (KINESIS_SOAK_RECORDS, KINESIS_SOAK_KILLS).
 */
const RECORDS = Number(process.env['KINESIS_E2E_RECORDS'] ?? 2000)
const KILLS = Number(process.env['KINESIS_E2E_KILLS'] ?? 3)

test(`runner: ${RECORDS} records (KPL aggregates, 1 B to 900 KiB, 8 keys), 4 shards, ${KILLS} SIGKILLs, DynamoDB checkpoints: every record arrives, decrypts, keeps its key and order`, async (t) => {
  const [kinesis, kms, ddb] = await Promise.all([startKinesalite(), startLocalKms(), startLocalDynamoDb()])
  try {
    const r = await runScenario(
      kinesis,
      kms,
      {
        records: RECORDS,
        kills: KILLS,
        shards: 4,
        batchSize: 100,
        checkpoints: 'dynamodb:esdk-kinesis-checkpoints',
        dynamodbEndpoint: ddb.endpoint,
        killAfterMs: [600, 2500],
      },
      'e2e',
    )
    t.log(JSON.stringify({ ...r, summaries: r.summaries.length }))
    t.is(r.verdict.missing, 0, 'no record lost')
    t.is(r.verdict.unexpected, 0, 'nothing that was not produced')
    t.is(r.verdict.keyMismatches, 0, 'every partition key preserved')
    t.is(r.verdict.orderViolations, 0, 'per-key order preserved')
    t.true(r.kinesisRecords < r.users, 'some records were KPL aggregates')
    // Duplicates only from batches in flight at a kill: at most one batch (100 Kinesis records, up to 5 user records each) per shard per kill.
    t.true(r.verdict.duplicates <= KILLS * 4 * 100 * 5, `duplicates ${r.verdict.duplicates}`)
    t.is(r.destinationRecords, r.users + r.verdict.duplicates)
    // Caching: one data key per 1,000 records per runner process (each restart starts cold).
    t.true(
      r.kmsGenerateDataKey <= Math.ceil(RECORDS / 1000) + 4 * (KILLS + 1),
      `GenerateDataKey ${r.kmsGenerateDataKey}`,
    )
  } finally {
    await Promise.all([kinesis.close(), kms.close(), ddb.close()])
  }
})
