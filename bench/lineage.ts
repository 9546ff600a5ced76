/**
 * `npm run bench:lineage`: lineage five levels deep over a graph of about
 * 10,000 nodes spread over a native store (a real PostgreSQL), a real
 * MLflow server and moto's SageMaker, with each backend's calls counted at
 * the peers (loopback proxies; PostgreSQL's statements at a counting proxy).
 *
 * The graph: an MLflow model with VERSIONS versions, each produced by a run
 * (half MLflow's, half native) and tied to a SageMaker package that names
 * the same run; runs have parents (chains of three) and DATASETS_PER_RUN
 * datasets each. The walk starts at one run: its version, parent, datasets
 * and experiment; then the model and the package; then every version; then
 * every run and package; then every dataset (the node limit, 5,000, ends it).
 * Targets: at most 4 calls per backend per level; its p50 is reported.
 *
 * BENCH_VERBOSE=1 lists each walk's calls. Writes bench/results/lineage.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { print } from 'graphql'
import { pythonPeersVenv, startMlflow } from '../test/peers/mlflow.js'
import { startMoto } from '../test/peers/moto.js'
import { findPostgresBinDir, startPostgres } from '../test/peers/postgres.js'
import { LineageDocument } from '../test/generated/graphql.js'
import { freePort } from '../test/support/free-port.js'
import { startHttpProxy } from '../test/support/http-proxy.js'
import { mlflowApi } from '../test/support/mlflow-api.js'
import { startPgQueryCounter } from '../test/support/pg-query-counter.js'
import { sagemakerApi, sagemakerBackendConfig } from '../test/support/sagemaker-api.js'
import { graphqlClient, percentile, startGatewayProcess } from './support/gateway-process.js'

const VERSIONS = 700
const DATASETS_PER_RUN = 11
const PARENTS = 70
const DEPTH = 5
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 10)

async function main() {
  const binDir = findPostgresBinDir()
  const venv = pythonPeersVenv()
  if (!binDir || !venv) throw new Error('needs PostgreSQL binaries and python3 for the MLflow server and moto')
  const postgres = startPostgres(binDir, await freePort())
  const mlflow = await startMlflow(venv, await freePort())
  const moto = await startMoto(venv, await freePort())
  const mlflowProxy = await startHttpProxy(mlflow.url)
  const motoProxy = await startHttpProxy(moto.url)
  const server = new URL(postgres.url)
  const statements = await startPgQueryCounter(server.hostname, Number(server.port))
  const counted = new URL(postgres.url)
  counted.port = String(statements.port)
  const gateway = await startGatewayProcess({
    backends: [
      { id: 'local', kind: 'native', database: counted.toString(), schema: 'bench_lineage' },
      { id: 'ml', kind: 'mlflow', url: mlflowProxy.url, readOnly: false },
      sagemakerBackendConfig(motoProxy.url, 'sm'),
    ],
  })
  const sagemaker = sagemakerApi(moto.url)
  try {
    const graphql = graphqlClient(gateway.port)
    const api = mlflowApi(mlflow.url)
    console.log(`building the graph: ${VERSIONS} versions, runs and packages, ${PARENTS} parents, ${DATASETS_PER_RUN} datasets a run...`)
    const nativeExperiment = (await graphql<{ createExperiment: { id: string } }>('mutation { createExperiment(input: { name: "lineage" }) { id } }')).createExperiment.id
    const mlflowExperiment = await api.createExperiment('lineage')
    const grandparents = { ml: await api.createRun(mlflowExperiment, { name: 'sweep' }), local: '' }
    grandparents.local = (
      await graphql<{ createRun: { nativeId: string } }>('mutation ($e: ID!) { createRun(input: { experimentId: $e, name: "sweep" }) { nativeId } }', { e: nativeExperiment })
    ).createRun.nativeId
    const nativeRun = async (name: string, parent: string) =>
      (
        await graphql<{ createRun: { id: string; nativeId: string } }>(
          'mutation ($e: ID!, $n: String!, $t: [TagInput!]) { createRun(input: { experimentId: $e, name: $n, tags: $t }) { id nativeId } }',
          { e: nativeExperiment, n: name, t: [{ key: 'mlflow.parentRunId', value: parent }] },
        )
      ).createRun
    const parents = { ml: [] as string[], local: [] as string[] }
    for (let i = 0; i < PARENTS / 2; i++) {
      parents.ml.push(await api.createRun(mlflowExperiment, { name: `parent-${i}`, tags: { 'mlflow.parentRunId': grandparents.ml } }))
      parents.local.push((await nativeRun(`parent-${i}`, grandparents.local)).nativeId)
    }
    const group = 'lineage-bench'
    await sagemaker.createGroup(group)
    const model = 'lineage-bench'
    await api.post('registered-models/create', { name: model })
    let firstRun = ''
    for (let i = 0; i < VERSIONS; i++) {
      const onMlflow = i % 2 === 0
      const datasets = Array.from({ length: DATASETS_PER_RUN }, (_, d) => ({ name: `data-${i}-${d}`, digest: `d${i}x${d}` }))
      let runId: string
      if (onMlflow) {
        runId = await api.createRun(mlflowExperiment, { name: `run-${i}`, tags: { 'mlflow.parentRunId': parents.ml[i % parents.ml.length] } })
        await api.post('runs/log-inputs', { run_id: runId, datasets: datasets.map((dataset) => ({ dataset: { ...dataset, source_type: 'local', source: `/data/${dataset.name}` }, tags: [] })) })
        if (firstRun === '') firstRun = `Run:ml:${runId}`
      } else {
        const run = await nativeRun(`run-${i}`, parents.local[i % parents.local.length])
        runId = run.nativeId
        await graphql('mutation ($r: ID!, $d: [DatasetInputInput!]!) { logInputs(runId: $r, datasets: $d) { id } }', { r: run.id, d: datasets })
      }
      const arn = await sagemaker.createPackage(group, { approval: 'Approved', properties: { 'mlflow.run_id': runId } })
      await api.post('model-versions/create', { name: model, source: `s3://bucket/models/${i}`, run_id: runId, tags: [{ key: 'sagemaker.model_package_arn', value: arn }] })
    }
    // Model, versions, runs, packages, parents and their two sweeps, datasets, experiments, the package group.
    const graphNodes = 1 + VERSIONS * 3 + PARENTS + 2 + VERSIONS * DATASETS_PER_RUN + 2 + 1
    console.log(`  ${graphNodes.toLocaleString()} nodes`)

    const lineage = print(LineageDocument)
    type Graph = { lineage: { truncated: boolean; nodes: unknown[] } }
    const walk = (depth: number) => graphql<Graph>(lineage, { id: firstRun, depth, direction: 'BOTH', maxNodes: 5000 })
    const callsNow = () => ({ ml: mlflowProxy.requests.length, sm: motoProxy.requests.length, local: statements.queries })
    await walk(DEPTH) // warm: connections and caches
    console.log(`calls per backend per level, depth 0 to ${DEPTH}...`)
    const perDepth: { depth: number; nodes: number; truncated: boolean; calls: { ml: number; sm: number; local: number } }[] = []
    for (let depth = 0; depth <= DEPTH; depth++) {
      const before = callsNow()
      const texts = statements.texts.length
      const graph = await walk(depth)
      const after = callsNow()
      if (process.env.BENCH_VERBOSE) {
        // What one walk of this depth sent: each backend's calls, in order.
        console.log(`  depth ${depth}:`)
        for (const call of [...mlflowProxy.requests.slice(before.ml), ...motoProxy.requests.slice(before.sm), ...statements.texts.slice(texts)]) console.log(`    ${call.slice(0, 160)}`)
      }
      perDepth.push({ depth, nodes: graph.lineage.nodes.length, truncated: graph.lineage.truncated, calls: { ml: after.ml - before.ml, sm: after.sm - before.sm, local: after.local - before.local } })
    }
    const perLevel = perDepth.slice(1).map((at, index) => ({
      level: at.depth,
      ml: at.calls.ml - perDepth[index].calls.ml,
      sm: at.calls.sm - perDepth[index].calls.sm,
      local: at.calls.local - perDepth[index].calls.local,
    }))
    for (const level of perLevel) console.log(`  level ${level.level}: MLflow ${level.ml}, SageMaker ${level.sm}, PostgreSQL ${level.local}`)
    const worst = Math.max(...perLevel.flatMap((level) => [level.ml, level.sm, level.local]))

    console.log(`depth ${DEPTH}, ${SAMPLES} walks...`)
    const latencies: number[] = []
    let reached = 0
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now()
      reached = (await walk(DEPTH)).lineage.nodes.length
      latencies.push(performance.now() - started)
    }
    latencies.sort((a, b) => a - b)
    const p50 = percentile(latencies, 50)
    console.log(`  p50 ${p50.toFixed(0)} ms, ${reached} nodes reached; at most ${worst} calls per backend per level`)

    const result = {
      benchmark: 'lineage',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      graphNodes,
      depth: DEPTH,
      nodesReached: reached,
      truncated: perDepth[DEPTH].truncated,
      walk: { samples: SAMPLES, p50Ms: Number(p50.toFixed(1)), p99Ms: Number(percentile(latencies, 99).toFixed(1)) },
      perLevel,
      worstCallsPerBackendPerLevel: worst,
      targets: { callsPerBackendPerLevel: 4 },
    }
    mkdirSync('bench/results', { recursive: true })
    writeFileSync('bench/results/lineage.json', `${JSON.stringify(result, null, 2)}\n`)
    console.log('wrote bench/results/lineage.json')
  } finally {
    await gateway.stop()
    sagemaker.close()
    await statements.close()
    await mlflowProxy.close()
    await motoProxy.close()
    await moto.stop()
    await mlflow.stop()
    postgres.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
