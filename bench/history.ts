/**
 * `npm run bench:history`: a comparison chart's query on a real PostgreSQL
 * server: `metricHistory(maxPoints: 1000)` of 20 runs holding 1,000,000
 * points each, in one GraphQL request: the dashboard's Compare view's own
 * query (DashboardSeries: `nodes(ids)`, each series as columns).
 *
 * The series are logged through the gateway (logMetricSeries, four clients);
 * a second gateway process reads them (timed), and a third reads them
 * through a loopback proxy that counts the statements PostgreSQL receives,
 * so the figure beside the latency is how many statements one request
 * costs (targets: p50 ≤ 100 ms; one batch rather than 20 series' worth: the
 * runs' lookup, the series' sizes and ends, their points).
 *
 * Uses BENCH_DATABASE_URL or TEST_DATABASE_URL, else starts a private
 * PostgreSQL. BENCH_HISTORY_POINTS sets the points per run (default
 * 1,000,000). Writes bench/results/history.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { print } from 'graphql'
import pg from 'pg'
import { findPostgresBinDir, startPostgres } from '../test/peers/postgres.js'
import { DashboardSeriesDocument } from '../test/generated/graphql.js'
import { freePort } from '../test/support/free-port.js'
import { startPgQueryCounter } from '../test/support/pg-query-counter.js'
import { graphqlClient, percentile, startGatewayProcess } from './support/gateway-process.js'

const RUNS = 20
const POINTS = Number(process.env.BENCH_HISTORY_POINTS ?? 1_000_000)
const BATCH = 1000
const LANES = 4
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50)

async function main() {
  let url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
  let stop = () => {}
  if (!url) {
    const binDir = findPostgresBinDir()
    if (!binDir) throw new Error('no PostgreSQL: install postgresql or set BENCH_DATABASE_URL')
    const peer = startPostgres(binDir, await freePort())
    url = peer.url
    stop = () => peer.stop()
  }
  try {
    const admin = new pg.Pool({ connectionString: url, max: 1 })
    await admin.query('drop schema if exists bench_history cascade')
    const backend = { id: 'local', kind: 'native', database: url, schema: 'bench_history' }

    // Logging: 20 runs × POINTS through the gateway, four clients.
    const writer = await startGatewayProcess({ backends: [backend] })
    const write = graphqlClient(writer.port)
    const experiment = (await write<{ createExperiment: { id: string } }>('mutation { createExperiment(input: { name: "bench-history" }) { id } }')).createExperiment.id
    const runIds: string[] = []
    for (let i = 0; i < RUNS; i++) {
      runIds.push((await write<{ createRun: { id: string } }>('mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: experiment })).createRun.id)
    }
    console.log(`logging ${RUNS} runs × ${POINTS.toLocaleString()} points through logMetricSeries (${LANES} clients)...`)
    const started = performance.now()
    const batches = RUNS * (POINTS / BATCH)
    let next = 0
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        while (next < batches) {
          const index = next++
          const runId = runIds[index % RUNS]
          const first = Math.floor(index / RUNS) * BATCH
          const steps = Array.from({ length: BATCH }, (_, j) => first + j)
          // A training curve with noise and the odd spike, different per run.
          const values = steps.map((step) => Math.exp(-step / 200_000) + Math.sin(step / 997 + index) / 50 + (step % 99_991 === 0 ? 5 : 0))
          await write('mutation ($r: ID!, $s: [Int!]!, $v: [MetricValue!]!) { logMetricSeries(runId: $r, key: "loss", steps: $s, values: $v) { points } }', { r: runId, s: steps, v: values })
        }
      }),
    )
    console.log(`  ${Math.round((RUNS * POINTS) / ((performance.now() - started) / 1000)).toLocaleString()} points/s`)
    await writer.stop()
    // The reads are timed on a settled database: the load's dirty pages written (a checkpoint, where
    // the role may ask for one) and the tables vacuumed, so no background flush of 20 million rows'
    // writes, and no first read's hint-bit writes, land inside the timed requests.
    await admin.query('vacuum analyze bench_history.metrics, bench_history.metric_rollups')
    await admin.query('checkpoint').catch(() => undefined)
    await admin.end()

    // Reading: the dashboard's own query for all 20 series (its columns:
    // steps, values, timestamps), timed on a direct connection; then the same
    // request's statements, counted by a gateway that reaches PostgreSQL
    // through a counting proxy (which copies every row, so it is not timed).
    const query = print(DashboardSeriesDocument)
    const variables = { ids: runIds, key: 'loss', maxPoints: 1000 }
    type Answer = { nodes: { id: string; metricHistory: { totalPoints: number; sampled: boolean; steps: number[]; values: unknown[]; timestamps: string[] } }[] }
    const check = (answer: Answer) => {
      for (const node of answer.nodes) {
        const series = node.metricHistory
        if (series.totalPoints !== POINTS || !series.sampled) throw new Error(`run ${node.id}: ${series.totalPoints} points, sampled ${series.sampled}`)
        if (series.values.length !== series.steps.length || series.timestamps.length !== series.steps.length) throw new Error(`run ${node.id}: uneven columns`)
      }
      return answer.nodes.reduce((sum, node) => sum + node.metricHistory.steps.length, 0)
    }
    const reader = await startGatewayProcess({ backends: [backend] })
    const read = graphqlClient(reader.port)
    console.log(`metricHistory(maxPoints: 1000) of ${RUNS} runs in one request, ${SAMPLES} requests...`)
    const latencies: number[] = []
    let pointsReturned = 0
    for (let i = 0; i < SAMPLES + 5; i++) {
      const t0 = performance.now()
      const answer = await read<Answer>(query, variables)
      const ms = performance.now() - t0
      pointsReturned = check(answer)
      // The first requests warm the caches (and the run lookups' plans).
      if (i >= 5) latencies.push(ms)
    }
    await reader.stop()
    const server = new URL(url)
    const counter = await startPgQueryCounter(server.hostname, Number(server.port))
    const counted = new URL(url)
    counted.port = String(counter.port)
    const countingReader = await startGatewayProcess({ backends: [{ ...backend, database: counted.toString() }] })
    const countedRead = graphqlClient(countingReader.port)
    const statements: number[] = []
    for (let i = 0; i < 10; i++) {
      const before = counter.queries
      check(await countedRead<Answer>(query, variables))
      if (i >= 2) statements.push(counter.queries - before)
    }
    await countingReader.stop()
    await counter.close()
    latencies.sort((a, b) => a - b)
    statements.sort((a, b) => a - b)
    const p50 = percentile(latencies, 50)
    const p99 = percentile(latencies, 99)
    const statementsPerRequest = percentile(statements, 50)
    console.log(`  p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ${pointsReturned} points returned, ${statementsPerRequest} statements per request`)

    const result = {
      benchmark: 'history',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      runs: RUNS,
      pointsPerRun: POINTS,
      samples: SAMPLES,
      request: { p50Ms: Number(p50.toFixed(2)), p99Ms: Number(p99.toFixed(2)), pointsReturned, statementsPerRequest },
      targets: { p50Ms: 100, statementsPerRequest: 3 },
    }
    mkdirSync('bench/results', { recursive: true })
    writeFileSync('bench/results/history.json', `${JSON.stringify(result, null, 2)}\n`)
    console.log('wrote bench/results/history.json')
  } finally {
    stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
