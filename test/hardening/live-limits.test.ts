import { createClient as createSseClient } from 'graphql-sse'
import { createClient as createWsClient } from 'graphql-ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { waitForWatchers } from '../support/live.js'
import { collectSubscription } from '../support/subscription.js'

/**
 * Live subscriptions under hostile clients: a bad graphql-ws message fails
 * its own operation and not the socket's others, frames are bounded, and
 * subscriptions are counted per socket and per client address.
 */
describe('live subscription limits', () => {
  let gw: TestGateway
  let port: number
  let experimentId: string
  let runId: string

  beforeAll(async () => {
    gw = await startTestGateway({
      backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }],
      limits: { subscriptionsPerConnection: 3, subscriptionsPerClient: 5, wsMessageBytes: 64 * 1024 },
    })
    port = await gw.gateway.listen(0, '127.0.0.1')
    const graphql = async (query: string, variables: unknown) => {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
      return ((await response.json()) as { data: Record<string, { id: string }> }).data
    }
    experimentId = (await graphql('mutation { createExperiment(input: { name: "live-limits" }) { id } }', {})).createExperiment.id
    runId = (await graphql('mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', { e: experimentId })).createRun.id
  })
  afterAll(() => gw.close())

  const runUpdates = 'subscription ($e: ID!) { runUpdates(experimentId: $e) { kind } }'
  const wsClient = () => createWsClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true })

  it('answers a syntax error in one graphql-ws operation with its own error; the socket keeps its other subscriptions', async () => {
    // The earlier tests' subscriptions are gone, and their slots with them.
    await waitForWatchers(gw, 'local', 0)
    const client = wsClient()
    const healthy = collectSubscription<{ kind: string }>(client.iterate({ query: runUpdates, variables: { e: experimentId } }), 'runUpdates')
    const broken = client.iterate({ query: 'subscription { runUpdates(experimentId: ' })
    const refusal = await broken.next().then(
      (result) => result.value,
      (errors: unknown) => ({ errors }),
    )
    expect(JSON.stringify(refusal)).toContain('BAD_USER_INPUT')
    // The healthy subscription on the same socket still receives.
    await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', variables: { e: experimentId } }),
    })
    await healthy.until((events) => events.some((event) => event.kind === 'CREATED'))
    await healthy.stop()
    await client.dispose()
  })

  it('closes a socket that sends a frame past limits.wsMessageBytes (and only that socket)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws')
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(128 * 1024) } })))
      socket.once('close', (code) => resolve(code))
    })
    // 1009: message too big.
    expect(closed).toBe(1009)
    const health = await fetch(`http://127.0.0.1:${port}/health`)
    expect(health.status).toBe(200)
  })

  it('refuses a subscription past limits.subscriptionsPerConnection with RATE_LIMITED, keeping the others', async () => {
    // The earlier tests' subscriptions are gone, and their slots with them.
    await waitForWatchers(gw, 'local', 0)
    const client = wsClient()
    const held = Array.from({ length: 3 }, () => collectSubscription(client.iterate({ query: runUpdates, variables: { e: experimentId } }), 'runUpdates'))
    await waitForWatchers(gw, 'local', 3)
    const extra = await client
      .iterate({ query: runUpdates, variables: { e: experimentId } })
      .next()
      .then(
        (result) => result.value,
        (errors: unknown) => ({ errors }),
      )
    expect(JSON.stringify(extra)).toContain('RATE_LIMITED')
    for (const subscription of held) expect(subscription.ended()).toBe(false)
    await Promise.all(held.map((subscription) => subscription.stop()))
    await client.dispose()
  })

  it('refuses a subscription past limits.subscriptionsPerClient across SSE and graphql-ws, and frees the slots when they end', async () => {
    // The earlier tests' subscriptions are gone, and their slots with them.
    await waitForWatchers(gw, 'local', 0)
    const clients = Array.from({ length: 2 }, wsClient)
    const sse = createSseClient({ url: `http://127.0.0.1:${port}/graphql`, retryAttempts: 0 })
    const held = [
      ...clients.flatMap((client) => [0, 1].map(() => collectSubscription(client.iterate({ query: runUpdates, variables: { e: experimentId } }), 'runUpdates'))),
      collectSubscription(sse.iterate({ query: runUpdates, variables: { e: experimentId } }), 'runUpdates'),
    ]
    await new Promise((resolve) => setTimeout(resolve, 300))
    await waitForWatchers(gw, 'local', 5)
    // Over SSE the refusal is an HTTP 429 with Retry-After, and the coded error as its body.
    const refused = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: runUpdates, variables: { e: experimentId } }),
    })
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect(await refused.text()).toContain('RATE_LIMITED')
    await Promise.all(held.map((subscription) => subscription.stop()))
    await waitForWatchers(gw, 'local', 0)
    // With the slots free, the same client subscribes again.
    const again = collectSubscription(sse.iterate({ query: runUpdates, variables: { e: experimentId } }), 'runUpdates')
    await waitForWatchers(gw, 'local', 1)
    await again.stop()
    await Promise.all(clients.map((client) => client.dispose()))
    sse.dispose()
  })

  it('keeps counting right: eight rounds past the limit of five, each subscription released when its client leaves', async () => {
    // The earlier tests' subscriptions are gone, and their slots with them.
    await waitForWatchers(gw, 'local', 0)
    const sse = createSseClient({ url: `http://127.0.0.1:${port}/graphql`, retryAttempts: 0 })
    for (let round = 0; round < 8; round++) {
      const subscription = collectSubscription(sse.iterate({ query: 'subscription ($r: [ID!]!) { metricUpdates(runIds: $r) { key } }', variables: { r: [runId] } }), 'metricUpdates')
      await waitForWatchers(gw, 'local', 1)
      await subscription.stop()
      await waitForWatchers(gw, 'local', 0)
    }
    sse.dispose()
  })
})
