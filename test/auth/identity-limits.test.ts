import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'

/** With auth on, the query budget is each user's, wherever they call from; one user spending theirs leaves the others theirs. */
describeEachEngine('query budget per identity', (engine) => {
  let gw: TestGateway
  let url: string
  let experimentId: string
  const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  const admin = basic('admin', 'admin-password-1')

  beforeAll(async () => {
    gw = await startTestGateway({
      backends: [nativeBackendConfig(engine)],
      auth: { admin: { username: 'admin', password: 'admin-password-1' }, passwordHashCost: 12, roleLimits: { trainers: { queryCostPerMinute: 1_000_000, subscriptions: 3 }, viewers: { subscriptions: 2 } } },
      limits: { queryCostPerClientPerMinute: 600, subscriptionsPerClient: 1 },
    })
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    for (const username of ['ana', 'bo', 'cy']) {
      const created = await fetch(`${url}/api/2.0/mlflow/users/create`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify({ username, password: `${username}-password-1` }) })
      expect(created.status).toBe(200)
    }
    const created = await fetch(`${url}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'watched' }) })
    experimentId = `Experiment:local:${((await created.json()) as { experiment_id: string }).experiment_id}`
    // cy holds two roles with limits: the most generous of each applies.
    for (const role of ['trainers', 'viewers']) {
      const graphql = async (query: string, variables: Record<string, unknown>) =>
        (await (await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })).json()) as {
          data: Record<string, { id: string }>
        }
      const { id } = (await graphql('mutation ($n: String!) { createRole(name: $n) { id } }', { n: role })).data.createRole
      expect((await graphql('mutation ($r: ID!) { assignRole(username: "cy", roleId: $r) }', { r: id })).data).toEqual({ assignRole: true })
    }
  })
  afterAll(() => gw.close())

  const query = async (authorization: string) => {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ runs(first: 50) { totalCount } }' }) })
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] }
    return body.errors?.[0]?.extensions?.code ?? 'OK'
  }

  it('refuses the user who spent their budget, and serves another from the same address', async () => {
    const ana = basic('ana', 'ana-password-1')
    let refused = false
    for (let attempt = 0; attempt < 20 && !refused; attempt++) refused = (await query(ana)) === 'RATE_LIMITED'
    expect(refused).toBe(true)
    expect(await query(ana)).toBe('RATE_LIMITED')
    expect(await query(basic('bo', 'bo-password-1'))).toBe('OK')
  })

  it("gives a user holding a role with limits (auth.roleLimits) that role's budget and subscriptions", async () => {
    const cy = basic('cy', 'cy-password-1')
    for (let attempt = 0; attempt < 20; attempt++) expect(await query(cy)).toBe('OK')
    // Live subscriptions held open over SSE: one for a user without such a role, three for cy.
    const open: AbortController[] = []
    const subscribe = async (authorization: string) => {
      const controller = new AbortController()
      open.push(controller)
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        signal: controller.signal,
        headers: { authorization, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: 'subscription ($e: ID!) { runUpdates(experimentId: $e) { kind } }', variables: { e: experimentId } }),
      })
      if (response.status !== 200) controller.abort()
      return response.status
    }
    try {
      const bo = basic('bo', 'bo-password-1')
      expect([await subscribe(bo), await subscribe(bo)]).toEqual([200, 429])
      expect([await subscribe(cy), await subscribe(cy), await subscribe(cy), await subscribe(cy)]).toEqual([200, 200, 200, 429])
    } finally {
      for (const controller of open) controller.abort()
    }
  })
})
