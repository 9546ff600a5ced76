/**
 * `npm run bench:federation`: the cost of federating.
 *
 * 1. p50 of `runs(first: 50, orderBy: METRIC)` across the native store (a
 *    real PostgreSQL) and a real MLflow server, against the slower of the two
 *    queried alone through mlgate (target: ≤ 1.2×).
 * 2. The dashboard's runs table (its own query, schema/operations/dashboard):
 *    50 runs with 20 params and 20 latest metrics each, across both, against
 *    the slower backend's table alone (target: ≤ 1.2×).
 * 3. The first query with the MLflow backend blackholed (a listener that
 *    accepts and never answers): it must answer within timeoutMs + 10%.
 *
 * Writes bench/results/federation.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus } from 'node:os'
import { print } from 'graphql'
import { pythonPeersVenv, startMlflow } from '../test/peers/mlflow.js'
import { findPostgresBinDir, startPostgres } from '../test/peers/postgres.js'
import { freePort } from '../test/support/free-port.js'
import { mlflowApi } from '../test/support/mlflow-api.js'
import { DashboardRunsDocument } from '../test/generated/graphql.js'
import { graphqlClient, percentile, startGatewayProcess } from './support/gateway-process.js'

const RUNS_PER_BACKEND = 200
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100)
const BLACKHOLE_TIMEOUT_MS = 2000
/** The dashboard table's shape: runs per backend, and params and metrics per run. */
const TABLE = { runs: 50, columns: 20 }

