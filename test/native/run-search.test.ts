import type { ResultOf } from '@graphql-typed-document-node/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CreateExperimentDocument,
  CreateRunDocument,
  type RunFilter,
  type RunOrder,
  LogMetricsDocument,
  RunsDocument,
  type RunStatus,
} from '../generated/graphql.js'
import { describeEachEngine } from '../support/engines.js'
import { type TestGateway, errorCodes, startNativeGateway } from '../support/gateway.js'
import { type GeneratedRun, bruteFilter, bruteSort, random } from '../support/brute-force.js'

/**
 * Filters and orders against a brute-force answer over generated data: the
 * expected ids come from filtering and sorting the generated runs in plain
 * TypeScript, written here independently of the gateway's code.
 */

const STATUSES: RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']
const NAMES = ['alpha', 'Alpha', 'beta', 'BETA-x', 'gamma_1', 'delta']
const BASE_TIME = Date.parse('2026-03-01T00:00:00.000Z')

describeEachEngine('run search: filters and order against brute force', (engine) => {
  let gw: TestGateway
  const runs: GeneratedRun[] = []
  const experimentIds: string[] = []

  beforeAll(async () => {
    gw = await startNativeGateway(engine)
    const next = random(42)
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]
    for (let e = 0; e < 3; e++) {
      experimentIds.push((await gw.data(CreateExperimentDocument, { input: { name: `search-${e}` } })).createExperiment.id)
    }
    for (let i = 0; i < 240; i++) {
      const experiment = i % 3
      const params: Record<string, string> = { lr: pick(['0.1', '0.01', '0.001']) }
      if (next() < 0.7) params.optimizer = pick(['adam', 'sgd', 'adamw'])
      const tags: Record<string, string> = {}
      if (next() < 0.8) tags.team = pick(['vision', 'voice', 'nlp'])
      const metrics: Record<string, number> = {}
      if (next() < 0.9) metrics.acc = next() < 0.03 ? Number.NaN : Math.round(next() * 1000) / 1000
      if (next() < 0.6) metrics.loss = Math.round(next() * 1000) / 1000
      const name = `${pick(NAMES)}-${i % 7}`
      const status = pick(STATUSES)
      // Few distinct start times, so ties (broken by id) are common.
      const startTime = BASE_TIME + Math.floor(next() * 40) * 60_000
      const created = (
        await gw.data(CreateRunDocument, {
          input: {
            experimentId: experimentIds[experiment],
            name,
            status,
            startTime: new Date(startTime).toISOString(),
            params: Object.entries(params).map(([key, value]) => ({ key, value })),
            tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
          },
        })
      ).createRun
      if (Object.keys(metrics).length > 0) {
        // Two points per metric: only the latest (highest step) may count.
        const logged = Object.entries(metrics).flatMap(([key, value]) => [
          { key, value: next(), step: 0 },
          { key, value: Number.isNaN(value) ? ('NaN' as const) : value, step: 5 },
        ])
        await gw.data(LogMetricsDocument, { runId: created.id, metrics: logged })
      }
      runs.push({ id: created.id, experiment, name, status, startTime, params, tags, metrics })
    }
  })
  afterAll(() => gw.close())

  /** Pages through the whole list and returns every id in order. */
  async function pageAll(variables: { filter?: RunFilter; mlflowFilter?: string; orderBy?: RunOrder[]; experimentIds?: string[] }, first: number) {
    const ids: string[] = []
    let after: string | null = null
    let totalCount: number | null | undefined
    for (let guard = 0; guard < 1000; guard++) {
      const page: ResultOf<typeof RunsDocument> = await gw.data(RunsDocument, { ...variables, first, after })
      ids.push(...page.runs.edges.map((edge) => edge.node.id))
      totalCount = page.runs.totalCount
      if (!page.runs.pageInfo.hasNextPage) break
      after = page.runs.pageInfo.endCursor ?? null
    }
    return { ids, totalCount }
  }

  const filterCases: [string, RunFilter][] = [
    ['no filter', {}],
    ['status in a list', { status: ['FINISHED', 'FAILED'] }],
    ['name equality', { name: { value: 'alpha-3' } }],
    ['name inequality', { name: { op: 'NEQ', value: 'alpha-3' } }],
    ['name LIKE (case-sensitive)', { name: { op: 'LIKE', value: 'alpha%' } }],
    ['name ILIKE', { name: { op: 'ILIKE', value: '%BETA%' } }],
    ['name LIKE with _', { name: { op: 'LIKE', value: 'gamma__-_' } }],
    ['param equality', { params: [{ key: 'lr', value: '0.01' }] }],
    ['param inequality excludes runs without the param', { params: [{ key: 'optimizer', op: 'NEQ', value: 'adam' }] }],
    ['param LIKE', { params: [{ key: 'optimizer', op: 'LIKE', value: 'adam%' }] }],
    ['tag ILIKE', { tags: [{ key: 'team', op: 'ILIKE', value: 'V%' }] }],
    ['metric greater than', { metrics: [{ key: 'acc', op: 'GT', value: 0.5 }] }],
    ['metric at most', { metrics: [{ key: 'loss', op: 'LTE', value: 0.3 }] }],
    ['metric not equal', { metrics: [{ key: 'acc', op: 'NEQ', value: 0.5 }] }],
    ['start time range', { startTime: { from: new Date(BASE_TIME + 10 * 60_000).toISOString(), to: new Date(BASE_TIME + 20 * 60_000).toISOString() } }],
    [
      'everything at once',
      {
        status: ['FINISHED', 'RUNNING', 'KILLED'],
        params: [{ key: 'lr', op: 'NEQ', value: '0.1' }],
        tags: [{ key: 'team', op: 'LIKE', value: 'v%' }],
        metrics: [{ key: 'acc', op: 'GTE', value: 0.2 }],
      },
    ],
  ]

  const orderCases: [string, RunOrder[]][] = [
    ['default (start time, newest first)', []],
    ['start time ascending', [{ field: 'START_TIME', direction: 'ASC' }]],
    ['name ascending', [{ field: 'NAME', direction: 'ASC' }]],
    ['status descending then name', [{ field: 'STATUS', direction: 'DESC' }, { field: 'NAME', direction: 'ASC' }]],
    ['metric descending, missing last', [{ field: 'METRIC', metricKey: 'acc', direction: 'DESC' }]],
    ['metric ascending then name', [{ field: 'METRIC', metricKey: 'loss', direction: 'ASC' }, { field: 'NAME', direction: 'DESC' }]],
    ['param ascending as strings, missing last', [{ field: 'PARAM', key: 'optimizer', direction: 'ASC' }, { field: 'PARAM', key: 'lr', direction: 'DESC' }]],
    ['tag descending then metric', [{ field: 'TAG', key: 'team', direction: 'DESC' }, { field: 'METRIC', key: 'acc', direction: 'ASC' }]],
  ]

  describe.each(filterCases)('filter: %s', (_, filter) => {
    it.each(orderCases)('order: %s', async (_, orderBy) => {
      const expected = bruteSort(bruteFilter(runs, filter), orderBy)
      expect(expected.length).toBeGreaterThan(0)
      const { ids, totalCount } = await pageAll({ filter, orderBy }, 37)
      expect(ids).toEqual(expected)
      expect(totalCount).toBe(expected.length)
    })
  })

  it('yields every run exactly once, in order, whatever the page size', async () => {
    const orderBy: RunOrder[] = [{ field: 'METRIC', metricKey: 'acc', direction: 'DESC' }]
    const expected = bruteSort(runs, orderBy)
    for (const size of [1, 7, 100, 1000]) {
      const { ids } = await pageAll({ orderBy }, size)
      expect(ids).toEqual(expected)
    }
  })

  it('limits runs to the given experiments', async () => {
    const { ids } = await pageAll({ experimentIds: [experimentIds[0], experimentIds[2]] }, 50)
    expect(ids).toEqual(bruteSort(runs.filter((run) => run.experiment !== 1), []))
  })

  const mlflowCases: [string, string, RunFilter][] = [
    ['metric and param', "metrics.acc > 0.5 and params.lr = '0.01'", { metrics: [{ key: 'acc', op: 'GT', value: 0.5 }], params: [{ key: 'lr', value: '0.01' }] }],
    ['status IN', "attributes.status IN ('FINISHED', 'FAILED')", { status: ['FINISHED', 'FAILED'] }],
    ['backticked tag key with LIKE', 'tags.`team` LIKE "v%"', { tags: [{ key: 'team', op: 'LIKE', value: 'v%' }] }],
    ['run name ILIKE', "attributes.run_name ILIKE '%beta%'", { name: { op: 'ILIKE', value: '%beta%' } }],
    ['param inequality', "params.optimizer != 'adam'", { params: [{ key: 'optimizer', op: 'NEQ', value: 'adam' }] }],
    [
      'start time bounds',
      `attributes.start_time >= ${BASE_TIME + 600_000} AND attributes.start_time < ${BASE_TIME + 1_200_000}`,
      { startTime: { from: new Date(BASE_TIME + 600_000).toISOString(), to: new Date(BASE_TIME + 1_200_000).toISOString() } },
    ],
  ]

  it.each(mlflowCases)('mlflowFilter %s matches the typed filter and brute force', async (_, mlflowFilter, typed) => {
    const expected = bruteSort(bruteFilter(runs, typed), [])
    expect(expected.length).toBeGreaterThan(0)
    expect((await pageAll({ mlflowFilter }, 100)).ids).toEqual(expected)
    expect((await pageAll({ filter: typed }, 100)).ids).toEqual(expected)
  })

  it('ANDs mlflowFilter with the typed filter', async () => {
    const { ids } = await pageAll({ mlflowFilter: "params.lr = '0.1'", filter: { status: ['FINISHED'] } }, 100)
    expect(ids).toEqual(bruteSort(bruteFilter(runs, { status: ['FINISHED'], params: [{ key: 'lr', value: '0.1' }] }), []))
  })

  it('refuses a METRIC order without metricKey, and a cursor from a different query', async () => {
    expect(errorCodes(await gw.request(RunsDocument, { orderBy: [{ field: 'METRIC' }] }))).toEqual(['BAD_USER_INPUT'])
    const first = await gw.data(RunsDocument, { first: 2 })
    const replayed = await gw.request(RunsDocument, { first: 2, after: first.runs.pageInfo.endCursor, filter: { status: ['FAILED'] } })
    expect(errorCodes(replayed)).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await gw.request(RunsDocument, { after: 'not-a-cursor' }))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await gw.request(RunsDocument, { first: 1001 }))).toEqual(['BAD_USER_INPUT'])
  })
})
