import type { ResultOf } from '@graphql-typed-document-node/core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CreateExperimentDocument, CreateRunDocument, ExperimentsDocument, LogMetricsDocument, type RunOrder, RunsDocument } from '../generated/graphql.js'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, errorCodes, startTestGateway } from '../support/gateway.js'

/**
 * Two native backends in one gateway: lists merge both in one order, ties
 * broken by global id, and paging to the end yields each item once.
 */
describeEachEngine('lists merged across two native backends', (engine) => {
  let gw: TestGateway
  const runs: { id: string; startTime: number; acc: number | null }[] = []

  beforeAll(async () => {
    gw = await startTestGateway({ backends: [{ id: 'alpha', kind: 'native', dataDir: 'memory://' }, nativeBackendConfig(engine, 'beta')] })
    for (const backend of ['alpha', 'beta']) {
      const experiment = (await gw.data(CreateExperimentDocument, { input: { name: `merge-${backend}`, backend } })).createExperiment
      for (let i = 0; i < 45; i++) {
        // Shared start times across backends force cross-backend ties.
        const startTime = Date.parse('2026-05-01T00:00:00Z') + (i % 9) * 1000
        const run = (await gw.data(CreateRunDocument, { input: { experimentId: experiment.id, startTime: new Date(startTime).toISOString() } })).createRun
        const acc = i % 5 === 0 ? null : ((i * 37) % 100) / 100
        if (acc !== null) await gw.data(LogMetricsDocument, { runId: run.id, metrics: [{ key: 'acc', value: acc }] })
        runs.push({ id: run.id, startTime, acc })
      }
    }
  })
  afterAll(() => gw.close())

  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

  async function pageAll(orderBy: RunOrder[], first: number, backends?: string[]) {
    const ids: string[] = []
    let after: string | null = null
    let total: number | null | undefined
    for (let guard = 0; guard < 500; guard++) {
      const page: ResultOf<typeof RunsDocument> = await gw.data(RunsDocument, { orderBy, first, after, backends })
      ids.push(...page.runs.edges.map((edge) => edge.node.id))
      total = page.runs.totalCount
      if (!page.runs.pageInfo.hasNextPage) break
      after = page.runs.pageInfo.endCursor ?? null
    }
    return { ids, total }
  }

  it.each([1, 4, 13, 90, 1000])('pages start-time order at page size %i, every run once', async (first) => {
    const expected = [...runs].sort((a, b) => b.startTime - a.startTime || byId(a, b)).map((run) => run.id)
    const { ids, total } = await pageAll([], first)
    expect(ids).toEqual(expected)
    expect(total).toBe(90)
  })

  it.each([3, 50])('pages metric order (missing last) at page size %i', async (first) => {
    const expected = [...runs]
      .sort(
        (a, b) =>
          (a.acc === null || b.acc === null ? (a.acc === null ? 1 : 0) - (b.acc === null ? 1 : 0) : a.acc - b.acc) ||
          b.startTime - a.startTime ||
          byId(a, b),
      )
      .map((run) => run.id)
    const { ids } = await pageAll([{ field: 'METRIC', metricKey: 'acc', direction: 'ASC' }], first)
    expect(ids).toEqual(expected)
  })

  it('lists one backend when asked, and refuses an unknown one', async () => {
    const { ids } = await pageAll([], 20, ['beta'])
    expect(ids).toHaveLength(45)
    expect(ids.every((id) => id.startsWith('Run:beta:'))).toBe(true)
    expect(errorCodes(await gw.request(RunsDocument, { backends: ['gamma'] }))).toEqual(['BAD_USER_INPUT'])
  })

  it('merges experiments newest first across backends', async () => {
    const result = await gw.data(ExperimentsDocument, { first: 10 })
    const names = result.experiments.edges.map((edge) => edge.node.name)
    expect(names.slice(0, 2)).toEqual(['merge-beta', 'merge-alpha'])
    expect(names.filter((name) => name === 'Default')).toHaveLength(2)
    expect(result.experiments.totalCount).toBe(4)
  })
})
