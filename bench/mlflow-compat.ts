/**
 * `npm run bench:mlflow-compat`: the same MLflow REST workload against
 * mlgate's MLflow API and against `mlflow server`, both storing in one
 * PostgreSQL server, in one run.
 *
 * 1. Logging: 100 runs × 10 metrics × 1,000 steps through `runs/log-batch`
 *    (1,000 metrics per call), 4 concurrent clients each logging its own
 *    runs: points/s of each, and the ratio (target ≥ 10×).
 * 2. Search: `runs/search` with a metric filter and a metric order over an
 *    experiment of 10,000 runs: p50 of each, and the ratio (target ≤ 1/5).
 *
 * Uses BENCH_DATABASE_URL, else starts PostgreSQL from Debian's binaries;
 * `mlflow server` from the pinned virtualenv. Writes bench/results/mlflow-compat.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import pg from 'pg'
import { type MlflowPeer, pythonPeersVenv, startMlflow } from '../test/peers/mlflow.js'
import { findPostgresBinDir, startPostgres } from '../test/peers/postgres.js'
import { freePort } from '../test/support/free-port.js'
import { mlflowApi } from '../test/support/mlflow-api.js'
import { percentile, startGatewayProcess } from './support/gateway-process.js'
import { KEYS, STEPS, createRuns, inLanes, loggingRate as loggingRateOver } from './support/mlflow-workload.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 100)
const CLIENTS = 4
const SEARCH_RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 10_000)
const SEARCH_SAMPLES = Number(process.env.BENCH_SEARCH_SAMPLES ?? 30)

type Rest = ReturnType<typeof mlflowApi>

const loggingRate = (rest: Rest, name: string) => loggingRateOver([rest], name, { runs: RUNS, clients: CLIENTS })

/**
 * 10,000 runs with an `acc` metric, then `runs/search` filtered and ordered by it: p50 and p99 in ms.
 * `analyze` brings the database's planner statistics up to date after the load, as
 * autovacuum does within a minute on a live server: the search is timed in that steady state.
 */
async function searchLatency(rest: Rest, name: string, analyze: () => Promise<void>): Promise<{ p50Ms: number; p99Ms: number; returned: number }> {
  const experimentId = await rest.createExperiment(`${name}-search-${Date.now()}`)
  const runIds = await createRuns(rest, experimentId, SEARCH_RUNS, 8)
  await inLanes(runIds.length, 8, async (index) => {
    await rest.logBatch(runIds[index], {
      metrics: [{ key: 'acc', value: ((index * 7919) % SEARCH_RUNS) / SEARCH_RUNS, timestamp: Date.now(), step: 0 }],
      params: { depth: String(index % 8) },
    })
  })
  await analyze()
  const request = { experiment_ids: [experimentId], filter: 'metrics.acc > 0.5', order_by: ['metrics.acc DESC'], max_results: 100 }
  const latencies: number[] = []
  let returned = 0
  for (let i = 0; i < SEARCH_SAMPLES + 3; i++) {
    const started = performance.now()
    const { runs } = await rest.post<{ runs: unknown[] }>('runs/search', request)
    if (i >= 3) latencies.push(performance.now() - started)
    returned = runs.length
  }
  latencies.sort((a, b) => a - b)
  return { p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), returned }
}

async function main() {
  let url = process.env.BENCH_DATABASE_URL
  let stopPostgres = () => {}
  if (!url) {
    const binDir = findPostgresBinDir()
    if (!binDir) throw new Error('no PostgreSQL: install postgresql or set BENCH_DATABASE_URL')
    const peer = startPostgres(binDir, await freePort(), { durable: true })
    url = peer.url
    stopPostgres = () => peer.stop()
  }
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query('drop database if exists mlflow_bench')
  await admin.query('create database mlflow_bench')
  await admin.end()
  const mlflowDatabase = new URL(url)
  mlflowDatabase.pathname = '/mlflow_bench'
  // SQLAlchemy knows the postgresql:// scheme only.
  const mlflowStoreUri = mlflowDatabase.toString().replace(/^postgres:/, 'postgresql:')

  const venv = pythonPeersVenv()
  if (!venv) throw new Error('no python3 for the MLflow server')
  let mlflow: MlflowPeer | null = null
  const gateway = await startGatewayProcess({ backends: [{ id: 'local', kind: 'native', database: url, schema: `bench_compat_${Date.now()}` }] })
  try {
    // MLflow's server with as many workers as cores; mlgate is one Node process.
    mlflow = await startMlflow(venv, await freePort(), { backendStoreUri: mlflowStoreUri, proxiedArtifacts: true, workers: cpus().length })
    const servers = { mlgate: mlflowApi(`http://127.0.0.1:${gateway.port}`), mlflow: mlflowApi(mlflow.url) }

    const logging: Record<string, number> = {}
    for (const [name, rest] of Object.entries(servers)) {
      console.log(`${name}: log-batch, ${RUNS} runs × ${KEYS} metrics × ${STEPS} steps, ${CLIENTS} clients...`)
      logging[name] = await loggingRate(rest, name)
      console.log(`  ${Math.round(logging[name]).toLocaleString()} points/s`)
    }
    const loggingRatio = logging.mlgate / logging.mlflow
    console.log(`  mlgate / mlflow: ${loggingRatio.toFixed(1)}× (target ≥ 10×)`)

    const search: Record<string, Awaited<ReturnType<typeof searchLatency>>> = {}
    for (const [name, rest] of Object.entries(servers)) {
      console.log(`${name}: runs/search (metric filter and order) over ${SEARCH_RUNS.toLocaleString()} runs, ${SEARCH_SAMPLES} samples...`)
      search[name] = await searchLatency(rest, name, () => analyzeDatabase(name === 'mlgate' ? url : mlflowDatabase.toString()))
      console.log(`  p50 ${search[name].p50Ms} ms, p99 ${search[name].p99Ms} ms, ${search[name].returned} runs per page`)
    }
    const searchRatio = search.mlgate.p50Ms / search.mlflow.p50Ms
    console.log(`  mlgate / mlflow p50: ${searchRatio.toFixed(3)} (target ≤ 0.2)`)

    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      workload: { runs: RUNS, metricsPerRun: KEYS, stepsPerMetric: STEPS, metricsPerCall: 1000, clients: CLIENTS, searchRuns: SEARCH_RUNS, searchSamples: SEARCH_SAMPLES },
      logging: { pointsPerSecond: { mlgate: Math.round(logging.mlgate), mlflow: Math.round(logging.mlflow) }, ratio: round(loggingRatio), target: '>= 10', met: loggingRatio >= 10 },
      search: { mlgate: search.mlgate, mlflow: search.mlflow, p50Ratio: Math.round(searchRatio * 1000) / 1000, target: '<= 0.2', met: searchRatio <= 0.2 },
    }
    mkdirSync('bench/results', { recursive: true })
    writeFileSync('bench/results/mlflow-compat.json', `${JSON.stringify(result, null, 2)}\n`)
    console.log('wrote bench/results/mlflow-compat.json')
  } finally {
    await Promise.all([gateway.stop(), mlflow?.stop()])
    stopPostgres()
  }
}

async function analyzeDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('analyze')
  } finally {
    await client.end()
  }
}

const round = (value: number) => Math.round(value * 100) / 100

await main()
