/**
 * `npm run bench:native`: the native store's write and read paths on a real
 * PostgreSQL server, each beside its physical limit, in one run.
 *
 * 1. Logging 1,000,000 points through GraphQL, batches of 1,000 over HTTP on
 *    loopback, as columns (`logMetricSeries`, the ingest target's path) and
 *    as objects (`logMetrics`), vs raw `INSERT ... SELECT FROM unnest(...)`
 *    of the same rows through `pg` into a table indexed as the store's
 *    `metrics` (its unique point index and its sequence index), its
 *    arrays sent as `pg` sends any array (text). mlgate's store sends a
 *    batch's number columns as binary arrays (db/array-literal.ts); the
 *    store's statement also keeps the latest values and the rollups. The
 *    writers take turns of ten batches each, timed only in their turns
 *    (see inTurns). The gateway runs as its own process (`src/main.ts`),
 *    as it does in production, so the load generator's CPU is not charged
 *    to it.
 * 2. p50/p99 of `metricHistory(maxPoints: 1000)` on that 1,000,000-point series.
 *
 * Uses BENCH_DATABASE_URL or TEST_DATABASE_URL, else starts a private
 * PostgreSQL from the machine's binaries. Writes bench/results/native.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import pg from 'pg'
import { findPostgresBinDir, startPostgres } from '../test/peers/postgres.js'
import { graphqlClient, percentile, startGatewayProcess } from './support/gateway-process.js'
import { freePort } from '../test/support/free-port.js'

const TOTAL_POINTS = Number(process.env.BENCH_POINTS ?? 1_000_000)
const BATCH = 1000
const HISTORY_QUERIES = 200
const CONCURRENCY = 4

function batchOf(index: number) {
  const base = index * BATCH
  const steps = Array.from({ length: BATCH }, (_, i) => base + i)
  return {
    keys: steps.map(() => 'loss'),
    steps,
    timestamps: steps.map((step) => 1_700_000_000_000 + step),
    values: steps.map((step) => Math.sin(step / 1000) + ((step * 7919) % 1000) / 10_000),
  }
}

type Mode = 'sequential' | 'concurrent'
const MODES: readonly { mode: Mode; lanes: number }[] = [
  { mode: 'sequential', lanes: 1 },
  { mode: 'concurrent', lanes: CONCURRENCY },
]
/** Batches each lane sends to one writer before the next writer's turn. */
const ROUND_BATCHES = 10

/**
 * Every writer logs the same batches, in turns of ROUND_BATCHES per lane,
 * `lanes` at a time (each lane its own run, steps rising), and is timed
 * only during its turns. Why turns: on this machine a table's write rate
 * drifts as it grows past memory and as checkpoints come and go (runs of
 * one statement varied by a third); writers measured in turns see the same
 * conditions, so their ratio is the ratio of their costs. The order of the
 * turns rotates each round.
 */
async function inTurns<W extends string>(lanes: number, writers: Record<W, (lane: number, index: number) => Promise<void>>): Promise<Record<W, number>> {
  const batches = TOTAL_POINTS / BATCH
  const names = Object.keys(writers) as W[]
  const elapsed = Object.fromEntries(names.map((name) => [name, 0])) as Record<W, number>
  for (let first = 0, round = 0; first < batches; first += ROUND_BATCHES * lanes, round++) {
    // Each round starts with the next writer: what one writer leaves the database to do (dirty pages, WAL) falls on each in turn.
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      const started = performance.now()
      await Promise.all(
        Array.from({ length: lanes }, async (_, lane) => {
          for (let k = 0; k < ROUND_BATCHES; k++) {
            const index = first + lane * ROUND_BATCHES + k
            if (index < batches) await writers[name](lane, index)
          }
        }),
      )
      elapsed[name] += performance.now() - started
    }
  }
  return Object.fromEntries(names.map((name) => [name, TOTAL_POINTS / (elapsed[name] / 1000)])) as Record<W, number>
}

/** The raw write: `INSERT ... unnest` through `pg`, into a table like the store's. */
async function rawTable(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY })
  await pool.query('drop schema if exists bench_raw cascade; create schema bench_raw')
  // The store's metrics table as its migrations leave it: the point's unique index, and the sequence live readers resume by.
  await pool.query(`create table bench_raw.metrics (run_id text not null, key text not null, step int8 not null, timestamp int8 not null, value float8 not null,
    seq int8 generated always as identity)`)
  await pool.query('create unique index on bench_raw.metrics (run_id, key, step, timestamp, value)')
  await pool.query('create index on bench_raw.metrics (run_id, seq)')
  return {
    insert: async (runId: string, index: number) => {
      const batch = batchOf(index)
      await pool.query(
        `insert into bench_raw.metrics (run_id, key, step, timestamp, value)
         select $1, key, step, timestamp, value from unnest($2::text[], $3::int8[], $4::int8[], $5::float8[]) as t(key, step, timestamp, value)`,
        [runId, batch.keys, batch.steps, batch.timestamps, batch.values],
      )
    },
    close: async () => {
      await pool.query('drop schema bench_raw cascade')
      await pool.end()
    },
  }
}

