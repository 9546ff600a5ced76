import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { rawHttp } from '../support/raw-http.js'

/**
 * The per-client query budget (limits.queryCostPerClientPerMinute): a
 * client that has spent it is refused RATE_LIMITED with Retry-After, before
 * its body is read; another client address is not affected.
 */
describe('the per-client query budget', () => {
  let gw: TestGateway
  let port: number

  beforeAll(async () => {
    // 600 per minute: 100 per ten-second window; the list below costs 1 + 100 × 2.
    gw = await startTestGateway({ backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }], limits: { queryCostPerClientPerMinute: 600 } })
    port = await gw.gateway.listen(0, '127.0.0.1')
  })
  afterAll(() => gw.close())

  const LIST = JSON.stringify({ query: '{ experiments(first: 100) { nodes { id name } } }' })
  const query = async (localAddress: string) => {
    const answer = await rawHttp(port, { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body: LIST, localAddress })
    return { status: answer.status, retryAfter: answer.headers['retry-after'], body: answer.json<{ errors?: { extensions?: { code?: string } }[] }>() }
  }

  it('runs the operation that spends the last of the budget, then refuses with RATE_LIMITED and Retry-After', async () => {
    const first = await query('127.0.0.1')
    expect(first.status).toBe(200)
    expect(first.body.errors).toBeUndefined()
    const refused = await query('127.0.0.1')
    expect(refused.status).toBe(429)
    expect(Number(refused.retryAfter)).toBeGreaterThan(0)
    expect(refused.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED')
    // Another client address has its own budget.
    expect((await query('127.0.0.2')).status).toBe(200)
  })

  it('leaves in-process callers (the embedding application) out of the budget', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await gw.gateway.yoga.fetch('http://mlgate/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: LIST })
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined()
    }
  })
})
