import { afterAll, beforeAll, expect, it } from 'vitest'
import { BackendCircuitsDocument, ExperimentsDocument } from '../generated/graphql.js'
import { describeMlflow } from '../support/engines.js'
import { type TestGateway, errorCodes, startTestGateway } from '../support/gateway.js'
import { type HttpProxy, startHttpProxy } from '../support/http-proxy.js'

/** The circuit breaker against a real MLflow server whose connections a proxy resets on demand. */
describeMlflow('circuit breaker', (mlflowUrl) => {
  let proxy: HttpProxy
  let gw: TestGateway
  beforeAll(async () => {
    proxy = await startHttpProxy(mlflowUrl)
    gw = await startTestGateway({
      backends: [
        { id: 'local', kind: 'native', dataDir: 'memory://' },
        { id: 'lab', kind: 'mlflow', url: proxy.url, circuitBreaker: { failureThreshold: 2, openMs: 400 } },
      ],
    })
  })
  afterAll(async () => {
    await gw?.close()
    await proxy?.close()
  })

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
})