async function main() {
  let url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
  let stop = () => {}
  if (!url) {
    const binDir = findPostgresBinDir()
    if (!binDir) throw new Error('no PostgreSQL: install postgresql or set BENCH_DATABASE_URL')
    const peer = startPostgres(binDir, await freePort(), { durable: true })
    url = peer.url
    stop = () => peer.stop()
  }
  try {
    const admin = new pg.Pool({ connectionString: url, max: 1 })
    await admin.query('drop schema if exists bench_gateway cascade')
    const gateway = await startGatewayProcess({ backends: [{ id: 'local', kind: 'native', database: url, schema: 'bench_gateway' }] })
    const graphql = graphqlClient(gateway.port)
    const post = (query: string, variables: unknown) => graphql<Record<string, { id: string }>>(query, variables)
    const experiment = await post('mutation ($n: String!) { createExperiment(input: { name: $n }) { id } }', { n: 'bench' })
    const newRun = async () => (await post('mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: experiment.createExperiment.id })).createRun.id
    const raw = await rawTable(url)
    // Each mutation as a training loop sends it: the same points, as one array per field or as 1,000 objects.
    const logMetricSeries = (runId: string, index: number) => {
      const batch = batchOf(index)
      const timestamps = batch.timestamps.map((timestamp) => new Date(timestamp).toISOString())
      return post('mutation ($r: ID!, $s: [Int!]!, $v: [MetricValue!]!, $t: [DateTime!]) { logMetricSeries(runId: $r, key: "loss", steps: $s, values: $v, timestamps: $t) { points } }', {
        r: runId,
        s: batch.steps,
        v: batch.values,
        t: timestamps,
      }).then(() => undefined)
    }
    const logMetrics = (runId: string, index: number) => {
      const batch = batchOf(index)
      const metrics = batch.steps.map((step, j) => ({ key: 'loss', step, value: batch.values[j], timestamp: new Date(batch.timestamps[j]).toISOString() }))
      return post('mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { id } }', { r: runId, m: metrics }).then(() => undefined)
    }
    const rates = {} as Record<Mode, { raw: number; logMetricSeries: number; logMetrics: number }>
    // The history queries read the columnar mutation's sequential run: a 1,000,000-point series.
    let historyRun = ''
    for (const { mode, lanes } of MODES) {
      console.log(`${mode} (${lanes} client(s), one run each): ${TOTAL_POINTS.toLocaleString()} points in batches of ${BATCH} through each writer, in turns...`)
      const runs = { series: await Promise.all(Array.from({ length: lanes }, newRun)), objects: await Promise.all(Array.from({ length: lanes }, newRun)) }
      if (historyRun === '') historyRun = runs.series[0]
      rates[mode] = await inTurns(lanes, {
        raw: (lane, index) => raw.insert(`${mode}-${lane}`, index),
        logMetricSeries: (lane, index) => logMetricSeries(runs.series[lane], index),
        logMetrics: (lane, index) => logMetrics(runs.objects[lane], index),
      })
      const rate = rates[mode]
      console.log(`  raw INSERT ... unnest ${Math.round(rate.raw).toLocaleString()} rows/s`)
      for (const name of ['logMetricSeries', 'logMetrics'] as const) {
        console.log(`  GraphQL ${name} ${Math.round(rate[name]).toLocaleString()} points/s (${((rate[name] / rate.raw) * 100).toFixed(1)}% of raw)`)
      }
    }
    await raw.close()

    await admin.query('analyze bench_gateway.metrics, bench_gateway.metric_rollups')
    await admin.end()

    console.log(`metricHistory(maxPoints: 1000) on the ${TOTAL_POINTS.toLocaleString()}-point series, ${HISTORY_QUERIES} queries...`)
    const history = 'query ($r: ID!) { run(id: $r) { metricHistory(key: "loss", maxPoints: 1000) { totalPoints sampled points { step value } } } }'
    const latencies: number[] = []
    let returned = 0
    for (let i = 0; i < HISTORY_QUERIES + 10; i++) {
      const t0 = performance.now()
      const data = (await post(history, { r: historyRun })) as unknown as { run: { metricHistory: { totalPoints: number; points: unknown[] } } }
      if (i >= 10) latencies.push(performance.now() - t0) // the first 10 warm caches
      returned = data.run.metricHistory.points.length
      if (data.run.metricHistory.totalPoints !== TOTAL_POINTS) throw new Error(`totalPoints ${data.run.metricHistory.totalPoints}`)
    }
    latencies.sort((a, b) => a - b)
    const p50 = percentile(latencies, 50)
    const p99 = percentile(latencies, 99)
    console.log(`  p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ${returned} points returned`)
    await gateway.stop()

    const result = {
      benchmark: 'native',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      points: TOTAL_POINTS,
      batchSize: BATCH,
      write: Object.fromEntries(
        MODES.map(({ mode, lanes }) => [
          mode,
          {
            clients: lanes,
            rawInsertRowsPerSecond: Math.round(rates[mode].raw),
            ...Object.fromEntries(
              (['logMetricSeries', 'logMetrics'] as const).map((name) => [
                name,
                { pointsPerSecond: Math.round(rates[mode][name]), shareOfRaw: Number((rates[mode][name] / rates[mode].raw).toFixed(3)) },
              ]),
            ),
          },
        ]),
      ),
      roundBatches: ROUND_BATCHES,
      history: { maxPoints: 1000, queries: HISTORY_QUERIES, pointsReturned: returned, p50Ms: Number(p50.toFixed(2)), p99Ms: Number(p99.toFixed(2)) },
      targets: { ingestShareOfRaw: 0.5, historyP50Ms: 50 },
    }
    mkdirSync('bench/results', { recursive: true })
    writeFileSync('bench/results/native.json', `${JSON.stringify(result, null, 2)}\n`)
    console.log('wrote bench/results/native.json')
  } finally {
    stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
