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

  it('charges each request by its own variables, a fragment\'s too, though the estimate of a document is kept', async () => {
    const documents = [
      'query ($n: Int) { experiments(first: $n) { nodes { id name } } }',
      'query ($n: Int) { ...List } fragment List on Query { experiments(first: $n) { nodes { id name } } }',
    ]
    for (const [index, document] of documents.entries()) {
      const localAddress = `127.0.0.${3 + index}`
      const ask = async (n: number) =>
        (await rawHttp(port, { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: document, variables: { n } }), localAddress })).status
      // first: 1 costs 3: five of them leave most of the window's 100.
      for (let i = 0; i < 5; i++) expect(await ask(1)).toBe(200)
      // first: 100 costs 201, whatever the same document cost before: it spends the rest.
      expect(await ask(100)).toBe(200)
      expect(await ask(1)).toBe(429)
    }
  })

  it('leaves in-process callers (the embedding application) out of the budget', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await gw.gateway.yoga.fetch('http://mlgate/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: LIST })
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined()
    }
  })
})

/**
 * The heavy lane (limits.heavyQueryCost, heavyQueryShare, heavyQueryWaitMs):
 * heavy operations as a whole get a bounded share of the time, and one that
 * would have to wait for its turn is refused at once; light ones are not
 * affected.
 */
describe('the heavy lane', () => {
  let gw: TestGateway
  let port: number

  beforeAll(async () => {
    // A list of 100 experiments costs 201: heavy here. After a heavy operation that ran t, the lane
    // rests t × 999 (a share of 0.001): the next heavy one, sent at once, would wait, and may not wait at all.
    gw = await startTestGateway({
      backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }],
      limits: { heavyQueryCost: 100, heavyQueryShare: 0.001, heavyQueryWaitMs: 0 },
    })
    port = await gw.gateway.listen(0, '127.0.0.1')
  })
  afterAll(() => gw.close())

  const ask = async (query: string) => {
    const answer = await rawHttp(port, { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
    return { status: answer.status, retryAfter: answer.headers['retry-after'], body: answer.json<{ data?: unknown; errors?: { extensions?: { code?: string } }[] }>() }
  }

  it('refuses a heavy operation that would wait for its turn with RATE_LIMITED, and leaves light ones alone', async () => {
    const heavy = '{ experiments(first: 100) { nodes { id name } } }'
    const first = await ask(heavy)
    expect(first.status).toBe(200)
    expect(first.body.errors).toBeUndefined()
    const second = await ask(heavy)
    expect(second.status).toBe(429)
    expect(second.retryAfter).toBe('1')
    expect(second.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED')
    // A light operation runs while the lane rests.
    const light = await ask('{ backends { id } }')
    expect(light.status).toBe(200)
    expect(light.body.errors).toBeUndefined()
  })
})
