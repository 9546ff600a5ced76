/**
 * `npm run bench:native`: the native store's write and read paths on a real
 * PostgreSQL server, each beside its physical limit, in one run.
 *
 * 1. Logging 1,000,000 points through GraphQL `logMetrics` (batches of
 *    1,000, over HTTP on loopback) vs raw `INSERT ... SELECT FROM unnest(...)`
 *    of the same rows through `pg` into an identically indexed table. The
 *    gateway runs as its own process (`src/main.ts`), as it does in
 *    production, so the load generator's CPU is not charged to it.
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

/** Runs every batch index through `send`, `concurrency` at a time, in order per lane. */
async function forEachBatch(concurrency: number, send: (index: number) => Promise<void>): Promise<number> {
  const batches = TOTAL_POINTS / BATCH
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches) await send(next++)
    }),
  )
  return TOTAL_POINTS / ((performance.now() - started) / 1000)
}

async function rawInsertRate(url: string, concurrency: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: concurrency })
  await pool.query('drop schema if exists bench_raw cascade; create schema bench_raw')
  await pool.query(`create table bench_raw.metrics (run_id text not null, key text not null, step int8 not null, timestamp int8 not null, value float8 not null)`)
  await pool.query('create index on bench_raw.metrics (run_id, key, step, timestamp) include (value)')
  const rate = await forEachBatch(concurrency, async (index) => {
    const batch = batchOf(index)
    await pool.query(
      `insert into bench_raw.metrics (run_id, key, step, timestamp, value)
       select $1, key, step, timestamp, value from unnest($2::text[], $3::int8[], $4::int8[], $5::float8[]) as t(key, step, timestamp, value)`,
      ['0123456789abcdef0123456789abcdef', batch.keys, batch.steps, batch.timestamps, batch.values],
    )
  })
  await pool.query('drop schema bench_raw cascade')
  await pool.end()
  return rate
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
    const raw = { sequential: 0, concurrent: 0 }
    for (const [mode, lanes] of [['sequential', 1], ['concurrent', CONCURRENCY]] as const) {
      console.log(`raw INSERT ... unnest, ${mode} (${lanes} connection(s)): ${TOTAL_POINTS.toLocaleString()} rows in batches of ${BATCH}...`)
      raw[mode] = await rawInsertRate(url, lanes)
      console.log(`  ${Math.round(raw[mode]).toLocaleString()} rows/s`)
    }

    const admin = new pg.Pool({ connectionString: url, max: 1 })
    await admin.query('drop schema if exists bench_gateway cascade')
    const gateway = await startGatewayProcess({ backends: [{ id: 'local', kind: 'native', database: url, schema: 'bench_gateway' }] })
    const graphql = graphqlClient(gateway.port)
    const post = (query: string, variables: unknown) => graphql<Record<string, { id: string }>>(query, variables)
    const experiment = await post('mutation ($n: String!) { createExperiment(input: { name: $n }) { id } }', { n: 'bench' })
    const newRun = async () => (await post('mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: experiment.createExperiment.id })).createRun.id
    const mutation = 'mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { id } }'
    const logBatch = (runId: string, index: number) => {
      const batch = batchOf(index)
      const metrics = batch.steps.map((step, j) => ({ key: 'loss', step, value: batch.values[j], timestamp: new Date(batch.timestamps[j]).toISOString() }))
      return post(mutation, { r: runId, m: metrics }).then(() => undefined)
    }

    // Sequential: one client, one run, the 1,000,000-point series the history queries read.
    console.log(`GraphQL logMetrics, sequential: ${TOTAL_POINTS.toLocaleString()} points in batches of ${BATCH}...`)
    const runId = await newRun()
    const sequential = await forEachBatch(1, (index) => logBatch(runId, index))
    console.log(`  ${Math.round(sequential).toLocaleString()} points/s (${((sequential / raw.sequential) * 100).toFixed(1)}% of raw)`)

    // Concurrent: several training jobs, each logging its own run.
    console.log(`GraphQL logMetrics, concurrent (${CONCURRENCY} clients, one run each)...`)
    const lanes = await Promise.all(Array.from({ length: CONCURRENCY }, newRun))
    const concurrent = await forEachBatch(CONCURRENCY, (index) => logBatch(lanes[index % CONCURRENCY], index))
    console.log(`  ${Math.round(concurrent).toLocaleString()} points/s (${((concurrent / raw.concurrent) * 100).toFixed(1)}% of raw)`)

    await admin.query('analyze bench_gateway.metrics, bench_gateway.metric_rollups')
    await admin.end()

    console.log(`metricHistory(maxPoints: 1000) on the ${TOTAL_POINTS.toLocaleString()}-point series, ${HISTORY_QUERIES} queries...`)
    const history = 'query ($r: ID!) { run(id: $r) { metricHistory(key: "loss", maxPoints: 1000) { totalPoints sampled points { step value } } } }'
    const latencies: number[] = []
    let returned = 0
    for (let i = 0; i < HISTORY_QUERIES + 10; i++) {
      const t0 = performance.now()
      const data = (await post(history, { r: runId })) as unknown as { run: { metricHistory: { totalPoints: number; points: unknown[] } } }
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
      write: {
        sequential: {
          rawInsertRowsPerSecond: Math.round(raw.sequential),
          logMetricsPointsPerSecond: Math.round(sequential),
          shareOfRaw: Number((sequential / raw.sequential).toFixed(3)),
        },
        concurrent: {
          clients: CONCURRENCY,
          rawInsertRowsPerSecond: Math.round(raw.concurrent),
          logMetricsPointsPerSecond: Math.round(concurrent),
          shareOfRaw: Number((concurrent / raw.concurrent).toFixed(3)),
        },
      },
      history: { maxPoints: 1000, queries: HISTORY_QUERIES, pointsReturned: returned, p50Ms: Number(p50.toFixed(2)), p99Ms: Number(p99.toFixed(2)) },
      targets: { logMetricsShareOfRaw: 0.5, historyP50Ms: 50 },
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
