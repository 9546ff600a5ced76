import { afterAll, beforeAll, expect, it } from 'vitest'
import { CreateExperimentDocument, ExperimentsDocument } from '../generated/graphql.js'
import { describeMlflow } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { type HttpProxy, startHttpProxy } from '../support/http-proxy.js'

/** The optional cross-request cache for MLflow reads, counted at a proxy in front of the real server. */
describeMlflow('MLflow read cache', (mlflowUrl) => {
  let proxy: HttpProxy
  let gw: TestGateway
  beforeAll(async () => {
    proxy = await startHttpProxy(mlflowUrl)
    gw = await startTestGateway({
      backends: [
        { id: 'cached', kind: 'mlflow', url: proxy.url, cacheTtlMs: 60_000, readOnly: false },
        { id: 'uncached', kind: 'mlflow', url: proxy.url },
      ],
    })
  })
  afterAll(async () => {
    await gw?.close()
    await proxy?.close()
  })

  const names = async (backend: string) => (await gw.data(ExperimentsDocument, { backends: [backend], first: 1000 })).experiments.edges.map((edge) => edge.node.name)

  it('answers a repeated read from the cache, and a write through mlgate empties it', async () => {
    proxy.requests.length = 0
    const before = await names('cached')
    const firstCalls = proxy.requests.length
    expect(firstCalls).toBeGreaterThan(0)
    expect(await names('cached')).toEqual(before)
    expect(proxy.requests.length).toBe(firstCalls)

    const name = `cache-${Date.now()}`
    await gw.data(CreateExperimentDocument, { input: { name, backend: 'cached' } })
    expect(await names('cached')).toContain(name)
  })

  it('is off by default: every read reaches the server', async () => {
    proxy.requests.length = 0
    await names('uncached')
    const once = proxy.requests.length
    await names('uncached')
    expect(proxy.requests.length).toBe(2 * once)
  })
})
