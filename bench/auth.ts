/**
 * `npm run bench:auth`: what identities and permissions cost, auth off
 * against auth on, in one run on one PostgreSQL (two gateway processes,
 * each its own schema, the same data):
 *
 * 1. The dashboard query (50 runs with params, latest metrics and their
 *    experiment, ordered by a metric) as a user whose READ grants cover half
 *    the experiments (auth on), and anonymously (auth off): p50.
 * 2. log-batch through the MLflow API, 4 clients of 1,000-point calls (in
 *    rounds alternating the sides), as a
 *    user with EDIT on the experiments they log to (on), anonymously (off): points/s.
 *
 * Target: p50 and throughput within 5% of auth off. Writes bench/results/auth.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { findPostgresBinDir, startPostgres } from '../test/peers/postgres.js'
import { freePort } from '../test/support/free-port.js'
import { percentile, startGatewayProcess } from './support/gateway-process.js'

const EXPERIMENTS = 10
const RUNS_PER_EXPERIMENT = 100
const KEYS = 20
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200)
const CLIENTS = 4
const BATCHES_PER_CLIENT = Number(process.env.BENCH_BATCHES ?? 100)
const LOGGING_ROUNDS = 3
const ADMIN = { username: 'admin', password: 'bench-admin-password' }
const USER = { username: 'analyst', password: 'bench-analyst-password' }

const basic = (credentials: { username: string; password: string }) => `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`

interface Side {
  name: 'off' | 'on'
  port: number
  /** The dashboard's and the training jobs' credentials (none with auth off). */
  authorization: Record<string, string>
}

async function call<T>(side: Side, path: string, body: unknown, authorization = side.authorization, version = '2.0'): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${side.port}/api/${version}/mlflow/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...authorization }, body: JSON.stringify(body) })
  const text = await response.text()
  if (!response.ok) throw new Error(`${side.name} ${path}: ${response.status} ${text.slice(0, 300)}`)
  return JSON.parse(text) as T
}

/** The same experiments, runs, params and metrics on a side; returns the experiment ids. */
async function seed(side: Side, adminAuthorization: Record<string, string>): Promise<string[]> {
  const experiments: string[] = []
  for (let e = 0; e < EXPERIMENTS; e++) {
    const { experiment_id } = await call<{ experiment_id: string }>(side, 'experiments/create', { name: `bench-${e}` }, adminAuthorization)
    experiments.push(experiment_id)
    await Promise.all(
      Array.from({ length: 8 }, async (_, lane) => {
        for (let r = lane; r < RUNS_PER_EXPERIMENT; r += 8) {
          const { run } = await call<{ run: { info: { run_id: string } } }>(side, 'runs/create', { experiment_id, run_name: `run-${e}-${r}`, start_time: Date.now() }, adminAuthorization)
          await call(side, 'runs/log-batch', {
            run_id: run.info.run_id,
            params: Array.from({ length: KEYS }, (_, k) => ({ key: `p${k}`, value: String((r * 31 + k) % 97) })),
            metrics: Array.from({ length: KEYS }, (_, k) => ({ key: `m${k}`, value: Math.sin(r + k), timestamp: Date.now(), step: 0 })),
          }, adminAuthorization)
        }
      }),
    )
  }
  return experiments
}

const DASHBOARD = `query Dashboard {
  runs(first: 50, orderBy: [{ field: METRIC, key: "m0", direction: DESC }]) {
    totalCount
    nodes { id name status startTime params { key value } metrics { key value step } experiment { name } }
  }
}`

