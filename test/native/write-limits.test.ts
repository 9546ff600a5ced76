import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  CreateExperimentDocument,
  CreateRunDocument,
  LogMetricsDocument,
  LogParamsDocument,
  MetricHistoryDocument,
  RunDocument,
  SetTagsDocument,
} from '../generated/graphql.js'
import { describeEachEngine } from '../support/engines.js'
import { type TestGateway, errorCodes, startNativeGateway } from '../support/gateway.js'

/** Each of MLflow's limits, and that a batch with one bad entry writes nothing at all. */
describeEachEngine('write limits and atomic batches', (engine) => {
  let gw: TestGateway
  let runId: string

  beforeAll(async () => {
    gw = await startNativeGateway(engine)
    const experiment = (await gw.data(CreateExperimentDocument, { input: { name: 'limits' } })).createExperiment
    runId = (await gw.data(CreateRunDocument, { input: { experimentId: experiment.id } })).createRun.id
  })
  afterAll(() => gw.close())

  const metric = (key: string, step: number, value = step) => ({ key, value, step })

  const expectRefused = async (response: Promise<{ errors?: { message: string; extensions?: { code?: string } }[] }>, mentions: string) => {
    const result = await response
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT'])
    expect(result.errors?.[0].message).toContain(mentions)
  }

  const storedRun = async () => (await gw.data(RunDocument, { id: runId })).run

  it('accepts exactly 1,000 metrics in one call and refuses 1,001, writing none of them', async () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => metric('full', i))
    await gw.data(LogMetricsDocument, { runId, metrics: thousand })
    const tooMany = Array.from({ length: 1001 }, (_, i) => metric('over', i))
    await expectRefused(gw.request(LogMetricsDocument, { runId, metrics: tooMany }), 'limit is 1000')
    const history = await gw.data(MetricHistoryDocument, { id: runId, key: 'over' })
    expect(history.run?.metricHistory.totalPoints).toBe(0)
    const full = await gw.data(MetricHistoryDocument, { id: runId, key: 'full', maxPoints: 10_000 })
    expect(full.run?.metricHistory.totalPoints).toBe(1000)
  })

  it('rejects a whole metric batch when one entry has a bad key, naming the entry', async () => {
    const batch = [metric('good', 1), metric('good', 2), metric('bad key!', 3), metric('good', 4)]
    await expectRefused(gw.request(LogMetricsDocument, { runId, metrics: batch }), 'metrics[2]')
    const history = await gw.data(MetricHistoryDocument, { id: runId, key: 'good' })
    expect(history.run?.metricHistory.totalPoints).toBe(0)
  })

  it('refuses metric keys over 250 characters', async () => {
    await gw.data(LogMetricsDocument, { runId, metrics: [metric('k'.repeat(250), 1)] })
    await expectRefused(gw.request(LogMetricsDocument, { runId, metrics: [metric('k'.repeat(251), 1)] }), 'limit is 250')
  })

  it('accepts 100 params and refuses 101, writing none', async () => {
    const params = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i}`, value: 'v' }))
    await gw.data(LogParamsDocument, { runId, params: params('p', 100) })
    await expectRefused(gw.request(LogParamsDocument, { runId, params: params('q', 101) }), 'limit is 100')
    expect((await storedRun())?.params.filter((param) => param.key.startsWith('q'))).toEqual([])
  })

  it('refuses param values over 6,000 characters and keys over 250, writing none of the batch', async () => {
    await gw.data(LogParamsDocument, { runId, params: [{ key: 'long-ok', value: 'x'.repeat(6000) }] })
    await expectRefused(
      gw.request(LogParamsDocument, { runId, params: [{ key: 'fine', value: 'y' }, { key: 'long-bad', value: 'x'.repeat(6001) }] }),
      'params[1]',
    )
    await expectRefused(gw.request(LogParamsDocument, { runId, params: [{ key: 'p'.repeat(251), value: 'v' }] }), 'limit is 250')
    const keys = (await storedRun())?.params.map((param) => param.key) ?? []
    expect(keys).toContain('long-ok')
    expect(keys).not.toContain('fine')
  })

  it('refuses the same param key twice in one call', async () => {
    await expectRefused(
      gw.request(LogParamsDocument, { runId, params: [{ key: 'twice', value: 'a' }, { key: 'twice', value: 'a' }] }),
      'more than once',
    )
  })

  it('accepts 100 tags and refuses 101; refuses tag values over 8,000 characters', async () => {
    const tags = (count: number) => Array.from({ length: count }, (_, i) => ({ key: `t${i}`, value: 'v' }))
    await gw.data(SetTagsDocument, { id: runId, tags: tags(100) })
    await expectRefused(gw.request(SetTagsDocument, { id: runId, tags: tags(101) }), 'limit is 100')
    await gw.data(SetTagsDocument, { id: runId, tags: [{ key: 'big', value: 'z'.repeat(8000) }] })
    await expectRefused(gw.request(SetTagsDocument, { id: runId, tags: [{ key: 'bigger', value: 'z'.repeat(8001) }] }), 'limit is 8000')
    const keys = (await storedRun())?.tags.map((tag) => tag.key) ?? []
    expect(keys).toContain('big')
    expect(keys).not.toContain('bigger')
  })

  it('checks the same limits when a run is created with params and tags, creating nothing', async () => {
    const experiment = (await gw.data(CreateExperimentDocument, { input: { name: 'limits-create' } })).createExperiment
    const result = await gw.request(CreateRunDocument, {
      input: { experimentId: experiment.id, name: 'never', params: [{ key: 'p', value: 'x'.repeat(6001) }] },
    })
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT'])
  })
})
