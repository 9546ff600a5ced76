import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { describePostgres, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { mlflowApi } from '../support/mlflow-api.js'
import { startTcpProxy } from '../support/tcp-proxy.js'
import { experimentRoutes } from '../../src/mlflow-api/experiments.js'
import { loggedModelRoutes } from '../../src/mlflow-api/logged-models.js'
import { metricRoutes } from '../../src/mlflow-api/metrics.js'
import { modelVersionRoutes } from '../../src/mlflow-api/model-versions.js'
import { registeredModelRoutes } from '../../src/mlflow-api/registered-models.js'
import { runRoutes } from '../../src/mlflow-api/runs.js'

/**
 * The MLflow API over a native store whose PostgreSQL is gone answers as
 * MLflow's server does when its database is: 503 TEMPORARILY_UNAVAILABLE,
 * on every list and lookup, never an empty success or a 404.
 */
describePostgres('the MLflow API while its database is down', () => {
  let gw: TestGateway
  let api: ReturnType<typeof mlflowApi>
  const ids = { experiment: '', run: '' }

  beforeAll(async () => {
    const url = new URL(inject('postgresUrl') ?? 'postgres://unused')
    const proxy = await startTcpProxy(url.hostname, Number(url.port))
    const backend = nativeBackendConfig('postgres')
    gw = await startTestGateway({
      backends: [{ ...backend, database: `postgres://mlgate@127.0.0.1:${proxy.port}${url.pathname}`, circuitBreaker: { failureThreshold: 1000 } }],
    })
    api = mlflowApi(`http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`)
    ids.experiment = await api.createExperiment('outage')
    ids.run = await api.createRun(ids.experiment)
    await api.post('registered-models/create', { name: 'outage-model' })
    await proxy.cut()
  })
  afterAll(() => gw?.close())

  const calls: [string, 'GET' | 'POST', string, () => Record<string, unknown>][] = [
    ['experiments/search', 'POST', 'experiments/search', () => ({ max_results: 10 })],
    ['experiments/get', 'GET', 'experiments/get', () => ({ experiment_id: ids.experiment })],
    ['experiments/get-by-name', 'GET', 'experiments/get-by-name', () => ({ experiment_name: 'outage' })],
    ['runs/search', 'POST', 'runs/search', () => ({ experiment_ids: [ids.experiment] })],
    ['runs/get', 'GET', 'runs/get', () => ({ run_id: ids.run })],
    ['metrics/get-history', 'GET', 'metrics/get-history', () => ({ run_id: ids.run, metric_key: 'loss' })],
    ['registered-models/search', 'GET', 'registered-models/search', () => ({})],
    ['registered-models/get', 'GET', 'registered-models/get', () => ({ name: 'outage-model' })],
    ['model-versions/search', 'GET', 'model-versions/search', () => ({})],
    ['logged-models/search', 'POST', 'logged-models/search', () => ({ experiment_ids: [ids.experiment] })],
    ['artifacts/list', 'GET', 'artifacts/list', () => ({ run_id: ids.run })],
    ['metrics/get-history-bulk-interval', 'GET', 'metrics/get-history-bulk-interval', () => ({ run_ids: [ids.run], metric_key: 'loss', max_results: 10 })],
    ['metrics/get-history-bulk', 'GET', 'metrics/get-history-bulk', () => ({ run_id: [ids.run], metric_key: 'loss' })],
    ['registered-models/get-latest-versions', 'GET', 'registered-models/get-latest-versions', () => ({ name: 'outage-model' })],
    ['registered-models/alias', 'GET', 'registered-models/alias', () => ({ name: 'outage-model', alias: 'champion' })],
    ['model-versions/get', 'GET', 'model-versions/get', () => ({ name: 'outage-model', version: '1' })],
    ['model-versions/get-download-uri', 'GET', 'model-versions/get-download-uri', () => ({ name: 'outage-model', version: '1' })],
    ['logged-models/:model_id', 'GET', `logged-models/m-${'0'.repeat(32)}`, () => ({})],
  ]

  it('covers every lookup and list endpoint of the API', () => {
    const readRoutes = [...experimentRoutes, ...runRoutes, ...metricRoutes, ...registeredModelRoutes, ...modelVersionRoutes, ...loggedModelRoutes]
      .filter((route) => route.method === 'GET' || route.path.endsWith('/search'))
      .map((route) => route.path)
    expect(new Set(calls.map(([name]) => name))).toEqual(new Set([...readRoutes, 'artifacts/list']))
  })

  for (const [name, method, path, body] of calls) {
    it(`answers ${name} with 503 TEMPORARILY_UNAVAILABLE`, async () => {
      const answer = await api.request(method, path, body())
      expect({ status: answer.status, code: answer.body.error_code }).toEqual({ status: 503, code: 'TEMPORARILY_UNAVAILABLE' })
    })
  }
})
