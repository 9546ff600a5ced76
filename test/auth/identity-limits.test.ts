import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'

/** With auth on, the query budget is each user's, wherever they call from; one user spending theirs leaves the others theirs. */
describeEachEngine('query budget per identity', (engine) => {
  let gw: TestGateway
  let url: string
  const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  const admin = basic('admin', 'admin-password-1')

  beforeAll(async () => {
    gw = await startTestGateway({
      backends: [nativeBackendConfig(engine)],
      auth: { admin: { username: 'admin', password: 'admin-password-1' }, passwordHashCost: 12 },
      limits: { queryCostPerClientPerMinute: 600 },
    })
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    for (const username of ['ana', 'bo']) {
      const created = await fetch(`${url}/api/2.0/mlflow/users/create`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify({ username, password: `${username}-password-1` }) })
      expect(created.status).toBe(200)
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
})
