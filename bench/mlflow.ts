/**
 * `npm run bench:mlflow`: the MLflow adapter against the same MLflow server,
 * in one run.
 *
 * 1. p50/p99 of `run(id)` through mlgate vs the direct `runs/get` REST call
 *    (target: ≤ 1.15×).
 * 2. HTTP calls reaching the server for a dashboard-shaped query (50 runs
 *    with params, latest metrics and experiment): mlgate vs a naive
 *    per-field client (target: ≤ 3 vs ≥ 51), counted at a loopback proxy.
 *
 * Uses BENCH_MLFLOW_URL or TEST_MLFLOW_URL, else starts `mlflow server` from
 * the pinned virtualenv. Writes bench/results/mlflow.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { type MlflowPeer, pythonPeersVenv, startMlflow } from '../test/peers/mlflow.js'
import { startHttpProxy } from '../test/support/http-proxy.js'
import { mlflowApi } from '../test/support/mlflow-api.js'
import { graphqlClient, percentile, startGatewayProcess } from './support/gateway-process.js'
import { freePort } from '../test/support/free-port.js'

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300)

async function main() {
  let peer: MlflowPeer | null = null
  let url = process.env.BENCH_MLFLOW_URL ?? process.env.TEST_MLFLOW_URL
  if (!url) {
    const venv = pythonPeersVenv()
    if (!venv) throw new Error('no python3 for the MLflow server: set BENCH_MLFLOW_URL')
    peer = await startMlflow(venv, await freePort())
    url = peer.url
  }
  const proxy = await startHttpProxy(url)
  const gateway = await startGatewayProcess({
    backends: [
      { id: 'direct', kind: 'mlflow', url },
      { id: 'counted', kind: 'mlflow', url: proxy.url },
    ],
  })
  try {
    const api = mlflowApi(url)
    const experimentId = await api.createExperiment(`bench-${Date.now()}`)
    const runIds: string[] = []
    for (let i = 0; i < 50; i++) {
      const id = await api.createRun(experimentId, { name: `run-${i}` })
      await api.logBatch(id, {
        metrics: ['loss', 'acc', 'f1'].map((key) => ({ key, value: Math.random(), step: 10 })),
        params: { lr: '0.01', batch: '32', depth: String(i % 8), optimizer: 'adam', seed: String(i) },
        tags: { team: 'vision' },
      })
      runIds.push(id)
    }
    const graphql = graphqlClient(gateway.port)

    console.log(`run(id): mlgate vs runs/get, ${SAMPLES} samples each, interleaved...`)
    const runQuery = 'query ($id: ID!) { run(id: $id) { id name status params { key value } tags { key value } metrics { key value step } } }'
    const viaGateway: number[] = []
    const direct: number[] = []
    for (let i = 0; i < SAMPLES + 20; i++) {
      const runId = runIds[i % runIds.length]
      let t = performance.now()
      await graphql(runQuery, { id: `Run:direct:${runId}` })
      const gatewayMs = performance.now() - t
      t = performance.now()
      await api.get('runs/get', { run_id: runId })
      const directMs = performance.now() - t
      if (i >= 20) {
        viaGateway.push(gatewayMs)
        direct.push(directMs)
      }
    }
    viaGateway.sort((a, b) => a - b)
    direct.sort((a, b) => a - b)
    const latency = {
      gateway: { p50Ms: round(percentile(viaGateway, 50)), p99Ms: round(percentile(viaGateway, 99)) },
      direct: { p50Ms: round(percentile(direct, 50)), p99Ms: round(percentile(direct, 99)) },
    }
    const ratio = latency.gateway.p50Ms / latency.direct.p50Ms
    console.log(`  mlgate p50 ${latency.gateway.p50Ms} ms, p99 ${latency.gateway.p99Ms} ms`)
    console.log(`  direct p50 ${latency.direct.p50Ms} ms, p99 ${latency.direct.p99Ms} ms (p50 ratio ${ratio.toFixed(2)}x)`)

    console.log('dashboard query (50 runs, params, latest metrics, experiment): HTTP calls reaching MLflow...')
    proxy.requests.length = 0
    const dashboard = await graphql<{ runs: { nodes: unknown[] } }>(
      `query ($e: ID!) { runs(experimentIds: [$e], first: 50) { nodes { id name params { key value } metrics { key value } experiment { id name } } } }`,
      { e: `Experiment:counted:${experimentId}` },
    )
    if (dashboard.runs.nodes.length !== 50) throw new Error(`expected 50 runs, got ${dashboard.runs.nodes.length}`)
    const gatewayCalls = proxy.requests.length
    // The naive client: one search for the list, then the experiment of each run, field by field.
    proxy.requests.length = 0
    const naive = mlflowApi(proxy.url)
    const listed = await naive.searchRunIds([experimentId])
    for (const runId of listed.slice(0, 50)) {
      const { run } = await naive.get<{ run: { info: { experiment_id: string } } }>('runs/get', { run_id: runId })
      await naive.get('experiments/get', { experiment_id: run.info.experiment_id })
    }
    const naiveCalls = proxy.requests.length
    console.log(`  mlgate ${gatewayCalls} calls, naive per-field client ${naiveCalls} calls`)

    const result = {
      benchmark: 'mlflow',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      runById: { samples: SAMPLES, ...latency, p50Ratio: Number(ratio.toFixed(3)) },
      dashboardQuery: { runs: 50, gatewayCalls, naiveCalls },
      targets: { p50Ratio: 1.15, gatewayCalls: 3, naiveCallsAtLeast: 51 },
    }
    mkdirSync('bench/results', { recursive: true })
    writeFileSync('bench/results/mlflow.json', `${JSON.stringify(result, null, 2)}\n`)
    console.log('wrote bench/results/mlflow.json')
  } finally {
    await gateway.stop()
    await proxy.close()
    await peer?.stop()
  }
}

const round = (ms: number) => Number(ms.toFixed(2))

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
