import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeMlflow } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { type HttpProxy, startHttpProxy } from '../support/http-proxy.js'

/**
 * An MLflow backend that answers badly (a 400 echoing our request's headers,
 * a 404 page, a 200 that is not JSON): every list still returns the other
 * backends' data with one coded error naming it, and the configured bearer
 * token appears in no answer, no health report and not in /ready.
 */
const TOKEN = 'mlgate-test-token-7f3a9c2e'

type Answer = { data?: Record<string, { nodes?: { id: string }[] } | null> | null; errors?: { message: string; extensions?: { code?: string; backend?: string } }[] }

describeMlflow('an upstream that answers badly', (mlflowUrl) => {
  let gw: TestGateway
  let base: string
  let proxy: HttpProxy
  let nativeExperimentId: string

  beforeAll(async () => {
    proxy = await startHttpProxy(mlflowUrl)
    gw = await startTestGateway({
      backends: [
        { id: 'local', kind: 'native', dataDir: 'memory://' },
        { id: 'bad', kind: 'mlflow', url: proxy.url, auth: { bearer: TOKEN }, circuitBreaker: { failureThreshold: 1000 } },
      ],
    })
    base = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    nativeExperimentId = (await graphql('mutation { createExperiment(input: { name: "healthy", backend: "local" }) { id } }')).data?.createExperiment?.id ?? ''
  })
  afterAll(async () => {
    await gw?.close()
    await proxy?.close()
  })

  async function graphql(query: string): Promise<Answer & { data?: Record<string, { id: string } & { nodes?: { id: string }[] }> }> {
    const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
    return (await response.json()) as never
  }

  for (const fault of ['echo-headers-400', 'html-404', 'not-json-200'] as const) {
    it(`keeps every list's healthy part when the upstream answers ${fault}, naming the backend, leaking nothing`, async () => {
      proxy.fault = fault
      try {
        for (const list of ['experiments', 'runs', 'registeredModels', 'modelVersions']) {
          const answer = await graphql(`{ ${list}(first: 100) { nodes { id } } }`)
          expect([list, answer.data?.[list] === null]).toEqual([list, false])
          if (list === 'experiments') expect(answer.data?.experiments?.nodes?.map((node) => node.id)).toContain(nativeExperimentId)
          expect(answer.errors?.map((error) => [error.extensions?.code, error.extensions?.backend])).toEqual([['BACKEND_ERROR', 'bad']])
          expect(JSON.stringify(answer)).not.toContain(TOKEN)
        }
        const health = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ backends { id health { state lastError } } }' }),
        })
        const healthText = await health.text()
        expect(healthText).not.toContain(TOKEN)
        const ready = await (await fetch(`${base}/ready`)).text()
        expect(ready).not.toContain(TOKEN)
        expect(JSON.parse(ready).backends.bad).not.toHaveProperty('lastError')
      } finally {
        proxy.fault = null
      }
    })
  }

  it('redacts the token from the echo even in the error message text', async () => {
    proxy.fault = 'echo-headers-400'
    try {
      const answer = await graphql('{ experiments(first: 1) { nodes { id } } }')
      const message = answer.errors?.[0].message ?? ''
      // The upstream's words are kept, its copy of our credentials is not.
      expect(message).toContain('rejected request with headers')
      expect(message).toContain('[redacted]')
      expect(message).not.toContain(TOKEN)
    } finally {
      proxy.fault = null
    }
  })
})