async function main() {
  const binDir = findPostgresBinDir()
  const venv = pythonPeersVenv()
  if (!binDir || !venv) throw new Error('needs PostgreSQL binaries and python3 for the MLflow server')
  const postgres = startPostgres(binDir, await freePort(), { durable: true })
  const mlflow = await startMlflow(venv, await freePort())
  // Accepts connections and never answers: the worst kind of failing backend.
  const blackhole = createServer(() => {})
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve))
  const blackholePort = (blackhole.address() as { port: number }).port
  const gateway = await startGatewayProcess({
    // Requests back to back for minutes: a budget and a heavy lane for that (this measures federation, not the limits).
    limits: { queryCostPerClientPerMinute: 1_000_000_000, heavyQueryCost: 1_000_000 },
    backends: [
      { id: 'local', kind: 'native', database: postgres.url, schema: 'bench_federation' },
      { id: 'lab', kind: 'mlflow', url: mlflow.url, readOnly: false },
      // A breaker that never opens, so every sample waits out the timeout (the worst case).
      { id: 'hole', kind: 'mlflow', url: `http://127.0.0.1:${blackholePort}`, timeoutMs: BLACKHOLE_TIMEOUT_MS, circuitBreaker: { failureThreshold: 1_000_000, openMs: 0 } },
    ],
  })
  try {
    const graphql = graphqlClient(gateway.port)
    const api = mlflowApi(mlflow.url)
    console.log(`seeding ${RUNS_PER_BACKEND} runs in each backend...`)
    const native = await graphql<{ createExperiment: { id: string } }>('mutation { createExperiment(input: { name: "fed" }) { id } }')
    const remoteExperiment = await api.createExperiment('fed')
    for (let i = 0; i < RUNS_PER_BACKEND; i++) {
      const { createRun } = await graphql<{ createRun: { id: string } }>(
        'mutation ($e: ID!, $p: [ParamInput!]) { createRun(input: { experimentId: $e, params: $p }) { id } }',
        { e: native.createExperiment.id, p: [{ key: 'i', value: String(i) }] },
      )
      await graphql('mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { id } }', { r: createRun.id, m: [{ key: 'acc', value: Math.random(), step: 1 }] })
      const remote = await api.createRun(remoteExperiment, { name: `r${i}` })
      await api.logBatch(remote, { metrics: [{ key: 'acc', value: Math.random(), step: 1 }], params: { i: String(i) } })
    }

    const query = `query ($b: [ID!]) { runs(backends: $b, first: 50, orderBy: [{ field: METRIC, key: "acc", direction: DESC }]) {
      nodes { id name params { key value } metrics { key value } } } }`
    /** p50 of a query answering 50 runs, after 10 warm-up requests. */
    const time = async (text: string, variables: Record<string, unknown>) => {
      const samples: number[] = []
      for (let i = 0; i < SAMPLES + 10; i++) {
        const started = performance.now()
        const data = await graphql<{ runs: { nodes: unknown[] } }>(text, variables)
        if (i >= 10) samples.push(performance.now() - started)
        if (data.runs.nodes.length !== 50) throw new Error(`expected 50 runs for ${JSON.stringify(variables)}`)
      }
      samples.sort((a, b) => a - b)
      return Number(percentile(samples, 50).toFixed(2))
    }
    console.log(`runs(first: 50, orderBy: METRIC): ${SAMPLES} samples each...`)
    const alone = { local: await time(query, { b: ['local'] }), lab: await time(query, { b: ['lab'] }) }
    const both = await time(query, { b: ['local', 'lab'] })
    const slower = Math.max(alone.local, alone.lab)
    console.log(`  native alone p50 ${alone.local} ms, MLflow alone p50 ${alone.lab} ms, both merged p50 ${both} ms (${(both / slower).toFixed(2)}x the slower)`)

    console.log(`the dashboard's table: ${TABLE.runs} runs per backend with ${TABLE.columns} params and ${TABLE.columns} metrics each...`)
    const keys = (prefix: string) => Array.from({ length: TABLE.columns }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`)
    const tableExperiments = {
      local: (await graphql<{ createExperiment: { id: string } }>('mutation { createExperiment(input: { name: "table" }) { id } }')).createExperiment.id,
      lab: `Experiment:lab:${await api.createExperiment('table')}`,
    }
    for (let i = 0; i < TABLE.runs; i++) {
      const params = Object.fromEntries(keys('p').map((key) => [key, `${key}-${i}`]))
      const metrics = keys('m').map((key) => ({ key, value: Math.random(), step: 1 }))
      const { createRun } = await graphql<{ createRun: { id: string } }>('mutation ($e: ID!, $p: [ParamInput!]) { createRun(input: { experimentId: $e, params: $p }) { id } }', {
        e: tableExperiments.local,
        p: Object.entries(params).map(([key, value]) => ({ key, value })),
      })
      await graphql('mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { id } }', { r: createRun.id, m: metrics })
      const remote = await api.createRun(tableExperiments.lab.split(':')[2], { name: `t${i}` })
      await api.logBatch(remote, { metrics, params })
    }
    const table = print(DashboardRunsDocument)
    const tableOf = (experimentIds: string[]) => ({ experimentIds, first: 50, orderBy: [{ field: 'START_TIME', direction: 'DESC' }], paramKeys: keys('p'), metricKeys: keys('m') })
    const tableAlone = { local: await time(table, tableOf([tableExperiments.local])), lab: await time(table, tableOf([tableExperiments.lab])) }
    const tableBoth = await time(table, tableOf([tableExperiments.local, tableExperiments.lab]))
    const tableSlower = Math.max(tableAlone.local, tableAlone.lab)
    console.log(`  native alone p50 ${tableAlone.local} ms, MLflow alone p50 ${tableAlone.lab} ms, both merged p50 ${tableBoth} ms (${(tableBoth / tableSlower).toFixed(2)}x the slower)`)

    console.log(`the same with a blackholed MLflow backend (timeoutMs ${BLACKHOLE_TIMEOUT_MS})...`)
    const blackholed: number[] = []
    for (let i = 0; i < 5; i++) {
      const started = performance.now()
      const response = await fetch(`http://127.0.0.1:${gateway.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables: { b: ['local', 'hole'] } }),
      })
      const body = (await response.json()) as { data?: { runs: { nodes: unknown[] } }; errors?: { extensions?: { code?: string } }[] }
      blackholed.push(performance.now() - started)
      if (body.data?.runs.nodes.length !== 50 || body.errors?.[0]?.extensions?.code !== 'BACKEND_TIMEOUT') throw new Error(`unexpected: ${JSON.stringify(body.errors)}`)
    }
    const worst = Math.max(...blackholed)
    console.log(`  answered in ${blackholed.map((ms) => ms.toFixed(0)).join(', ')} ms (worst ${(worst / BLACKHOLE_TIMEOUT_MS).toFixed(3)}x timeoutMs), native's 50 runs plus BACKEND_TIMEOUT`)

    const result = {
      benchmark: 'federation',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      runsPerBackend: RUNS_PER_BACKEND,
      merged: { samples: SAMPLES, nativeAloneP50Ms: alone.local, mlflowAloneP50Ms: alone.lab, mergedP50Ms: both, ratioToSlower: Number((both / slower).toFixed(3)) },
      table: {
        ...TABLE,
        samples: SAMPLES,
        nativeAloneP50Ms: tableAlone.local,
        mlflowAloneP50Ms: tableAlone.lab,
        mergedP50Ms: tableBoth,
        ratioToSlower: Number((tableBoth / tableSlower).toFixed(3)),
      },
      blackholed: { timeoutMs: BLACKHOLE_TIMEOUT_MS, latenciesMs: blackholed.map((ms) => Number(ms.toFixed(1))), worstRatioToTimeout: Number((worst / BLACKHOLE_TIMEOUT_MS).toFixed(3)) },
      targets: { ratioToSlower: 1.2, tableRatioToSlower: 1.2, worstRatioToTimeout: 1.1 },
    }
    mkdirSync('bench/results', { recursive: true })
    writeFileSync('bench/results/federation.json', `${JSON.stringify(result, null, 2)}\n`)
    console.log('wrote bench/results/federation.json')
  } finally {
    await gateway.stop()
    blackhole.close()
    await mlflow.stop()
    postgres.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
