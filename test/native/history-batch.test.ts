import type { TypedDocumentNode } from '@graphql-typed-document-node/core'
import { parse } from 'graphql'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { countedPostgresBackend, describePostgres } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import type { PgQueryCounter } from '../support/pg-query-counter.js'

/**
 * A comparison chart's request: the histories of many runs (and several
 * ranges of each) in one GraphQL request reach PostgreSQL as one batch, two
 * statements whatever the number of series, and each series is what it is
 * when asked alone.
 */
describePostgres('metric histories of many runs in one request', () => {
  let gw: TestGateway
  let postgres: PgQueryCounter
  const runs: string[] = []

  const graphql = async <T,>(query: string, variables: Record<string, unknown> = {}) => {
    const result = await gw.request(parse(query) as TypedDocumentNode<T, Record<string, unknown>>, variables)
    expect(result.errors).toBeUndefined()
    return result.data as T
  }

  beforeAll(async () => {
    const counted = await countedPostgresBackend()
    postgres = counted.statements
    gw = await startTestGateway({ backends: [counted.backend] })
    const experiment = (await graphql<{ createExperiment: { id: string } }>('mutation { createExperiment(input: { name: "histories" }) { id } }')).createExperiment.id
    // Runs of 0, 12, 3,000 and 20,000 points (the long ones reduced, with a spike each), and one more of 20,000.
    for (const [index, length] of [0, 12, 3000, 20_000, 20_000].entries()) {
      const run = (await graphql<{ createRun: { id: string } }>('mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: experiment })).createRun.id
      for (let first = 0; first < length; first += 1000) {
        const steps = Array.from({ length: Math.min(1000, length - first) }, (_, j) => first + j)
        const values = steps.map((step) => (step === 7777 + index ? 1000 : Math.sin(step / 300 + index)))
        await graphql('mutation ($r: ID!, $s: [Int!]!, $v: [MetricValue!]!) { logMetricSeries(runId: $r, key: "loss", steps: $s, values: $v) { points } }', { r: run, s: steps, v: values })
      }
      runs.push(run)
    }
  }, 120_000)
  afterAll(async () => {
    await gw?.close()
    await postgres?.close()
  })

  const FIELDS = 'totalPoints sampled points { step value }'
  type Series = { totalPoints: number; sampled: boolean; points: { step: number; value: number }[] }
  const together = (ids: string[]) =>
    graphql<{ nodes: { id: string; whole: Series; part: Series }[] }>(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Run {
        whole: metricHistory(key: "loss", maxPoints: 200) { ${FIELDS} }
        part: metricHistory(key: "loss", maxPoints: 200, minStep: 1000, maxStep: 14999) { ${FIELDS} } } } }`,
      { ids },
    )
  const alone = async (id: string, range: { minStep?: number; maxStep?: number }) =>
    (
      await graphql<{ run: { metricHistory: Series } }>(`query ($id: ID!, $min: Int, $max: Int) { run(id: $id) { metricHistory(key: "loss", maxPoints: 200, minStep: $min, maxStep: $max) { ${FIELDS} } } }`, {
        id,
        min: range.minStep ?? null,
        max: range.maxStep ?? null,
      })
    ).run.metricHistory

  it('answers each series as when asked alone', async () => {
    const answer = await together(runs)
    for (const [index, node] of answer.nodes.entries()) {
      expect(node.whole).toEqual(await alone(runs[index], {}))
      expect(node.part).toEqual(await alone(runs[index], { minStep: 1000, maxStep: 14999 }))
    }
    expect(answer.nodes.map((node) => [node.whole.totalPoints, node.whole.sampled])).toEqual([
      [0, false],
      [12, false],
      [3000, true],
      [20_000, true],
      [20_000, true],
    ])
    // A reduced series keeps its spike.
    expect(answer.nodes[3].whole.points).toContainEqual({ step: 7777 + 3, value: 1000 })
  })

  it('costs the same statements for ten series as for two', async () => {
    await together(runs) // warm the pool: connections opened now are not the request's cost
    let before = postgres.queries
    await together(runs.slice(3, 4))
    const two = postgres.queries - before
    before = postgres.queries
    await together(runs)
    const ten = postgres.queries - before
    // The runs' lookup, then each backend's histories: their sizes and ends, then their points.
    expect(ten).toBe(two)
    expect(ten).toBeLessThanOrEqual(3)
  })
})
