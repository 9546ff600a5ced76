import { print } from 'graphql'
import { createClient as createWsClient } from 'graphql-ws'
import { afterAll, beforeAll, expect, it } from 'vitest'
import WebSocket from 'ws'
import { CreateExperimentDocument, CreateRunDocument, LogMetricsDocument, MetricUpdatesDocument } from '../generated/graphql.js'
import { describePostgres, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { waitForWatchers } from '../support/live.js'
import { collectSubscription } from '../support/subscription.js'

interface Update {
  key: string
  droppedPoints: number
  points: { step: number }[]
}

const BATCHES = 500
const POINTS = 1000

/**
 * A subscriber that stops reading (its TCP socket paused, so the gateway's
 * writes to it block) next to one that keeps up: logging goes on at full
 * speed, the fast subscriber gets every point, and the slow one, once it
 * reads again, gets fewer events whose points plus `droppedPoints` add up
 * to everything logged.
 */
describePostgres('a slow subscriber', () => {
  let gw: TestGateway
  let url: string
  beforeAll(async () => {
    gw = await startTestGateway({ backends: [nativeBackendConfig('postgres')] })
    url = `ws://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}/graphql`
  })
  afterAll(() => gw.close())

  it('never slows logging or the other subscribers, and learns what it missed', async () => {
    const experiment = (await gw.data(CreateExperimentDocument, { input: { name: 'slow-subscriber' } })).createExperiment
    const run = (await gw.data(CreateRunDocument, { input: { experimentId: experiment.id } })).createRun
    const query = print(MetricUpdatesDocument)

    const fastClient = createWsClient({ url, webSocketImpl: WebSocket, retryAttempts: 0 })
    const fast = collectSubscription<Update>(fastClient.iterate({ query, variables: { runIds: [run.id] } }), 'metricUpdates')

    // The slow one speaks graphql-transport-ws by hand, so its socket can be paused.
    const slowEvents: Update[] = []
    const slow = new WebSocket(url, 'graphql-transport-ws')
    slow.on('message', (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { type: string; payload?: { data?: { metricUpdates: Update } } }
      if (message.type === 'connection_ack') slow.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { runIds: [run.id] } } }))
      if (message.type === 'next' && message.payload?.data) slowEvents.push(message.payload.data.metricUpdates)
    })
    await new Promise((resolve) => slow.once('open', resolve))
    slow.send(JSON.stringify({ type: 'connection_init' }))
    await waitForWatchers(gw, 'local', 2)
    const socket: unknown = Reflect.get(slow, '_socket')
    if (!(socket && typeof socket === 'object' && 'pause' in socket && 'resume' in socket && typeof socket.pause === 'function' && typeof socket.resume === 'function')) {
      throw new Error('ws no longer exposes its socket')
    }
    socket.pause()

    for (let batch = 0; batch < BATCHES; batch += 1) {
      const metrics = Array.from({ length: POINTS }, (_, i) => ({ key: 'loss', value: i / POINTS, step: batch * POINTS + i }))
      await gw.data(LogMetricsDocument, { runId: run.id, metrics })
    }
    // Logging finished while the slow subscriber read nothing: it held nobody up, and it is still subscribed.
    await waitForWatchers(gw, 'local', 2)
    await fast.until((events) => events.reduce((sum, event) => sum + event.points.length, 0) === BATCHES * POINTS)
    expect(fast.events).toHaveLength(BATCHES)
    expect(fast.events.every((event) => event.droppedPoints === 0)).toBe(true)

    socket.resume()
    const accounted = () => slowEvents.reduce((sum, event) => sum + event.points.length + event.droppedPoints, 0)
    for (let i = 0; i < 800 && accounted() < BATCHES * POINTS; i += 1) await new Promise((resolve) => setTimeout(resolve, 25))
    expect(accounted()).toBe(BATCHES * POINTS)
    expect(slowEvents.length).toBeLessThan(BATCHES)
    expect(slowEvents.some((event) => event.droppedPoints > 0)).toBe(true)
    // What it did get is in order, each point once.
    const steps = slowEvents.flatMap((event) => event.points.map((point) => point.step))
    expect(steps).toEqual([...steps].sort((a, b) => a - b))
    expect(new Set(steps).size).toBe(steps.length)

    slow.close()
    await fast.stop()
    await fastClient.dispose()
  }, 180_000)
})
