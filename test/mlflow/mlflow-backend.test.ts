import type { ResultOf } from '@graphql-typed-document-node/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CreateExperimentDocument,
  CreateRunDocument,
  DeleteRunDocument,
  ExperimentDocument,
  ExperimentsDocument,
  LogMetricsDocument,
  LogParamsDocument,
  MetricHistoryDocument,
  RestoreRunDocument,
  type RunFilter,
  RunDetailsDocument,
  RunDocument,
  type RunOrder,
  RunsDocument,
  SetTagsDocument,
  UpdateRunDocument,
} from '../generated/graphql.js'
import { describeMlflow } from '../support/engines.js'
import { type TestGateway, errorCodes, startTestGateway } from '../support/gateway.js'
import { type HttpProxy, startHttpProxy } from '../support/http-proxy.js'
import { mlflowApi } from '../support/mlflow-api.js'
import { startTcpProxy } from '../support/tcp-proxy.js'

/** The MLflow adapter against a real `mlflow server`, seeded through MLflow's own REST API. */
describeMlflow('MLflow backend', (mlflowUrl) => {
  const api = mlflowApi(mlflowUrl)
  const suffix = Math.random().toString(36).slice(2, 8)
  let gw: TestGateway
  let proxy: HttpProxy
  let experimentId: string
  let otherExperimentId: string
  const runIds: string[] = []

  beforeAll(async () => {
    experimentId = await api.createExperiment(`gw-main-${suffix}`)
    otherExperimentId = await api.createExperiment(`gw-other-${suffix}`)
    await api.post('experiments/set-experiment-tag', { experiment_id: experimentId, key: 'team', value: 'vision' })
    const statuses = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED']
    for (let i = 0; i < 60; i++) {
      const id = await api.createRun(i < 50 ? experimentId : otherExperimentId, {
        name: `${i % 3 === 0 ? 'Alpha' : i % 3 === 1 ? 'alpha' : 'beta'}-${i}`,
        startTime: 1_700_000_000_000 + (i % 10) * 1000, // ties on start time
        tags: { 'my tag': i % 2 === 0 ? 'even' : 'odd', team: i % 4 === 0 ? 'vision' : 'voice' },
      })
      runIds.push(id)
      await api.logBatch(id, {
        metrics: [
          { key: 'acc', value: i % 7 === 0 ? 'NaN' : ((i * 37) % 100) / 100, step: 1 },
          ...(i % 5 === 0 ? [] : [{ key: 'val-loss', value: (i % 9) / 10, step: 1 }]),
        ],
        params: { lr: ['0.1', '0.01', '0.001'][i % 3], ...(i % 2 === 0 ? { optimizer: i % 4 === 0 ? 'adam' : 'sgd' } : {}) },
      })
      await api.post('runs/update', { run_id: id, status: statuses[i % 4], run_name: undefined })
    }
    proxy = await startHttpProxy(mlflowUrl)
    gw = await startTestGateway({
      backends: [
        { id: 'lab', kind: 'mlflow', url: proxy.url, readOnly: false, auth: { bearer: 'secret-bearer-token' } },
        { id: 'ro', kind: 'mlflow', url: mlflowUrl },
      ],
    })
  })
  afterAll(async () => {
    await gw?.close()
    await proxy?.close()
  })

  const experimentGlobal = () => `Experiment:lab:${experimentId}`

  async function pageAll(variables: { filter?: RunFilter; mlflowFilter?: string; orderBy?: RunOrder[] }, first: number) {
    const ids: string[] = []
    let after: string | null = null
    for (let guard = 0; guard < 200; guard++) {
      const page: ResultOf<typeof RunsDocument> = await gw.data(RunsDocument, { ...variables, experimentIds: [experimentGlobal()], first, after })
      ids.push(...page.runs.edges.map((edge) => edge.node.nativeId))
      if (!page.runs.pageInfo.hasNextPage) break
      after = page.runs.pageInfo.endCursor ?? null
    }
    return ids
  }

  describe('reads', () => {
    it('lists and gets experiments, with tags', async () => {
      const list = await gw.data(ExperimentsDocument, { backends: ['lab'], filter: { name: { op: 'LIKE', value: `gw-%-${suffix}` } } })
      expect(list.experiments.edges.map((edge) => edge.node.name).sort()).toEqual([`gw-main-${suffix}`, `gw-other-${suffix}`])
      expect(list.experiments.totalCount).toBeNull()
      const one = await gw.data(ExperimentDocument, { id: experimentGlobal() })
      expect(one.experiment).toMatchObject({ name: `gw-main-${suffix}`, backend: { id: 'lab', kind: 'MLFLOW' }, tags: [{ key: 'team', value: 'vision' }] })
      expect((await gw.data(ExperimentDocument, { id: 'Experiment:lab:987654321' })).experiment).toBeNull()
    })

    it('gets a run with params, tags, latest metrics and its experiment', async () => {
      const run = (await gw.data(RunDocument, { id: `Run:lab:${runIds[1]}` })).run
      expect(run).toMatchObject({
        nativeId: runIds[1],
        name: 'alpha-1',
        status: 'FINISHED',
        experiment: { id: experimentGlobal() },
        params: [{ key: 'lr', value: '0.01' }],
        metrics: [
          { key: 'acc', value: 0.37, step: 1 },
          { key: 'val-loss', value: 0.1, step: 1 },
        ],
      })
      expect((await gw.data(RunDocument, { id: 'Run:lab:00000000000000000000000000000000' })).run).toBeNull()
      expect((await gw.data(RunDocument, { id: "Run:lab:not'hex" })).run).toBeNull()
    })

    it('pages past one server page in MLflow order, every run once', async () => {
      const expected = await api.searchRunIds([experimentId])
      expect(expected).toHaveLength(50)
      expect(await pageAll({}, 7)).toEqual(expected)
    })

    const cases: [string, { filter?: RunFilter; mlflowFilter?: string }, string | ((ids: string[]) => Promise<string[]>)][] = [
      ['LIKE is case-sensitive', { filter: { name: { op: 'LIKE', value: 'alpha%' } } }, "attributes.run_name LIKE 'alpha%'"],
      ['ILIKE', { mlflowFilter: "attributes.run_name ILIKE 'ALPHA%'" }, "attributes.run_name ILIKE 'ALPHA%'"],
      ['backticked tag key', { mlflowFilter: 'tags.`my tag` = "even"' }, "tags.`my tag` = 'even'"],
      ['param inequality', { filter: { params: [{ key: 'optimizer', op: 'NEQ', value: 'adam' }] } }, "params.optimizer != 'adam'"],
      ['metric comparison with a dashed key', { filter: { metrics: [{ key: 'val-loss', op: 'GTE', value: 0.4 }] } }, 'metrics.`val-loss` >= 0.4'],
      ['NaN matches only !=', { mlflowFilter: 'metrics.acc != 0.5' }, 'metrics.acc != 0.5'],
      ['status attribute', { mlflowFilter: "attributes.status = 'FAILED'" }, "attributes.status = 'FAILED'"],
      ['start time attribute', { mlflowFilter: 'attributes.start_time >= 1700000005000' }, 'attributes.start_time >= 1700000005000'],
      [
        'a residual: status IN, which MLflow cannot say',
        { filter: { status: ['FAILED', 'KILLED'], params: [{ key: 'lr', value: '0.1' }] } },
        async () => {
          const failed = await api.searchRunIds([experimentId], "attributes.status = 'FAILED' and params.lr = '0.1'")
          const killed = await api.searchRunIds([experimentId], "attributes.status = 'KILLED' and params.lr = '0.1'")
          const all = await api.searchRunIds([experimentId])
          return all.filter((id) => failed.includes(id) || killed.includes(id))
        },
      ],
    ]

    it.each(cases)('filters like MLflow: %s', async (_, variables, expected) => {
      const want = typeof expected === 'string' ? await api.searchRunIds([experimentId], expected) : await expected([])
      expect(want.length).toBeGreaterThan(0)
      expect(await pageAll(variables, 9)).toEqual(want)
    })

    it.each([
      [[{ field: 'METRIC', metricKey: 'val-loss', direction: 'ASC' }], ['metrics.`val-loss` ASC']],
      [[{ field: 'METRIC', metricKey: 'acc', direction: 'DESC' }], ['metrics.acc DESC']],
      [[{ field: 'NAME', direction: 'ASC' }], ['attributes.run_name ASC']],
      [[{ field: 'STATUS', direction: 'DESC' }], ['attributes.status DESC']],
      [[{ field: 'START_TIME', direction: 'ASC' }], ['attributes.start_time ASC']],
      [[{ field: 'PARAM', key: 'optimizer', direction: 'ASC' }], ['params.optimizer ASC']],
      [[{ field: 'TAG', key: 'my tag', direction: 'DESC' }, { field: 'PARAM', key: 'lr', direction: 'ASC' }], ['tags.`my tag` DESC', 'params.lr ASC']],
    ] as [RunOrder[], string[]][])('orders like MLflow: %j', async (orderBy, mlflowOrder) => {
      expect(await pageAll({ orderBy }, 11)).toEqual(await api.searchRunIds([experimentId], undefined, mlflowOrder))
    })

    it('batches 50 run lookups and their experiments into at most 3 requests to the server', async () => {
      proxy.requests.length = 0
      const result = await gw.data(RunDetailsDocument, { ids: runIds.slice(0, 50).map((id) => `Run:lab:${id}`) })
      expect(result.nodes).toHaveLength(50)
      expect(result.nodes.every((node) => node && 'experiment' in node && node.experiment?.id === experimentGlobal())).toBe(true)
      expect(proxy.requests.length).toBeLessThanOrEqual(3)
    })

    it('keeps NaN and ±Infinity, and samples long histories with min and max kept', async () => {
      const runId = await api.createRun(otherExperimentId, { name: 'curve' })
      const values = Array.from({ length: 3000 }, (_, step) => (step === 1234 ? 99 : step === 2345 ? -99 : Math.sin(step / 100)))
      for (let i = 0; i < values.length; i += 1000) {
        await api.logBatch(runId, { metrics: values.slice(i, i + 1000).map((value, j) => ({ key: 'loss', value, step: i + j })) })
      }
      await gw.data(LogMetricsDocument, {
        runId: `Run:lab:${runId}`,
        metrics: [
          { key: 'odd', value: 'NaN', step: 1 },
          { key: 'big', value: 'Infinity', step: 1 },
          { key: 'small', value: '-Infinity', step: 1 },
        ],
      })
      const run = (await gw.data(RunDocument, { id: `Run:lab:${runId}` })).run
      expect(run?.metrics.map((m) => [m.key, m.value])).toEqual([
        ['big', 'Infinity'],
        ['loss', Math.sin(2999 / 100)],
        ['odd', 'NaN'],
        ['small', '-Infinity'],
      ])
      const history = (await gw.data(MetricHistoryDocument, { id: `Run:lab:${runId}`, key: 'loss', maxPoints: 100 })).run?.metricHistory
      expect(history).toMatchObject({ totalPoints: 3000, sampled: true })
      expect(history?.points.length).toBeLessThanOrEqual(100)
      expect(history?.points.map((p) => p.value)).toEqual(expect.arrayContaining([99, -99]))
      const window = (await gw.data(MetricHistoryDocument, { id: `Run:lab:${runId}`, key: 'loss', minStep: 10, maxStep: 19 })).run?.metricHistory
      expect(window).toMatchObject({ totalPoints: 10, sampled: false })
      expect(window?.points.map((p) => p.step)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
    })
  })

  describe('writes', () => {
    it('pass through when the backend is writable', async () => {
      const experiment = (await gw.data(CreateExperimentDocument, { input: { name: `gw-created-${suffix}`, backend: 'lab', tags: [{ key: 'a', value: '1' }] } }))
        .createExperiment
      expect(experiment).toMatchObject({ name: `gw-created-${suffix}`, tags: [{ key: 'a', value: '1' }] })
      const run = (
        await gw.data(CreateRunDocument, {
          input: { experimentId: experiment.id, name: 'made-here', params: [{ key: 'lr', value: '0.5' }], tags: [{ key: 't', value: 'x' }] },
        })
      ).createRun
      expect(run).toMatchObject({ name: 'made-here', status: 'RUNNING', params: [{ key: 'lr', value: '0.5' }] })
      await gw.data(LogMetricsDocument, { runId: run.id, metrics: Array.from({ length: 1000 }, (_, step) => ({ key: 'm', value: step, step })) })
      await gw.data(LogParamsDocument, { runId: run.id, params: [{ key: 'depth', value: '3' }] })
      const conflict = await gw.request(LogParamsDocument, { runId: run.id, params: [{ key: 'lr', value: '0.6' }] })
      expect(errorCodes(conflict)).toEqual(['CONFLICT'])
      await gw.data(SetTagsDocument, { id: run.id, tags: [{ key: 't', value: 'y' }] })
      const finished = (await gw.data(UpdateRunDocument, { input: { id: run.id, status: 'FINISHED', name: 'renamed' } })).updateRun
      expect(finished).toMatchObject({ status: 'FINISHED', name: 'renamed', metrics: [{ key: 'm', value: 999, step: 999 }] })
      expect(finished.endTime).not.toBeNull()
      expect((await gw.data(DeleteRunDocument, { id: run.id })).deleteRun.lifecycleStage).toBe('DELETED')
      expect((await gw.data(RestoreRunDocument, { id: run.id })).restoreRun.lifecycleStage).toBe('ACTIVE')
      // And MLflow itself sees it all.
      const direct = await api.get<{ run: { data: { params: { key: string; value: string }[]; tags: { key: string; value: string }[] } } }>('runs/get', {
        run_id: run.nativeId,
      })
      expect(direct.run.data.params).toEqual(expect.arrayContaining([{ key: 'depth', value: '3' }, { key: 'lr', value: '0.5' }]))
      expect(direct.run.data.tags).toEqual(expect.arrayContaining([{ key: 't', value: 'y' }]))
    })

    it('are UNSUPPORTED naming the backend when it is read-only', async () => {
      const refused = await gw.request(CreateExperimentDocument, { input: { name: 'nope', backend: 'ro' } })
      expect(errorCodes(refused)).toEqual(['UNSUPPORTED'])
      expect(refused.errors?.[0].extensions?.backend).toBe('ro')
      const log = await gw.request(LogMetricsDocument, { runId: `Run:ro:${runIds[0]}`, metrics: [{ key: 'x', value: 1 }] })
      expect(errorCodes(log)).toEqual(['UNSUPPORTED'])
    })

    it('map MLflow errors: an unknown experiment is NOT_FOUND, a duplicate name CONFLICT', async () => {
      const missing = await gw.request(CreateRunDocument, { input: { experimentId: 'Experiment:lab:987654321' } })
      expect(errorCodes(missing)).toEqual(['NOT_FOUND'])
      expect(missing.errors?.[0].extensions?.backend).toBe('lab')
      const duplicate = await gw.request(CreateExperimentDocument, { input: { name: `gw-main-${suffix}`, backend: 'lab' } })
      expect(errorCodes(duplicate)).toEqual(['CONFLICT'])
    })
  })

  describe('failures', () => {
    it('a stopped server is BACKEND_UNAVAILABLE, and credentials never show', async () => {
      const tcp = await startTcpProxy('127.0.0.1', Number(new URL(mlflowUrl).port))
      const down = await startTestGateway({
        backends: [{ id: 'gone', kind: 'mlflow', url: `http://user:secret-url-password@127.0.0.1:${tcp.port}`, auth: { bearer: 'secret-bearer-token' } }],
      })
      try {
        expect((await down.data(ExperimentDocument, { id: experimentGlobal().replace(':lab:', ':gone:') })).experiment?.name).toBe(`gw-main-${suffix}`)
        await tcp.cut()
        const result = await down.request(RunsDocument, { backends: ['gone'] })
        expect(errorCodes(result)).toEqual(['BACKEND_UNAVAILABLE'])
        expect(result.errors?.[0].extensions?.backend).toBe('gone')
        const text = JSON.stringify(result)
        for (const secret of ['secret-url-password', 'secret-bearer-token', String(tcp.port)]) expect(text).not.toContain(secret)
      } finally {
        await down.close()
      }
    })

    it('a server slower than timeoutMs is BACKEND_TIMEOUT', async () => {
      const slow = await startHttpProxy(mlflowUrl)
      slow.delayMs = 1500
      const gateway = await startTestGateway({ backends: [{ id: 'slow', kind: 'mlflow', url: slow.url, timeoutMs: 300 }] })
      try {
        const result = await gateway.request(ExperimentsDocument, { backends: ['slow'] })
        expect(errorCodes(result)).toEqual(['BACKEND_TIMEOUT'])
        expect(result.errors?.[0].extensions?.backend).toBe('slow')
      } finally {
        await gateway.close()
        await slow.close()
      }
    })
  })
})
