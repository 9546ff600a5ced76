import { afterAll, beforeAll, expect, it } from 'vitest'
import { CreateExperimentDocument, CreateRunDocument, ExperimentsDocument, RunDocument, RunsDocument } from '../generated/graphql.js'
import { describeMlflow } from '../support/engines.js'
import { type TestGateway, errorCodes, startTestGateway } from '../support/gateway.js'
import { type HttpProxy, startHttpProxy } from '../support/http-proxy.js'
import { mlflowApi } from '../support/mlflow-api.js'
import { type TcpProxy, startTcpProxy } from '../support/tcp-proxy.js'

/**
 * One graph, some backends down: a list answers with the healthy backends'
 * items plus one error per failed backend, naming it.
 */
describeMlflow('partial failure across backends', (mlflowUrl) => {
  let gw: TestGateway
  let cut: TcpProxy
  let slow: HttpProxy
  let nativeRunId: string
  let mlflowRunId: string

  beforeAll(async () => {
    const api = mlflowApi(mlflowUrl)
    const experimentId = await api.createExperiment(`partial-${Date.now()}`)
    mlflowRunId = await api.createRun(experimentId, { name: 'remote' })
    cut = await startTcpProxy('127.0.0.1', Number(new URL(mlflowUrl).port))
    slow = await startHttpProxy(mlflowUrl)
    slow.delayMs = 2000
    gw = await startTestGateway({
      backends: [
        { id: 'local', kind: 'native', dataDir: 'memory://' },
        { id: 'lab', kind: 'mlflow', url: `http://127.0.0.1:${cut.port}` },
        { id: 'slow', kind: 'mlflow', url: slow.url, timeoutMs: 300 },
      ],
    })
    const experiment = (await gw.data(CreateExperimentDocument, { input: { name: 'healthy' } })).createExperiment
    nativeRunId = (await gw.data(CreateRunDocument, { input: { experimentId: experiment.id, name: 'here' } })).createRun.id
  })
  afterAll(async () => {
    await gw?.close()
    await slow?.close()
  })

  it('a slow backend times out alone: the list has everyone else', async () => {
    const result = await gw.request(RunsDocument, { first: 1000 })
    const ids = result.data?.runs.edges.map((edge) => edge.node.id) ?? []
    expect(ids).toContain(nativeRunId)
    expect(ids).toContain(`Run:lab:${mlflowRunId}`)
    expect(ids.some((id) => id.startsWith('Run:slow:'))).toBe(false)
    expect(result.errors?.map((error) => [error.extensions?.code, error.extensions?.backend, error.path])).toEqual([
      ['BACKEND_TIMEOUT', 'slow', ['runs']],
    ])
    expect(result.data?.runs.totalCount).toBeNull()
  })

  it('a stopped backend and a slow one: native data all there, one error per failed backend', async () => {
    await cut.cut()
    const runs = await gw.request(RunsDocument, { first: 1000 })
    expect(runs.data?.runs.edges.map((edge) => edge.node.id)).toEqual([nativeRunId])
    expect(runs.errors?.map((error) => [error.extensions?.code, error.extensions?.backend]).sort()).toEqual([
      ['BACKEND_TIMEOUT', 'slow'],
      ['BACKEND_UNAVAILABLE', 'lab'],
    ])
    const experiments = await gw.request(ExperimentsDocument, {})
    expect(experiments.data?.experiments.edges.map((edge) => edge.node.name)).toEqual(['healthy', 'Default'])
    expect(errorCodes(experiments).sort()).toEqual(['BACKEND_TIMEOUT', 'BACKEND_UNAVAILABLE'])
  })

  it('a lookup on a failed backend is null with that backend named', async () => {
    const result = await gw.request(RunDocument, { id: `Run:lab:${mlflowRunId}` })
    expect(result.data?.run).toBeNull()
    expect(result.errors?.map((error) => [error.extensions?.code, error.extensions?.backend])).toEqual([['BACKEND_UNAVAILABLE', 'lab']])
    expect((await gw.data(RunDocument, { id: nativeRunId })).run?.name).toBe('here')
  })
})
