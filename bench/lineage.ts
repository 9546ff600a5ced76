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
  const statements = await startPgQueryCounter(server.hostname, Number(server.port), { keepTexts: true })
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
    await walk(DEPTH) // warm: connections and caches
    console.log(`calls per backend per level, depth 0 to ${DEPTH}...`)
    type Backend = 'ml' | 'sm' | 'local'
    const BACKENDS: readonly Backend[] = ['ml', 'sm', 'local']
    // What one walk of each depth sent to each backend: the MLflow and SageMaker requests, the statements.
    const perDepth: { depth: number; calls: Record<Backend, string[]> }[] = []
    for (let depth = 0; depth <= DEPTH; depth++) {
      const before = { ml: mlflowProxy.requests.length, sm: motoProxy.requests.length, local: statements.texts.length }
      await walk(depth)
      perDepth.push({ depth, calls: { ml: mlflowProxy.requests.slice(before.ml), sm: motoProxy.requests.slice(before.sm), local: statements.texts.slice(before.local) } })
      if (process.env.BENCH_VERBOSE) {
        console.log(`  depth ${depth}:`)
        for (const call of BACKENDS.flatMap((backend) => perDepth[depth].calls[backend])) console.log(`    ${call.slice(0, 160)}`)
      }
    }
    // A level's calls: the walk one deeper sent these more. A kind of call is
    // an endpoint (or a statement, its parameters' numbering aside): a
    // question the peer answers in pages or parts (SageMaker's 100 packages
    // a page, MLflow's model-versions/search, a GET, about 100 run ids a URL)
    // is several calls of one kind.
    const kindOf = (call: string) => call.replace(/\$\d+(, \$\d+)*/g, '$n').slice(0, 200)
    const perLevel = perDepth.slice(1).map((at, index) => {
      const level: Record<string, number> & { level: number } = { level: at.depth }
      for (const backend of BACKENDS) {
        const added = [...at.calls[backend]]
        for (const call of perDepth[index].calls[backend]) {
          const same = added.indexOf(call)
          if (same >= 0) added.splice(same, 1)
        }
        level[backend] = at.calls[backend].length - perDepth[index].calls[backend].length
        level[`${backend}Kinds`] = new Set(added.map(kindOf)).size
      }
      return level
    })
    for (const level of perLevel) {
      console.log(`  level ${level.level}: MLflow ${level.ml} (${level.mlKinds} kinds), SageMaker ${level.sm} (${level.smKinds}), PostgreSQL ${level.local} (${level.localKinds})`)
    }
    const worst = Math.max(...perLevel.flatMap((level) => BACKENDS.map((backend) => level[backend])))
    const worstKinds = Math.max(...perLevel.flatMap((level) => BACKENDS.map((backend) => level[`${backend}Kinds`])))

    console.log(`depth ${DEPTH}, ${SAMPLES} walks...`)
    const latencies: number[] = []
    let reached = 0
    let truncated = false
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now()
      const graph = await walk(DEPTH)
      reached = graph.lineage.nodes.length
      truncated = graph.lineage.truncated
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
      truncated,
      walk: { samples: SAMPLES, p50Ms: Number(p50.toFixed(1)), p99Ms: Number(percentile(latencies, 99).toFixed(1)) },
      perLevel,
      worstCallsPerBackendPerLevel: worst,
      worstCallKindsPerBackendPerLevel: worstKinds,
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
