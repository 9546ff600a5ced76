/**
 * `npm run bench:mlflow`: the MLflow adapter against the same MLflow server,
 * in one run.
 *
 * 1. p50/p99 of `run(id)` through mlgate vs the direct `runs/get` REST call
 *    (target: ≤ 1.15×). Beside them, in the same interleaved loop, the floor
 *    any gateway of this stack stands on: a process that answers a fixed
 *    body (one more HTTP hop, nothing else) and a bare graphql-yoga server
 *    answering `{ __typename }` (the hop and yoga's own minimum, no plugins,
 *    no upstream call). A gateway can be no faster than MLflow plus the latter.
 * 2. HTTP calls reaching the server for a dashboard-shaped query (50 runs
 *    with params, latest metrics and experiment): mlgate vs a naive
 *    per-field client (target: ≤ 3 vs ≥ 51), counted at a loopback proxy.
 *
 * Uses BENCH_MLFLOW_URL or TEST_MLFLOW_URL, else starts `mlflow server` from
 * the pinned virtualenv. Writes bench/results/mlflow.json.
 */
import { spawn } from 'node:child_process'
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
    const floors = await startFloorServers()

    console.log(`run(id): mlgate vs runs/get, ${SAMPLES} samples each, interleaved (with the hop and bare-yoga floors)...`)
    const runQuery = 'query ($id: ID!) { run(id: $id) { id name status params { key value } tags { key value } metrics { key value step } } }'
    const hop = graphqlClient(floors.hopPort)
    const bareYoga = graphqlClient(floors.yogaPort)
    const samples = { gateway: [] as number[], direct: [] as number[], hop: [] as number[], bareYoga: [] as number[] }
    const timed = async (into: number[], keep: boolean, call: () => Promise<unknown>) => {
      const t = performance.now()
      await call()
      if (keep) into.push(performance.now() - t)
    }
    for (let i = 0; i < SAMPLES + 20; i++) {
      const runId = runIds[i % runIds.length]
      const keep = i >= 20
      await timed(samples.gateway, keep, () => graphql(runQuery, { id: `Run:direct:${runId}` }))
      await timed(samples.direct, keep, () => api.get('runs/get', { run_id: runId }))
      await timed(samples.hop, keep, () => hop('{ __typename }'))
      await timed(samples.bareYoga, keep, () => bareYoga('{ __typename }'))
    }
    floors.stop()
    const summary = (sorted: number[]) => ({ p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)) })
    for (const list of Object.values(samples)) list.sort((a, b) => a - b)
    const latency = { gateway: summary(samples.gateway), direct: summary(samples.direct) }
    const floor = { hopP50Ms: summary(samples.hop).p50Ms, bareYogaP50Ms: summary(samples.bareYoga).p50Ms }
    const ratio = latency.gateway.p50Ms / latency.direct.p50Ms
    const floorRatio = (latency.direct.p50Ms + floor.bareYogaP50Ms) / latency.direct.p50Ms
    console.log(`  mlgate p50 ${latency.gateway.p50Ms} ms, p99 ${latency.gateway.p99Ms} ms`)
    console.log(`  direct p50 ${latency.direct.p50Ms} ms, p99 ${latency.direct.p99Ms} ms (p50 ratio ${ratio.toFixed(2)}x)`)
    console.log(`  floor: a bare hop ${floor.hopP50Ms} ms, a bare yoga ${floor.bareYogaP50Ms} ms (MLflow plus a bare yoga: ratio ${floorRatio.toFixed(2)}x)`)

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
      runById: { samples: SAMPLES, ...latency, p50Ratio: Number(ratio.toFixed(3)), floor: { ...floor, p50Ratio: Number(floorRatio.toFixed(3)) } },
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

/**
 * The two floors, each its own process as the gateway is: a Node HTTP server
 * that answers every request with a fixed GraphQL result, and graphql-yoga
 * with a one-field schema and its defaults. Each prints its port.
 */
async function startFloorServers(): Promise<{ hopPort: number; yogaPort: number; stop(): void }> {
  const listen = `server.listen(0, '127.0.0.1', () => console.log(server.address().port))`
  const programs = [
    `const server = require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end('{"data":{"__typename":"Query"}}') }) }); ${listen}`,
    `const { createSchema, createYoga } = require('graphql-yoga'); const server = require('node:http').createServer(createYoga({ schema: createSchema({ typeDefs: 'type Query { ok: Boolean }' }), logging: false, landingPage: false })); ${listen}`,
  ]
  const children = programs.map((program) => spawn(process.execPath, ['-e', program], { stdio: ['ignore', 'pipe', 'inherit'] }))
  const ports = await Promise.all(
    children.map(
      (child) =>
        new Promise<number>((resolve, reject) => {
          child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())))
          child.once('exit', (code) => reject(new Error(`a floor server exited (${code})`)))
        }),
    ),
  )
  return { hopPort: ports[0], yogaPort: ports[1], stop: () => children.forEach((child) => child.kill()) }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