async function dashboardP50(side: Side): Promise<{ p50Ms: number; runs: number }> {
  const samples: number[] = []
  let runs = 0
  for (let i = 0; i < SAMPLES + 20; i++) {
    const started = performance.now()
    const response = await fetch(`http://127.0.0.1:${side.port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...side.authorization }, body: JSON.stringify({ query: DASHBOARD }) })
    const body = (await response.json()) as { data?: { runs: { totalCount: number; nodes: unknown[] } }; errors?: unknown }
    if (!body.data) throw new Error(`${side.name} dashboard: ${JSON.stringify(body.errors)}`)
    if (i >= 20) samples.push(performance.now() - started)
    runs = body.data.runs.totalCount
  }
  samples.sort((a, b) => a - b)
  return { p50Ms: Number(percentile(samples, 50).toFixed(2)), runs }
}

async function loggingRate(side: Side, experimentId: string, adminAuthorization: Record<string, string>): Promise<number> {
  const runIds = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => (await call<{ run: { info: { run_id: string } } }>(side, 'runs/create', { experiment_id: experimentId, run_name: `job-${client}` }, adminAuthorization)).run.info.run_id),
  )
  const started = performance.now()
  await Promise.all(
    runIds.map(async (runId) => {
      for (let batch = 0; batch < BATCHES_PER_CLIENT; batch++) {
        const timestamp = Date.now()
        const metrics = []
        for (let step = batch * 50; step < (batch + 1) * 50; step++) for (let key = 0; key < KEYS; key++) metrics.push({ key: `m${key}`, value: Math.cos(step + key), timestamp, step })
        await call(side, 'runs/log-batch', { run_id: runId, metrics })
      }
    }),
  )
  return (CLIENTS * BATCHES_PER_CLIENT * 1000) / ((performance.now() - started) / 1000)
}

async function main() {
  const binDir = findPostgresBinDir()
  if (!binDir) throw new Error('needs PostgreSQL binaries (Debian postgresql)')
  const postgres = startPostgres(binDir, await freePort(), { durable: true })
  const adminAuthorization = { authorization: basic(ADMIN) }
  // The dashboard refreshes as fast as it can: a budget for that, on both sides (this measures auth, not the budget).
  const limits = { queryCostPerClientPerMinute: 1_000_000_000 }
  const off = await startGatewayProcess({ backends: [{ id: 'local', kind: 'native', database: postgres.url, schema: 'bench_auth_off' }], limits })
  const on = await startGatewayProcess({
    backends: [{ id: 'local', kind: 'native', database: postgres.url, schema: 'bench_auth_on' }],
    auth: { admin: ADMIN, defaultPermission: 'NO_PERMISSIONS' },
    limits,
  })
  try {
    const sides: Side[] = [
      { name: 'off', port: off.port, authorization: {} },
      { name: 'on', port: on.port, authorization: { authorization: basic(USER) } },
    ]
    console.log(`seeding ${EXPERIMENTS} experiments × ${RUNS_PER_EXPERIMENT} runs × ${KEYS} params and metrics on each side...`)
    const experiments = { off: await seed(sides[0], {}), on: await seed(sides[1], adminAuthorization) }
    await call(sides[1], 'users/create', USER, adminAuthorization)
    // READ on half the experiments; EDIT on the one the training jobs log to.
    for (const id of experiments.on.slice(0, EXPERIMENTS / 2)) {
      await call(sides[1], 'users/permissions/grant', { username: USER.username, resource_type: 'experiment', resource_id: id, permission: 'READ' }, adminAuthorization, '3.0')
    }
    const logTo = { off: experiments.off[0], on: experiments.on[0] }
    await call(sides[1], 'users/permissions/grant', { username: USER.username, resource_type: 'experiment', resource_id: logTo.on, permission: 'EDIT' }, adminAuthorization, '3.0')

    console.log(`dashboard query, ${SAMPLES} samples each (alternating sides)...`)
    // Interleaved halves, so drift on the machine falls on both sides alike.
    const dashboard = { off: { p50Ms: 0, runs: 0 }, on: { p50Ms: 0, runs: 0 } }
    const first = { off: await dashboardP50(sides[0]), on: await dashboardP50(sides[1]) }
    const second = { on: await dashboardP50(sides[1]), off: await dashboardP50(sides[0]) }
    for (const name of ['off', 'on'] as const) dashboard[name] = { p50Ms: Number(((first[name].p50Ms + second[name].p50Ms) / 2).toFixed(2)), runs: first[name].runs }
    console.log(`  off p50 ${dashboard.off.p50Ms} ms (${dashboard.off.runs} runs), on p50 ${dashboard.on.p50Ms} ms (${dashboard.on.runs} runs visible): ${(dashboard.on.p50Ms / dashboard.off.p50Ms).toFixed(3)}x (target ≤ 1.05)`)

    console.log(`log-batch, ${CLIENTS} clients × ${BATCHES_PER_CLIENT} calls of 1,000 points, ${LOGGING_ROUNDS} rounds of off, on, on, off...`)
    // Rounds of off, on, on, off: the machine's drift (other processes, the disk's flushes) falls on both sides alike.
    const rates = { off: [] as number[], on: [] as number[] }
    for (let round = 0; round < LOGGING_ROUNDS; round++) {
      rates.off.push(await loggingRate(sides[0], logTo.off, {}))
      rates.on.push(await loggingRate(sides[1], logTo.on, adminAuthorization))
      rates.on.push(await loggingRate(sides[1], logTo.on, adminAuthorization))
      rates.off.push(await loggingRate(sides[0], logTo.off, {}))
    }
    const mean = (values: number[]) => Math.round(values.reduce((sum, value) => sum + value, 0) / values.length)
    const logging = { off: mean(rates.off), on: mean(rates.on) }
    console.log(`  off ${logging.off.toLocaleString('en')} points/s, on ${logging.on.toLocaleString('en')} points/s: ${(logging.on / logging.off).toFixed(3)} (target ≥ 0.95)`)

    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      shape: { experiments: EXPERIMENTS, runsPerExperiment: RUNS_PER_EXPERIMENT, keys: KEYS, samples: SAMPLES, clients: CLIENTS, batchesPerClient: BATCHES_PER_CLIENT, loggingRounds: LOGGING_ROUNDS },
      dashboard: { ...dashboard, ratio: Number((dashboard.on.p50Ms / dashboard.off.p50Ms).toFixed(3)), target: '<= 1.05' },
      logBatch: { pointsPerSecond: logging, ratio: Number((logging.on / logging.off).toFixed(3)), target: '>= 0.95' },
    }
    mkdirSync('bench/results', { recursive: true })
    writeFileSync('bench/results/auth.json', `${JSON.stringify(result, null, 2)}\n`)
    console.log('wrote bench/results/auth.json')
  } finally {
    await Promise.all([off.stop(), on.stop()])
    postgres.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
