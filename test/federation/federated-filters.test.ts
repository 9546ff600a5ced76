import type { ResultOf } from '@graphql-typed-document-node/core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CreateExperimentDocument, CreateRunDocument, LogMetricsDocument, type RunFilter, type RunOrder, RunsDocument, type RunStatus } from '../generated/graphql.js'
import { type GeneratedRun, bruteFilter, bruteSort, random } from '../support/brute-force.js'
import { describeMlflow } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { mlflowApi } from '../support/mlflow-api.js'

/**
 * A property test: for random filters and orders over generated runs in the
 * native store and a real MLflow server, the federated answer, paged at a
 * random size, equals filtering and sorting the union by brute force — on
 * each backend alone and on both. Filters mix pushed-down predicates with
 * ones MLflow cannot express (evaluated by the gateway).
 */
const STATUSES: RunStatus[] = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED']
const NAMES = ['alpha', 'Alpha', 'beta', 'gamma_1']
const BASE_TIME = Date.parse('2026-04-01T00:00:00.000Z')

describeMlflow('federated filters, property test', (mlflowUrl) => {
  const api = mlflowApi(mlflowUrl)
  let gw: TestGateway
  const runs: (GeneratedRun & { backend: string })[] = []
  const experimentIds: string[] = []

  beforeAll(async () => {
    gw = await startTestGateway({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }, { id: 'mlflow', kind: 'mlflow', url: mlflowUrl }] })
    const nativeExperiment = (await gw.data(CreateExperimentDocument, { input: { name: 'property' } })).createExperiment.id
    const mlflowExperiment = await api.createExperiment(`property-${Date.now()}`)
    experimentIds.push(nativeExperiment, `Experiment:mlflow:${mlflowExperiment}`)
    const next = random(7)
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]
    for (let i = 0; i < 120; i++) {
      const backend = i % 2 === 0 ? 'local' : 'mlflow'
      const name = `${pick(NAMES)}-${i % 5}`
      const status = pick(STATUSES)
      const startTime = BASE_TIME + Math.floor(next() * 20) * 1000
      const params: Record<string, string> = { lr: pick(['0.1', '0.01']) }
      if (next() < 0.6) params.optimizer = pick(['adam', 'sgd'])
      const tags: Record<string, string> = next() < 0.7 ? { team: pick(['vision', 'Voice']) } : {}
      const metrics: Record<string, number> = {}
      if (next() < 0.85) metrics.acc = next() < 0.05 ? Number.NaN : Math.round(next() * 100) / 100
      const wireMetrics = Object.entries(metrics).map(([key, value]) => ({ key, value: Number.isNaN(value) ? ('NaN' as const) : value, step: 1 }))
      let id: string
      if (backend === 'local') {
        id = (
          await gw.data(CreateRunDocument, {
            input: {
              experimentId: nativeExperiment,
              name,
              status,
              startTime: new Date(startTime).toISOString(),
              params: Object.entries(params).map(([key, value]) => ({ key, value })),
              tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
            },
          })
        ).createRun.id
        if (wireMetrics.length > 0) await gw.data(LogMetricsDocument, { runId: id, metrics: wireMetrics })
      } else {
        const nativeId = await api.createRun(mlflowExperiment, { name, startTime, tags })
        await api.logBatch(nativeId, { metrics: wireMetrics, params })
        await api.post('runs/update', { run_id: nativeId, status })
        id = `Run:mlflow:${nativeId}`
      }
      runs.push({ id, backend, experiment: 0, name, status, startTime, params, tags, metrics })
    }
  })
  afterAll(() => gw?.close())

  function randomFilter(next: () => number): RunFilter {
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]
    const pool: (() => RunFilter)[] = [
      () => ({ status: [pick(STATUSES), pick(STATUSES)] }), // MLflow cannot say IN: residual
      () => ({ status: [pick(STATUSES)] }),
      () => ({ name: { op: pick(['EQ', 'NEQ', 'LIKE', 'ILIKE'] as const), value: pick(['alpha%', 'ALPHA%', 'beta-1', '%_1-%', 'gamma_1-2']) } }),
      () => ({ params: [{ key: pick(['lr', 'optimizer']), op: pick(['EQ', 'NEQ'] as const), value: pick(['0.1', 'adam', 'sgd']) }] }),
      () => ({ tags: [{ key: 'team', op: pick(['EQ', 'ILIKE', 'LIKE'] as const), value: pick(['vision', 'v%', 'V%']) }] }),
      () => ({ metrics: [{ key: 'acc', op: pick(['GT', 'GTE', 'LT', 'NEQ'] as const), value: Math.round(next() * 100) / 100 }] }),
      () => ({ startTime: { from: new Date(BASE_TIME + Math.floor(next() * 10) * 1000).toISOString() } }),
    ]
    const filter: RunFilter = {}
    for (let n = 1 + Math.floor(next() * 3); n > 0; n--) {
      const part = pick(pool)()
      for (const [key, value] of Object.entries(part) as [keyof RunFilter, never][]) {
        filter[key] = Array.isArray(filter[key]) && Array.isArray(value) && key !== 'status' ? ([...(filter[key] as never[]), ...value] as never) : value
      }
    }
    return filter
  }

  const ORDERS: RunOrder[][] = [
    [],
    [{ field: 'METRIC', metricKey: 'acc', direction: 'DESC' }],
    [{ field: 'NAME', direction: 'ASC' }],
    [{ field: 'STATUS', direction: 'ASC' }, { field: 'NAME', direction: 'DESC' }],
    [{ field: 'START_TIME', direction: 'ASC' }],
    [{ field: 'PARAM', key: 'optimizer', direction: 'ASC' }],
    [{ field: 'TAG', key: 'team', direction: 'DESC' }, { field: 'PARAM', key: 'lr', direction: 'ASC' }],
  ]

  it('equals brute force for 30 random filters, orders, page sizes and backend mixes', async () => {
    const next = random(2026)
    let nonEmpty = 0
    for (let round = 0; round < 30; round++) {
      const filter = randomFilter(next)
      const orderBy = ORDERS[Math.floor(next() * ORDERS.length)]
      const backends = [['local'], ['mlflow'], ['local', 'mlflow']][round % 3]
      const first = 3 + Math.floor(next() * 25)
      const expected = bruteSort(bruteFilter(runs.filter((run) => backends.includes(run.backend)), filter), orderBy)
      const ids: string[] = []
      let after: string | null = null
      for (let guard = 0; guard < 200; guard++) {
        const page: ResultOf<typeof RunsDocument> = await gw.data(RunsDocument, { experimentIds, backends, filter, orderBy, first, after })
        ids.push(...page.runs.edges.map((edge) => edge.node.id))
        if (!page.runs.pageInfo.hasNextPage) break
        after = page.runs.pageInfo.endCursor ?? null
      }
      expect({ round, filter, orderBy, backends, first, ids }).toEqual({ round, filter, orderBy, backends, first, ids: expected })
      if (expected.length > 0) nonEmpty += 1
    }
    // The property is only worth something if most answers are not empty.
    expect(nonEmpty).toBeGreaterThanOrEqual(15)
  })

  it('means the same by IS NULL, IS NOT NULL and != on params and tags on both backends (MLflow syntax)', async () => {
    const next = random(17)
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]
    // Brute force by MLflow's semantics: IS NULL matches a run without the key, != needs the key.
    const clauses: { text: string; holds: (run: GeneratedRun) => boolean }[] = [
      { text: 'tags.team IS NULL', holds: (run) => run.tags.team === undefined },
      { text: 'tags.team IS NOT NULL', holds: (run) => run.tags.team !== undefined },
      { text: 'params.optimizer IS NULL', holds: (run) => run.params.optimizer === undefined },
      { text: 'params.optimizer IS NOT NULL', holds: (run) => run.params.optimizer !== undefined },
      { text: "params.optimizer != 'adam'", holds: (run) => run.params.optimizer !== undefined && run.params.optimizer !== 'adam' },
      { text: "tags.team != 'vision'", holds: (run) => run.tags.team !== undefined && run.tags.team !== 'vision' },
      { text: "params.lr = '0.1'", holds: (run) => run.params.lr === '0.1' },
    ]
    let nonEmpty = 0
    for (let round = 0; round < 20; round++) {
      const chosen = [pick(clauses), pick(clauses)]
      const mlflowFilter = chosen.map((clause) => clause.text).join(' AND ')
      const backends = [['local'], ['mlflow'], ['local', 'mlflow']][round % 3]
      const expected = bruteSort(runs.filter((run) => backends.includes(run.backend) && chosen.every((clause) => clause.holds(run))), [])
      const ids: string[] = []
      let after: string | null = null
      for (let guard = 0; guard < 200; guard++) {
        const page: ResultOf<typeof RunsDocument> = await gw.data(RunsDocument, { experimentIds, backends, mlflowFilter, first: 17, after })
        ids.push(...page.runs.edges.map((edge) => edge.node.id))
        if (!page.runs.pageInfo.hasNextPage) break
        after = page.runs.pageInfo.endCursor ?? null
      }
      expect({ round, mlflowFilter, backends, ids }).toEqual({ round, mlflowFilter, backends, ids: expected })
      if (expected.length > 0) nonEmpty += 1
    }
    expect(nonEmpty).toBeGreaterThanOrEqual(10)
  })
})
