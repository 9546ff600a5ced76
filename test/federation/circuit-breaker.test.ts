import { createClient as createSseClient } from 'graphql-sse'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BackendCircuitsDocument, ExperimentsDocument } from '../generated/graphql.js'
import { describeMlflow } from '../support/engines.js'
import { type TestGateway, errorCodes, startTestGateway } from '../support/gateway.js'
import { type HttpProxy, startHttpProxy } from '../support/http-proxy.js'

/** The circuit breaker against a real MLflow server whose connections a proxy resets on demand. */
describeMlflow('circuit breaker', (mlflowUrl) => {
  let proxy: HttpProxy
  let downProxy: HttpProxy
  let gw: TestGateway
  beforeAll(async () => {
    proxy = await startHttpProxy(mlflowUrl)
    downProxy = await startHttpProxy(mlflowUrl)
    gw = await startTestGateway({
      backends: [
        { id: 'local', kind: 'native', dataDir: 'memory://' },
        { id: 'lab', kind: 'mlflow', url: proxy.url, circuitBreaker: { failureThreshold: 2, openMs: 400 } },
        // Stays open for the whole test once tripped.
        { id: 'down', kind: 'mlflow', url: downProxy.url, circuitBreaker: { failureThreshold: 1, openMs: 600_000 } },
      ],
    })
  })
  afterAll(async () => {
    await gw?.close()
    await proxy?.close()
    await downProxy?.close()
  })

  let port: number | undefined
  const listening = async () => (port ??= await gw.gateway.listen(0, '127.0.0.1'))

  const circuitOf = async (id: string) => (await gw.data(BackendCircuitsDocument)).backends.find((backend) => backend.id === id)?.health

  it('opens after consecutive failures, fails fast while open, and closes after a successful probe', async () => {
    expect((await circuitOf('lab'))?.circuit).toBe('CLOSED')
    proxy.reset = true
    for (let i = 0; i < 2; i++) {
      const result = await gw.request(ExperimentsDocument, { backends: ['lab'] })
      expect(errorCodes(result)).toEqual(['BACKEND_UNAVAILABLE'])
    }
    // Open: the next call never reaches the server.
    const reached = proxy.requests.length
    const fast = await gw.request(ExperimentsDocument, { backends: ['lab'] })
    expect(errorCodes(fast)).toEqual(['BACKEND_UNAVAILABLE'])
    expect(fast.errors?.[0].message).toContain('circuit open')
    expect(proxy.requests.length).toBe(reached)
    expect(await circuitOf('lab')).toMatchObject({ state: 'DOWN', circuit: 'OPEN' })
    expect((await circuitOf('local'))?.circuit).toBe('CLOSED')
    // The other backend is unaffected.
    expect((await gw.request(ExperimentsDocument, {})).data?.experiments.edges.some((edge) => edge.node.id === 'Experiment:local:0')).toBe(true)

    // The server recovers; after openMs one probe goes through and closes the circuit.
    proxy.reset = false
    await new Promise((resolve) => setTimeout(resolve, 450))
    const recovered = await gw.request(ExperimentsDocument, { backends: ['lab'] })
    expect(recovered.errors).toBeUndefined()
    expect(recovered.data?.experiments.edges.length).toBeGreaterThan(0)
    expect((await circuitOf('lab'))?.circuit).toBe('CLOSED')
  })

  it.each([
    ['metricUpdates', 'subscription { metricUpdates(runIds: ["Run:down:0123456789abcdef0123456789abcdef"]) { key } }'],
    ['runUpdates', 'subscription { runUpdates(experimentId: "Experiment:down:0") { kind } }'],
    ['modelVersionEvents', 'subscription { modelVersionEvents(modelId: "RegisteredModel:down:churn") { kind } }'],
  ])('a %s subscription opened while the backend\'s circuit is open fails at once with BACKEND_UNAVAILABLE', async (_, query) => {
    downProxy.reset = true
    const tripped = await gw.request(ExperimentsDocument, { backends: ['down'] })
    expect(errorCodes(tripped)).toEqual(['BACKEND_UNAVAILABLE'])
    expect((await circuitOf('down'))?.circuit).toBe('OPEN')
    downProxy.reset = false
    const reached = downProxy.requests.length

    const port = await listening()
    const client = createSseClient({ url: `http://127.0.0.1:${port}/graphql`, retryAttempts: 0 })
    try {
      const results: unknown[] = []
      for await (const result of client.iterate({ query })) results.push(result)
      expect(results).toMatchObject([{ errors: [{ extensions: { code: 'BACKEND_UNAVAILABLE', backend: 'down' } }] }])
      expect(JSON.stringify(results)).toContain('circuit open')
    } finally {
      client.dispose()
    }
    // Refused by the breaker: the server was never asked, and the circuit is still open.
    expect(downProxy.requests.length).toBe(reached)
    expect((await circuitOf('down'))?.circuit).toBe('OPEN')
  })
})
