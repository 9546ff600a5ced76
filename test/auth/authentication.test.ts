import { afterAll, beforeAll, expect, it } from 'vitest'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import { describeEachEngine, describePostgres, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'

/**
 * Who is asking, at every door: with auth on, GraphQL over HTTP and
 * WebSocket and the MLflow API admit only users with a password, an API
 * token or (see oidc.test.ts) a JWT from the identity provider; the probes
 * answer anyone.
 */

const ADMIN = { username: 'admin', password: 'admin-password-1' }
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`

describeEachEngine('authentication', (engine) => {
  let gw: TestGateway
  let url: string

  beforeAll(async () => {
    gw = await startTestGateway({ backends: [nativeBackendConfig(engine)], auth: { admin: ADMIN, passwordHashCost: 12 } })
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
  })
  afterAll(() => gw.close())

  async function graphql(query: string, authorization?: string, variables: Record<string, unknown> = {}) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
      body: JSON.stringify({ query, variables }),
    })
    const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] }
    return { status: response.status, challenge: response.headers.get('www-authenticate'), body }
  }
  const asAdmin = basic(ADMIN.username, ADMIN.password)

  it('answers the probes without credentials, and refuses everything else with a challenge', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200)
    expect((await fetch(`${url}/ready`)).status).toBe(200)
    const anonymous = await graphql('{ viewer { username } }')
    expect(anonymous.status).toBe(401)
    expect(anonymous.challenge).toBe('Basic realm="mlgate", Bearer realm="mlgate"')
    expect(anonymous.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED'])
    // The MLflow API answers as MLflow's auth app does, so its client shows MLflow's hint.
    const mlflow = await fetch(`${url}/api/2.0/mlflow/experiments/search?max_results=1`)
    expect(mlflow.status).toBe(401)
    expect(mlflow.headers.get('www-authenticate')).toBe('Basic realm="mlflow"')
    expect(await mlflow.text()).toContain('You are not authenticated.')
    expect((await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/x`)).status).toBe(401)
    expect((await fetch(`${url}/get-artifact?path=x&run_uuid=y`)).status).toBe(401)
  })

  it('admits the bootstrapped admin by password, and refuses a wrong one or an unknown user alike', async () => {
    const admitted = await graphql('{ viewer { username isAdmin signedInWith } }', asAdmin)
    expect(admitted.body).toEqual({ data: { viewer: { username: 'admin', isAdmin: true, signedInWith: 'PASSWORD' } } })
    const wrong = await graphql('{ viewer { username } }', basic('admin', 'not-the-password'))
    const unknown = await graphql('{ viewer { username } }', basic('nobody', 'not-the-password'))
    expect([wrong.status, unknown.status]).toEqual([401, 401])
    expect(wrong.body.errors?.[0].message).toBe(unknown.body.errors?.[0].message)
    expect((await graphql('{ viewer { username } }', 'Digest username="admin"')).status).toBe(401)
    expect((await graphql('{ viewer { username } }', 'Basic !!!not-base64')).status).toBe(401)
    // Hostile credentials are wrong credentials too: a NUL, an enormous name.
    const hostile = [basic('ad\u0000min', ADMIN.password), basic('admin', 'pass\u0000word-1234'), basic('a'.repeat(5000), 'x')]
    for (const authorization of hostile) expect((await graphql('{ viewer { username } }', authorization)).status).toBe(401)
  })

  it('lets an admin create users, who sign in with their password and cannot administer', async () => {
    const created = await graphql('mutation { createUser(input: { username: "ana", password: "ana-password-12" }) { username isAdmin hasPassword } }', asAdmin)
    expect(created.body).toEqual({ data: { createUser: { username: 'ana', isAdmin: false, hasPassword: true } } })
    const short = await graphql('mutation { createUser(input: { username: "bo", password: "short" }) { username } }', asAdmin)
    expect(short.body.errors?.[0]).toMatchObject({ message: 'Password must be at least 12 characters.', extensions: { code: 'BAD_USER_INPUT' } })
    const twice = await graphql('mutation { createUser(input: { username: "ana", password: "ana-password-12" }) { username } }', asAdmin)
    expect(twice.body.errors?.[0].extensions?.code).toBe('CONFLICT')
    const overlong = await graphql('mutation ($u: String!) { createUser(input: { username: $u, password: "long-password-12" }) { username } }', asAdmin, { u: 'u'.repeat(257) })
    expect(overlong.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT')

    const asAna = basic('ana', 'ana-password-12')
    expect((await graphql('{ viewer { username isAdmin } }', asAna)).body).toEqual({ data: { viewer: { username: 'ana', isAdmin: false } } })
    expect((await graphql('{ users { username } }', asAna)).body.errors?.[0].extensions?.code).toBe('FORBIDDEN')
    expect((await graphql('mutation { createUser(input: { username: "eve", password: "eve-password-12" }) { username } }', asAna)).body.errors?.[0].extensions?.code).toBe('FORBIDDEN')
    expect((await graphql('{ users { username } }', asAdmin)).body).toEqual({ data: { users: [{ username: 'admin' }, { username: 'ana' }] } })

    // Her own password: only with the current one.
    const withoutCurrent = await graphql('mutation { changePassword(username: "ana", password: "ana-password-34") }', asAna)
    expect(withoutCurrent.body.errors?.[0].message).toBe('Current password is required when changing your own password.')
    expect((await graphql('mutation { changePassword(username: "ana", password: "ana-password-34", currentPassword: "ana-password-12") }', asAna)).body).toEqual({ data: { changePassword: true } })
    expect((await graphql('{ viewer { username } }', asAna)).status).toBe(401)
    expect((await graphql('{ viewer { username } }', basic('ana', 'ana-password-34'))).status).toBe(200)
  })

  it('issues API tokens shown once and stored hashed, usable as Bearer or as a Basic password, until revoked or expired', async () => {
    await graphql('mutation { createUser(input: { username: "ci", password: "ci-password-123" }) { username } }', asAdmin)
    const created = await graphql('mutation { createApiToken(input: { username: "ci", name: "nightly", expiresInDays: 30 }) { token apiToken { id username name expiresAt revokedAt } } }', asAdmin)
    const { token, apiToken } = (created.body.data as { createApiToken: { token: string; apiToken: { id: string; expiresAt: string } } }).createApiToken
    expect(token).toMatch(/^mlg_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/)
    expect(new Date(apiToken.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000)

    // The secret is nowhere in the store.
    const store = gw.gateway.backends.get('local').identities
    const stored = await store?.token(apiToken.id)
    const secret = token.slice('mlg_'.length + apiToken.id.length + 1)
    expect(secret).toHaveLength(43)
    expect(JSON.stringify(stored)).not.toContain(secret)

    for (const authorization of [`Bearer ${token}`, basic('ci', token)]) {
      expect((await graphql('{ viewer { username signedInWith } }', authorization)).body).toEqual({ data: { viewer: { username: 'ci', signedInWith: 'TOKEN' } } })
    }
    // Another user's name beside it, a forged secret, and garbage are refused.
    expect((await graphql('{ viewer { username } }', basic('admin', token))).status).toBe(401)
    expect((await graphql('{ viewer { username } }', `Bearer ${token.slice(0, -4)}AAAA`)).status).toBe(401)
    expect((await graphql('{ viewer { username } }', 'Bearer mlg_nonsense')).status).toBe(401)
    const listed = await graphql('{ apiTokens(username: "ci") { id name lastUsedAt } }', asAdmin)
    expect(listed.body.data).toMatchObject({ apiTokens: [{ id: apiToken.id, name: 'nightly' }] })
    expect((listed.body.data as { apiTokens: { lastUsedAt: string | null }[] }).apiTokens[0].lastUsedAt).not.toBeNull()

    const revoked = await graphql('mutation ($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', asAdmin, { id: apiToken.id })
    expect((revoked.body.data as { revokeApiToken: { revokedAt: string | null } }).revokeApiToken.revokedAt).not.toBeNull()
    const afterRevoke = await graphql('{ viewer { username } }', `Bearer ${token}`)
    expect([afterRevoke.status, afterRevoke.body.errors?.[0].message]).toEqual([401, 'the API token was revoked'])
    // Tokens go with their user.
    await graphql('mutation { deleteUser(username: "ci") }', asAdmin)
    expect(await store?.token(apiToken.id)).toBeNull()
    expect((await graphql('mutation { deleteUser(username: "admin") }', asAdmin)).body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT')
  })

  it('admits a WebSocket by the credentials of its connection_init, and closes one without', async () => {
    const wsUrl = `${url.replace('http', 'ws')}/graphql`
    const run = (connectionParams: Record<string, unknown>) =>
      new Promise<unknown>((resolve, reject) => {
        const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true })
        client.subscribe(
          { query: '{ viewer { username } }' },
          { next: (value) => resolve(value), error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify((error as CloseEvent).code ?? error))), complete: () => client.dispose() },
        )
      })
    expect(await run({ authorization: asAdmin })).toEqual({ data: { viewer: { username: 'admin' } } })
    await expect(run({})).rejects.toThrow(/4403/)
    await expect(run({ authorization: basic('admin', 'wrong-password-1') })).rejects.toThrow(/4403/)
  })
})

// On PostgreSQL, which outlives a gateway (an in-memory PGlite does not).
describePostgres('admin bootstrap', () => {
  it('keeps an existing admin as it is (password included) when the gateway starts again', async () => {
    const backend = nativeBackendConfig('postgres')
    const first = await startTestGateway({ backends: [backend], auth: { admin: ADMIN, passwordHashCost: 12 } })
    await first.close()
    const second = await startTestGateway({ backends: [backend], auth: { admin: { username: 'admin', password: 'a-different-one-1' }, passwordHashCost: 12 } })
    try {
      const url = `http://127.0.0.1:${await second.gateway.listen(0, '127.0.0.1')}`
      const as = async (password: string) =>
        (await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic('admin', password) }, body: '{"query":"{ viewer { username } }"}' })).status
      expect([await as(ADMIN.password), await as('a-different-one-1')]).toEqual([200, 401])
    } finally {
      await second.close()
    }
  })
})
