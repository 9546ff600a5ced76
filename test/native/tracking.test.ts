import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CreateExperimentDocument,
  CreateRunDocument,
  DeleteRunDocument,
  ExperimentDocument,
  ExperimentsDocument,
  LogMetricSeriesCountDocument,
  LogMetricSeriesDocument,
  LogMetricsDocument,
  MetricHistoryDocument,
  LogParamsDocument,
  NodeDocument,
  NodesDocument,
  RestoreRunDocument,
  RunDocument,
  RunsDocument,
  SetTagsDocument,
  UpdateRunDocument,
} from '../generated/graphql.js'
import { describeEachEngine } from '../support/engines.js'
import { type TestGateway, errorCodes, startNativeGateway } from '../support/gateway.js'

describeEachEngine('native tracking through GraphQL', (engine) => {
  let gw: TestGateway
  beforeAll(async () => {
    gw = await startNativeGateway(engine)
  })
  afterAll(() => gw.close())

  const createExperiment = async (name: string, tags: { key: string; value: string }[] = []) =>
    (await gw.data(CreateExperimentDocument, { input: { name, tags } })).createExperiment

  const createRun = async (experimentId: string, extra: Record<string, unknown> = {}) =>
    (await gw.data(CreateRunDocument, { input: { experimentId, ...extra } })).createRun

  describe('experiments', () => {
    it('creates an experiment with tags and reads it back by id, node and list', async () => {
      const created = await createExperiment('exp-create', [{ key: 'team', value: 'vision' }])
      expect(created.id).toMatch(/^Experiment:local:\d+$/)
      expect(created).toMatchObject({ name: 'exp-create', lifecycleStage: 'ACTIVE', backend: { id: 'local', kind: 'NATIVE' } })
      expect(created.tags).toEqual([{ key: 'team', value: 'vision' }])
      expect(created.artifactLocation).toBe(`mlflow-artifacts:/${created.nativeId}`)

      const byId = await gw.data(ExperimentDocument, { id: created.id })
      expect(byId.experiment).toEqual(created)
      const node = await gw.data(NodeDocument, { id: created.id })
      expect(node.node).toMatchObject({ __typename: 'Experiment', id: created.id, name: 'exp-create' })
      const list = await gw.data(ExperimentsDocument, { filter: { name: { value: 'exp-create' } } })
      expect(list.experiments.edges.map((edge) => edge.node.id)).toEqual([created.id])
      expect(list.experiments.totalCount).toBe(1)
    })

    it('refuses a second active experiment with the same name as CONFLICT', async () => {
      await createExperiment('exp-dup')
      const again = await gw.request(CreateExperimentDocument, { input: { name: 'exp-dup' } })
      expect(errorCodes(again)).toEqual(['CONFLICT'])
      expect(again.errors?.[0].extensions?.backend).toBe('local')
      expect(again.errors?.[0].message).toContain('exp-dup')
    })

    it('refuses an empty name and an unknown backend as BAD_USER_INPUT', async () => {
      expect(errorCodes(await gw.request(CreateExperimentDocument, { input: { name: '  ' } }))).toEqual(['BAD_USER_INPUT'])
      expect(errorCodes(await gw.request(CreateExperimentDocument, { input: { name: 'x', backend: 'nope' } }))).toEqual([
        'BAD_USER_INPUT',
      ])
    })

    it('filters experiments by name pattern and tag', async () => {
      await createExperiment('filter-alpha', [{ key: 'stage', value: 'dev' }])
      await createExperiment('filter-beta', [{ key: 'stage', value: 'prod' }])
      const like = await gw.data(ExperimentsDocument, { filter: { name: { op: 'LIKE', value: 'filter-%' } } })
      expect(like.experiments.edges.map((edge) => edge.node.name).sort()).toEqual(['filter-alpha', 'filter-beta'])
      const tagged = await gw.data(ExperimentsDocument, { filter: { tags: [{ key: 'stage', value: 'prod' }] } })
      expect(tagged.experiments.edges.map((edge) => edge.node.name)).toEqual(['filter-beta'])
      const ilike = await gw.data(ExperimentsDocument, { filter: { name: { op: 'ILIKE', value: 'FILTER-A%' } } })
      expect(ilike.experiments.edges.map((edge) => edge.node.name)).toEqual(['filter-alpha'])
    })

    it('sets experiment tags through setTags, replacing an existing value', async () => {
      const experiment = await createExperiment('exp-tags', [{ key: 'a', value: '1' }])
      const result = await gw.data(SetTagsDocument, { id: experiment.id, tags: [{ key: 'a', value: '2' }, { key: 'b', value: '3' }] })
      expect(result.setTags).toMatchObject({ __typename: 'Experiment', tags: [{ key: 'a', value: '2' }, { key: 'b', value: '3' }] })
    })

    it('returns null for an experiment that does not exist, and BAD_USER_INPUT for a malformed id', async () => {
      expect((await gw.data(ExperimentDocument, { id: 'Experiment:local:999999' })).experiment).toBeNull()
      expect((await gw.data(ExperimentDocument, { id: 'Experiment:local:not-a-number' })).experiment).toBeNull()
      const malformed = await gw.request(ExperimentDocument, { id: 'garbage' })
      expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT'])
      const wrongType = await gw.request(ExperimentDocument, { id: 'Run:local:abc' })
      expect(errorCodes(wrongType)).toEqual(['BAD_USER_INPUT'])
    })
  })

  describe('runs', () => {
    it('creates a run with params and tags, then reads it by id and through nodes', async () => {
      const experiment = await createExperiment('runs-create')
      const run = await createRun(experiment.id, {
        name: 'first',
        startTime: '2026-01-02T03:04:05.000Z',
        params: [{ key: 'lr', value: '0.01' }, { key: 'batch', value: '32' }],
        tags: [{ key: 'owner', value: 'ada' }],
      })
      expect(run.id).toBe(`Run:local:${run.nativeId}`)
      expect(run.nativeId).toMatch(/^[0-9a-f]{32}$/)
      expect(run).toMatchObject({
        name: 'first',
        status: 'RUNNING',
        lifecycleStage: 'ACTIVE',
        startTime: '2026-01-02T03:04:05.000Z',
        endTime: null,
        experiment: { id: experiment.id, name: 'runs-create' },
        params: [{ key: 'batch', value: '32' }, { key: 'lr', value: '0.01' }],
        tags: [{ key: 'owner', value: 'ada' }],
        metrics: [],
      })
      expect(run.artifactUri).toBe(`mlflow-artifacts:/${experiment.nativeId}/${run.nativeId}/artifacts`)
      expect((await gw.data(RunDocument, { id: run.id })).run).toEqual(run)
      const nodes = await gw.data(NodesDocument, { ids: [run.id, experiment.id, 'Run:local:doesnotexist'] })
      expect(nodes.nodes).toEqual([{ __typename: 'Run', id: run.id }, { __typename: 'Experiment', id: experiment.id }, null])
    })

    it('refuses a run in an experiment that does not exist as NOT_FOUND', async () => {
      const result = await gw.request(CreateRunDocument, { input: { experimentId: 'Experiment:local:987654' } })
      expect(errorCodes(result)).toEqual(['NOT_FOUND'])
    })

    it('updates status, name and end time; finishing without an end time stamps one', async () => {
      const experiment = await createExperiment('runs-update')
      const run = await createRun(experiment.id)
      const renamed = await gw.data(UpdateRunDocument, { input: { id: run.id, name: 'renamed', status: 'SCHEDULED' } })
      expect(renamed.updateRun).toMatchObject({ name: 'renamed', status: 'SCHEDULED', endTime: null })
      const before = Date.now()
      const finished = await gw.data(UpdateRunDocument, { input: { id: run.id, status: 'FINISHED' } })
      expect(finished.updateRun.status).toBe('FINISHED')
      expect(Date.parse(finished.updateRun.endTime ?? '')).toBeGreaterThanOrEqual(before - 1000)
      const explicit = await gw.data(UpdateRunDocument, { input: { id: run.id, endTime: '2030-01-01T00:00:00.000Z' } })
      expect(explicit.updateRun.endTime).toBe('2030-01-01T00:00:00.000Z')
    })

    it('deletes a run (hidden from lists, still readable) and restores it', async () => {
      const experiment = await createExperiment('runs-delete')
      const run = await createRun(experiment.id)
      const listed = async (lifecycle?: 'ACTIVE' | 'DELETED' | 'ALL') =>
        (await gw.data(RunsDocument, { experimentIds: [experiment.id], filter: lifecycle ? { lifecycle } : undefined })).runs.edges.map(
          (edge) => edge.node.id,
        )
      expect((await gw.data(DeleteRunDocument, { id: run.id })).deleteRun.lifecycleStage).toBe('DELETED')
      expect(await listed()).toEqual([])
      expect(await listed('DELETED')).toEqual([run.id])
      expect(await listed('ALL')).toEqual([run.id])
      expect((await gw.data(RunDocument, { id: run.id })).run?.lifecycleStage).toBe('DELETED')
      // A deleted run takes no writes.
      const write = await gw.request(LogMetricsDocument, { runId: run.id, metrics: [{ key: 'm', value: 1 }] })
      expect(errorCodes(write)).toEqual(['BAD_USER_INPUT'])
      expect((await gw.data(RestoreRunDocument, { id: run.id })).restoreRun.lifecycleStage).toBe('ACTIVE')
      expect(await listed()).toEqual([run.id])
    })

    it('treats params as write-once: same value is fine, a different value is CONFLICT and writes nothing', async () => {
      const experiment = await createExperiment('runs-params')
      const run = await createRun(experiment.id, { params: [{ key: 'lr', value: '0.1' }] })
      const same = await gw.data(LogParamsDocument, { runId: run.id, params: [{ key: 'lr', value: '0.1' }, { key: 'depth', value: '4' }] })
      expect(same.logParams.params).toEqual([{ key: 'depth', value: '4' }, { key: 'lr', value: '0.1' }])
      const changed = await gw.request(LogParamsDocument, {
        runId: run.id,
        params: [{ key: 'fresh', value: 'x' }, { key: 'lr', value: '0.2' }],
      })
      expect(errorCodes(changed)).toEqual(['CONFLICT'])
      expect(changed.errors?.[0].message).toContain('"lr"')
      const after = (await gw.data(RunDocument, { id: run.id })).run
      expect(after?.params).toEqual([{ key: 'depth', value: '4' }, { key: 'lr', value: '0.1' }])
    })

    it('sets run tags through setTags', async () => {
      const experiment = await createExperiment('runs-tags')
      const run = await createRun(experiment.id, { tags: [{ key: 'a', value: '1' }] })
      const result = await gw.data(SetTagsDocument, { id: run.id, tags: [{ key: 'a', value: 'one' }, { key: 'mlflow.note', value: 'hi' }] })
      expect(result.setTags).toMatchObject({ __typename: 'Run', tags: [{ key: 'a', value: 'one' }, { key: 'mlflow.note', value: 'hi' }] })
    })

    it('links a nested run to its parent through the mlflow.parentRunId tag', async () => {
      const experiment = await createExperiment('runs-parent')
      const parent = await createRun(experiment.id, { name: 'parent' })
      const child = await createRun(experiment.id, { tags: [{ key: 'mlflow.parentRunId', value: parent.nativeId }] })
      expect(child.parent).toEqual({ id: parent.id })
      expect(parent.parent).toBeNull()
    })

    it('returns NOT_FOUND naming the backend when writing to a run that does not exist', async () => {
      const result = await gw.request(LogParamsDocument, { runId: 'Run:local:ffffffffffffffffffffffffffffffff', params: [{ key: 'a', value: 'b' }] })
      expect(errorCodes(result)).toEqual(['NOT_FOUND'])
      expect(result.errors?.[0].extensions?.backend).toBe('local')
    })
  })

  describe('metrics', () => {
    it('round-trips NaN and ±Infinity and keeps the latest value per key', async () => {
      const experiment = await createExperiment('metrics-nan')
      const run = await createRun(experiment.id)
      const logged = await gw.data(LogMetricsDocument, {
        runId: run.id,
        metrics: [
          { key: 'nan', value: 'NaN', step: 1, timestamp: '2026-01-01T00:00:00.000Z' },
          { key: 'inf', value: 'Infinity', step: 1, timestamp: '2026-01-01T00:00:00.000Z' },
          { key: 'ninf', value: '-Infinity', step: 1, timestamp: '2026-01-01T00:00:00.000Z' },
          { key: 'loss', value: 0.5, step: 1, timestamp: '2026-01-01T00:00:01.000Z' },
          { key: 'loss', value: 0.25, step: 2, timestamp: '2026-01-01T00:00:02.000Z' },
          { key: 'loss', value: 0.75, step: 0, timestamp: '2026-01-01T00:00:03.000Z' },
        ],
      })
      expect(logged.logMetrics.metrics).toEqual([
        { key: 'inf', value: 'Infinity', step: 1, timestamp: '2026-01-01T00:00:00.000Z' },
        { key: 'loss', value: 0.25, step: 2, timestamp: '2026-01-01T00:00:02.000Z' },
        { key: 'nan', value: 'NaN', step: 1, timestamp: '2026-01-01T00:00:00.000Z' },
        { key: 'ninf', value: '-Infinity', step: 1, timestamp: '2026-01-01T00:00:00.000Z' },
      ])
    })

    it('logs a series as columns: each index one point, in the history and the latest value, the run read when selected', async () => {
      const run = await createRun((await createExperiment('metrics-series')).id)
      const timestamps = ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z']
      const logged = await gw.data(LogMetricSeriesDocument, { runId: run.id, key: 'loss', steps: [0, 1, 2], values: [1, 'NaN', 0.25], timestamps })
      expect(logged.logMetricSeries.points).toBe(3)
      expect(logged.logMetricSeries.run.metrics).toEqual([{ key: 'loss', value: 0.25, step: 2, timestamp: timestamps[2] }])
      const history = await gw.data(MetricHistoryDocument, { id: run.id, key: 'loss' })
      expect(history.run?.metricHistory.points).toEqual([
        { step: 0, value: 1, timestamp: timestamps[0] },
        { step: 1, value: 'NaN', timestamp: timestamps[1] },
        { step: 2, value: 0.25, timestamp: timestamps[2] },
      ])
    })

    it('stamps a series without timestamps with the time of the call, and keeps a repeated point once', async () => {
      const run = await createRun((await createExperiment('metrics-series-now')).id)
      const before = Date.now()
      // Steps that do not rise: 2 then 1 then 2 again, the same value at the same time (one call, one `now`).
      expect((await gw.data(LogMetricSeriesCountDocument, { runId: run.id, key: 'acc', steps: [2, 1, 2], values: [0.5, 0.1, 0.5] })).logMetricSeries.points).toBe(3)
      const points = (await gw.data(MetricHistoryDocument, { id: run.id, key: 'acc' })).run?.metricHistory.points ?? []
      expect(points.map((point) => [point.step, point.value])).toEqual([
        [1, 0.1],
        [2, 0.5],
      ])
      for (const point of points) expect(Date.parse(point.timestamp)).toBeGreaterThanOrEqual(before - 1)
      expect(new Set(points.map((point) => point.timestamp)).size).toBe(1)
    })

    it('refuses columns of different lengths, more than 1,000 points and a bad key as BAD_USER_INPUT, writing nothing', async () => {
      const run = await createRun((await createExperiment('metrics-series-bad')).id)
      const refused = [
        { key: 'x', steps: [0, 1], values: [1] },
        { key: 'x', steps: [0], values: [1], timestamps: ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z'] },
        { key: 'x', steps: Array.from({ length: 1001 }, (_, i) => i), values: Array.from({ length: 1001 }, () => 1) },
        { key: '../x', steps: [0], values: [1] },
        { key: 'x', steps: [0], values: ['nan' as 'NaN'] },
      ]
      for (const variables of refused) {
        const result = await gw.request(LogMetricSeriesCountDocument, { runId: run.id, ...variables })
        expect(errorCodes(result)).toEqual(['BAD_USER_INPUT'])
      }
      expect((await gw.data(RunDocument, { id: run.id })).run?.metrics).toEqual([])
    })

    it('refuses a value that is not a number or a non-finite keyword as BAD_USER_INPUT', async () => {
      const experiment = await createExperiment('metrics-bad-value')
      const run = await createRun(experiment.id)
      const result = await gw.request(LogMetricsDocument, { runId: run.id, metrics: [{ key: 'm', value: 'nan' as 'NaN' }] })
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT'])
    })
  })
})
