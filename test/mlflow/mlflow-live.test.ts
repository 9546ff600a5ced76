import { print } from 'graphql'
import { createClient as createSseClient } from 'graphql-sse'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MetricUpdatesDocument } from '../generated/graphql.js'
import { describeMlflow } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { type HttpProxy, startHttpProxy } from '../support/http-proxy.js'
import { mlflowApi } from '../support/mlflow-api.js'

/** Live metrics from a real MLflow server: one shared poller per run, whatever the number of subscribers. */
describeMlflow('MLflow live metrics', (mlflowUrl) => {
  const api = mlflowApi(mlflowUrl)
  const INTERVAL_MS = 250
  let proxy: HttpProxy
  let gw: TestGateway
  let base: string

  beforeAll(async () => {
    proxy = await startHttpProxy(mlflowUrl)
    gw = await startTestGateway({ backends: [{ id: 'lab', kind: 'mlflow', url: proxy.url, poll: { intervalMs: INTERVAL_MS } }] })
    base = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}/graphql`
  })
  afterAll(async () => {
    await gw?.close()
    await proxy?.close()
  })

  it('serves 50 subscribers of one run with one runs/get per interval, and stops after the run ends', async () => {
    const experimentId = await api.createExperiment(`live-${Date.now()}`)
    const runId = await api.createRun(experimentId, { name: 'watched' })
    await api.logBatch(runId, { metrics: [{ key: 'loss', value: 1, step: 0 }] })
    const client = createSseClient({ url: base, retryAttempts: 0 })
    const received: number[][] = Array.from({ length: 50 }, () => [])
    const subscriptions = received.map((steps) => {
      const iterator = client.iterate({ query: print(MetricUpdatesDocument), variables: { runIds: [`Run:lab:${runId}`] } })
      const done = (async () => {
        for await (const result of iterator) {
          const update = (result.data as { metricUpdates: { points: { step: number }[] } }).metricUpdates
          steps.push(...update.points.map((point) => point.step))
        }
      })()
      return { iterator, done }
    })
    // Let all 50 subscriptions settle before counting.
    await new Promise((resolve) => setTimeout(resolve, 8 * INTERVAL_MS))

    proxy.requests.length = 0
    const started = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 8 * INTERVAL_MS))
    const polls = proxy.requests.length
    const intervals = (Date.now() - started) / INTERVAL_MS
    expect(new Set(proxy.requests)).toEqual(new Set(['GET /api/2.0/mlflow/runs/get']))
    // One poller for all 50 subscribers: about one request per interval, never one per subscriber.
    expect(polls).toBeGreaterThanOrEqual(1)
    expect(polls).toBeLessThanOrEqual(Math.ceil(intervals) + 1)

    await api.logBatch(runId, { metrics: [1, 2, 3].map((step) => ({ key: 'loss', value: step, step })) })
    for (let i = 0; i < 200 && received.some((steps) => steps.length < 3); i++) await new Promise((resolve) => setTimeout(resolve, 25))
    expect(received.every((steps) => steps.join() === '1,2,3')).toBe(true)

    // The run ends: one final poll, then silence.
    await api.post('runs/update', { run_id: runId, status: 'FINISHED' })
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_MS))
    proxy.requests.length = 0
    await new Promise((resolve) => setTimeout(resolve, 4 * INTERVAL_MS))
    expect(proxy.requests).toEqual([])

    await Promise.all(subscriptions.map(({ iterator }) => iterator.return?.()))
    await Promise.all(subscriptions.map(({ done }) => done.catch(() => {})))
    client.dispose()
  })
})
