import { createClient } from 'graphql-ws'
import { afterAll, beforeAll, expect, it } from 'vitest'
import WebSocket from 'ws'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'

/** Live streams under auth: checked when they start and before every event; a revoked token ends its stream. */
describeEachEngine('subscriptions with auth', (engine) => {
  let gw: TestGateway
  let url: string
  const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  const admin = basic('admin', 'admin-password-1')
  let experiment: string
  let hidden: string

  const mlflow = async (path: string, body: Record<string, unknown>, version = '2.0') => {
    const response = await fetch(`${url}/api/${version}/mlflow/${path}`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(response.status, path).toBe(200)
    return (await response.json()) as Record<string, unknown>
  }

  beforeAll(async () => {
    gw = await startTestGateway({ backends: [nativeBackendConfig(engine)], auth: { admin: { username: 'admin', password: 'admin-password-1' }, passwordHashCost: 12, defaultPermission: 'NO_PERMISSIONS' } })
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    experiment = String((await mlflow('experiments/create', { name: 'watched' })).experiment_id)
    hidden = String((await mlflow('experiments/create', { name: 'hidden' })).experiment_id)
    await mlflow('users/create', { username: 'viewer', password: 'viewer-password-1' })
    await mlflow('users/permissions/grant', { username: 'viewer', resource_type: 'experiment', resource_id: experiment, permission: 'READ' }, '3.0')
  })
  afterAll(() => gw.close())

  async function token(): Promise<string> {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { createApiToken(input: { username: "viewer", name: "stream" }) { token apiToken { id } } }' }) })
    const body = (await response.json()) as { data: { createApiToken: { token: string; apiToken: { id: string } } } }
    return JSON.stringify(body.data.createApiToken)
  }

  /** Opens runUpdates on an experiment as the token's user; collects events and how the stream ended. */
  function watch(bearer: string, experimentId: string) {
    const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${bearer}` }, retryAttempts: 0 })
    const events: string[] = []
    const ended = new Promise<{ codes: (string | undefined)[] }>((resolve) => {
      client.subscribe<{ runUpdates: { kind: string } }>(
        { query: `subscription { runUpdates(experimentId: "Experiment:local:${experimentId}") { kind } }` },
        {
          next: (value) => {
            if (value.errors) resolve({ codes: value.errors.map((error) => (error.extensions as { code?: string } | undefined)?.code) })
            else if (value.data) events.push(value.data.runUpdates.kind)
          },
          error: (error) => resolve({ codes: [(error as { extensions?: { code?: string } }[])?.[0]?.extensions?.code ?? 'SOCKET'] }),
          complete: () => resolve({ codes: [] }),
        },
      )
    })
    return { events, ended, close: () => client.dispose() }
  }

  it('refuses a stream of an experiment the user may not read, as if it did not exist', async () => {
    const { token: bearer } = JSON.parse(await token()) as { token: string }
    const refused = watch(bearer, hidden)
    expect(await refused.ended).toEqual({ codes: ['NOT_FOUND'] })
    refused.close()
  })

  it('delivers events while the token holds, and ends the stream once it is revoked', async () => {
    const { token: bearer, apiToken } = JSON.parse(await token()) as { token: string; apiToken: { id: string } }
    const stream = watch(bearer, experiment)
    // Let the subscription start, then make runs until an event arrives.
    for (let attempt = 0; attempt < 40 && stream.events.length === 0; attempt++) {
      await mlflow('runs/create', { experiment_id: experiment, run_name: `r${attempt}` })
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(stream.events).toContain('CREATED')
    const revoke = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify({ query: `mutation { revokeApiToken(id: "${apiToken.id}") { revokedAt } }` }) })
    expect(revoke.status).toBe(200)
    const before = stream.events.length
    await mlflow('runs/create', { experiment_id: experiment, run_name: 'after-revocation' })
    const ending = await stream.ended
    expect(ending.codes).toEqual(['UNAUTHENTICATED'])
    // Nothing after the revocation reached the stream.
    expect(stream.events.length).toBe(before)
    stream.close()
  })
})
