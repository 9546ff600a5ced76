/**
 * `npm run bench:filter-cost`: how a run search's time grows with the
 * number of AND-ed clauses in its filter, on PGlite and on PostgreSQL.
 * Each clause is a param, tag or metric comparison (the kinds that read
 * another table). The target is linear growth: per-clause cost roughly
 * constant from 1 to 100 clauses. Writes bench/results/filter-cost.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { parseConfig } from '../src/config.js'
import { createGateway } from '../src/server.js'
import { findPostgresBinDir, startPostgres } from '../test/peers/postgres.js'
import { freePort } from '../test/support/free-port.js'

const RUNS = 500
const CLAUSES = [1, 10, 50, 100, 200]
const SAMPLES = 5

async function measure(engine: 'pglite' | 'postgres', database: string | null) {
  const backend = database ? { id: 'local', kind: 'native', database, schema: 'bench_filters' } : { id: 'local', kind: 'native', dataDir: 'memory://' }
  const gateway = await createGateway(parseConfig({ backends: [backend], limits: { filterClauses: 1000, queryCost: 1_000_000 } }))
  const graphql = async (query: string, variables: unknown) => {
    const response = await gateway.yoga.fetch('http://mlgate/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    })
    const body = (await response.json()) as { data?: Record<string, { id: string; totalCount: number }>; errors?: unknown }
    if (body.errors) throw new Error(JSON.stringify(body.errors))
    return body.data!
  }
  const { createExperiment } = await graphql('mutation($n: String!) { createExperiment(input: { name: $n }) { id totalCount: id } }', { n: `filters-${Date.now()}` })
  for (let i = 0; i < RUNS; i++) {
    const { createRun } = await graphql(
      'mutation($e: ID!, $p: [ParamInput!]!, $t: [TagInput!]!) { createRun(input: { experimentId: $e, params: $p, tags: $t }) { id totalCount: id } }',
      {
        e: createExperiment.id,
        p: Array.from({ length: 20 }, (_, k) => ({ key: `p${k}`, value: String((i + k) % 3) })),
        t: Array.from({ length: 20 }, (_, k) => ({ key: `t${k}`, value: String((i * k) % 5) })),
      },
    )
    await graphql('mutation($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { id totalCount: id } }', {
      r: createRun.id,
      m: Array.from({ length: 20 }, (_, k) => ({ key: `m${k}`, value: (i * 7 + k) % 100, step: 0 })),
    })
  }
  const results: { clauses: number; medianMs: number; perClauseMs: number }[] = []
  for (const count of CLAUSES) {
    // Clauses that hold for many runs, so none short-circuits the search early.
    const clauses = Array.from({ length: count }, (_, i) =>
      i % 3 === 0 ? `params.p${i % 20} != 'nope${i}'` : i % 3 === 1 ? `tags.t${i % 20} != 'nope${i}'` : `metrics.m${i % 20} >= ${-i}`,
    )
    const filter = clauses.join(' and ')
    const times: number[] = []
    for (let s = 0; s < SAMPLES; s++) {
      const started = performance.now()
      await graphql('query($f: String!) { runs(mlflowFilter: $f, first: 50) { totalCount nodes { id } } }', { f: filter })
      times.push(performance.now() - started)
    }
    times.sort((a, b) => a - b)
    const medianMs = Math.round(times[Math.floor(SAMPLES / 2)] * 10) / 10
    results.push({ clauses: count, medianMs, perClauseMs: Math.round((medianMs / count) * 100) / 100 })
    console.log(`${engine}: ${count} clauses: ${medianMs} ms`)
  }
  await gateway.close()
  return results
}

const binDir = findPostgresBinDir()
const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
const peer = url ? null : binDir ? startPostgres(binDir, await freePort()) : null
try {
  const pglite = await measure('pglite', null)
  const postgres = url || peer ? await measure('postgres', url ?? peer!.url) : null
  mkdirSync('bench/results', { recursive: true })
  writeFileSync('bench/results/filter-cost.json', `${JSON.stringify({ runs: RUNS, samples: SAMPLES, pglite, postgres }, null, 2)}\n`)
} finally {
  peer?.stop()
}
