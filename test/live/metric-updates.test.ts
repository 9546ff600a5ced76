import { print } from 'graphql'
import { createClient as createSseClient } from 'graphql-sse'
import { createClient as createWsClient } from 'graphql-ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { CreateExperimentDocument, CreateRunDocument, LogMetricsDocument, MetricUpdatesDocument } from '../generated/graphql.js'
import { describeEachEngine, describePostgres, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startNativeGateway, startTestGateway } from '../support/gateway.js'
import { startGatewayProcess } from '../support/gateway-process.js'
import { waitForWatchers } from '../support/live.js'
import { collectSubscription } from '../support/subscription.js'

interface Update {
  key: string
  cursor: string
  droppedPoints: number
  run: { id: string; status: string } | null
  points: { step: number; value: number | string }[]
}

const collect = (iterator: AsyncIterableIterator<{ data?: unknown; errors?: unknown }>) => collectSubscription<Update>(iterator, 'metricUpdates')

describeEachEngine('metricUpdates subscriptions', (engine) => {
  let gw: TestGateway
  let base: string
  let experimentId: string
  const query = print(MetricUpdatesDocument)

  beforeAll(async () => {
    gw = await startNativeGateway(engine)
    base = `127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    experimentId = (await gw.data(CreateExperimentDocument, { input: { name: 'live' } })).createExperiment.id
  })
  afterAll(() => gw.close())

  // Each test starts once the previous test's subscriptions are gone, so watcher counts are its own.
  const newRun = async () => {
    await waitForWatchers(gw, 'local', 0)
    return (await gw.data(CreateRunDocument, { input: { experimentId } })).createRun.id
  }
  const log = (runId: string, metrics: { key: string; value: number | 'NaN'; step: number }[]) => gw.data(LogMetricsDocument, { runId, metrics })
  const sse = () => createSseClient({ url: `http://${base}/graphql`, retryAttempts: 0 })
  const ws = () => createWsClient({ url: `ws://${base}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true })

  it('streams over SSE: a 1,000-point logMetrics is one event per key', async () => {
    const runId = await newRun()
    const client = sse()
    const sub = collect(client.iterate({ query, variables: { runIds: [runId] } }))
    await waitForWatchers(gw, 'local', 1)
    await log(runId, Array.from({ length: 1000 }, (_, step) => ({ key: 'loss', value: step / 1000, step })))
    await log(runId, [
      { key: 'acc', value: 0.5, step: 1 },
      { key: 'loss', value: 'NaN', step: 1000 },
    ])
    await sub.until((events) => events.length >= 3)
    await sub.stop()
    expect(sub.events.map((event) => [event.key, event.points.length])).toEqual([
      ['loss', 1000],
      ['acc', 1],
      ['loss', 1],
    ])
    expect(sub.events[0].points.map((point) => point.step)).toEqual(Array.from({ length: 1000 }, (_, step) => step))
    expect(sub.events[2].points[0].value).toBe('NaN')
    expect(sub.events[0].run).toEqual({ id: runId, status: 'RUNNING' })
    client.dispose()
  })

  it('streams over graphql-ws, with a keys filter', async () => {
    const runId = await newRun()
    const client = ws()
    const sub = collect(client.iterate({ query, variables: { runIds: [runId], keys: ['acc'] } }))
    await waitForWatchers(gw, 'local', 1)
    await log(runId, [
      { key: 'loss', value: 1, step: 1 },
      { key: 'acc', value: 0.25, step: 1 },
    ])
    await log(runId, [{ key: 'acc', value: 0.5, step: 2 }])
    await sub.until((events) => events.length >= 2)
    await sub.stop()
    expect(sub.events.map((event) => [event.key, event.points.map((point) => point.value)])).toEqual([
      ['acc', [0.25]],
      ['acc', [0.5]],
    ])
    await client.dispose()
  })

  it('resumes from a cursor with no gap and no repeat, also from the middle of one write', async () => {
    const runId = await newRun()
    const client = sse()
    const first = collect(client.iterate({ query, variables: { runIds: [runId] } }))
    await waitForWatchers(gw, 'local', 1)
    await log(runId, [
      { key: 'a', value: 1, step: 1 },
      { key: 'b', value: 1, step: 1 },
      { key: 'c', value: 1, step: 1 },
    ])
    await first.until((events) => events.length >= 3)
    await first.stop()
    // Cut off after the first key of that write; more is logged while away.
    const cursor = first.events[0].cursor
    expect(first.events.map((event) => event.key)).toEqual(['a', 'b', 'c'])
    await log(runId, [{ key: 'a', value: 2, step: 2 }])
    await log(runId, [{ key: 'b', value: 2, step: 2 }])
    const resumed = collect(client.iterate({ query, variables: { runIds: [runId], since: cursor } }))
    await resumed.until((events) => events.reduce((n, event) => n + event.points.length, 0) >= 4)
    await log(runId, [{ key: 'c', value: 3, step: 3 }])
    await resumed.until((events) => events.some((event) => event.key === 'c' && event.points.some((p) => p.step === 3)))
    await resumed.stop()
    const received = resumed.events.flatMap((event) => event.points.map((point) => `${event.key}@${point.step}`)).sort()
    expect(received).toEqual(['a@2', 'b@1', 'b@2', 'c@1', 'c@3'])
    client.dispose()
  })

  it('refuses a cursor it did not issue', async () => {
    const runId = await newRun()
    const client = sse()
    await expect(
      (async () => {
        for await (const result of client.iterate({ query, variables: { runIds: [runId], since: 'bogus' } })) {
          if (result.errors) throw new Error(JSON.stringify(result.errors))
        }
      })(),
    ).rejects.toThrow(/BAD_USER_INPUT/)
    client.dispose()
  })
})

describe('subscriptions at shutdown', () => {
  it('complete cleanly on both transports when the gateway stops', async () => {
    const gw = await startNativeGateway('pglite')
    const base = `127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    const experimentId = (await gw.data(CreateExperimentDocument, { input: { name: 'stopping' } })).createExperiment.id
    const runId = (await gw.data(CreateRunDocument, { input: { experimentId } })).createRun.id
    const query = print(MetricUpdatesDocument)
    const sseClient = createSseClient({ url: `http://${base}/graphql`, retryAttempts: 0 })
    const wsClient = createWsClient({ url: `ws://${base}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 })
    const overSse = collect(sseClient.iterate({ query, variables: { runIds: [runId] } }))
    const overWs = collect(wsClient.iterate({ query, variables: { runIds: [runId] } }))
    await waitForWatchers(gw, 'local', 2)
    await gw.data(LogMetricsDocument, { runId, metrics: [{ key: 'x', value: 1, step: 1 }] })
    await overSse.until((events) => events.length === 1)
    await overWs.until((events) => events.length === 1)
    await gw.close()
    await overSse.done
    await overWs.done
    expect(overSse.ended()).toBe(true)
    expect(overWs.ended()).toBe(true)
    sseClient.dispose()
    await wsClient.dispose()
  })
})

describePostgres('two gateway replicas on one PostgreSQL', () => {
  it('a subscriber on replica B receives points logged through replica A', async () => {
    const backend = nativeBackendConfig('postgres')
    const replicaA = await startTestGateway({ backends: [backend] })
    const replicaB = await startGatewayProcess({ backends: [backend] })
    const client = createSseClient({ url: `http://127.0.0.1:${replicaB.port}/graphql`, retryAttempts: 0 })
    try {
      const experimentId = (await replicaA.data(CreateExperimentDocument, { input: { name: 'replicas' } })).createExperiment.id
      const runId = (await replicaA.data(CreateRunDocument, { input: { experimentId } })).createRun.id
      const sub = collect(client.iterate({ query: print(MetricUpdatesDocument), variables: { runIds: [runId] } }))
      await new Promise((resolve) => setTimeout(resolve, 500))
      await replicaA.data(LogMetricsDocument, { runId, metrics: Array.from({ length: 50 }, (_, step) => ({ key: 'loss', value: step, step })) })
      await sub.until((events) => events.length >= 1)
      await sub.stop()
      expect(sub.events[0]).toMatchObject({ key: 'loss', run: { id: runId } })
      expect(sub.events[0].points).toHaveLength(50)
    } finally {
      client.dispose()
      await replicaB.stop()
      await replicaA.close()
    }
  })
})
