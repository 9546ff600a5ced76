import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GATEWAY_AUDIENCE, type OidcPeer, startOidcProvider } from '../peers/oidc.js'
import { nativeBackendConfig } from '../support/engines.js'
import { freePort } from '../support/free-port.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'

/**
 * Bearer JWTs from a real OpenID provider (oidc-provider on loopback):
 * discovery, signature, issuer, audience and expiry checked; the username
 * and groups taken from the token's claims; a rotated signing key picked up.
 */
describe('OpenID Connect bearer tokens', () => {
  let provider: OidcPeer
  let gw: TestGateway
  let url: string

  beforeAll(async () => {
    provider = await startOidcProvider(await freePort())
    gw = await startTestGateway({
      backends: [nativeBackendConfig('pglite')],
      auth: {
        passwordHashCost: 12,
        oidc: {
          issuer: provider.issuer,
          audience: GATEWAY_AUDIENCE,
          groupRoles: { 'data-science': ['scientists'] },
          adminGroups: ['platform-admins'],
          clockToleranceSeconds: 0,
          jwksCooldownMs: 0,
        },
      },
    })
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
  })
  afterAll(async () => {
    await gw?.close()
    await provider?.stop()
  })

  async function viewer(token: string) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { username isAdmin signedInWith roles } }' }),
    })
    const body = (await response.json()) as { data?: { viewer: unknown }; errors?: { message: string }[] }
    return { status: response.status, viewer: body.data?.viewer, error: body.errors?.[0]?.message }
  }

  it('admits a token for this gateway: the user from its claim, roles and admin from its groups', async () => {
    expect(await viewer(await provider.token('ana'))).toEqual({ status: 200, viewer: { username: 'ana', isAdmin: false, signedInWith: 'OIDC', roles: ['scientists'] }, error: undefined })
    expect((await viewer(await provider.token('root'))).viewer).toEqual({ username: 'root', isAdmin: true, signedInWith: 'OIDC', roles: [] })
    // The MLflow API takes the same token (MLFLOW_TRACKING_TOKEN).
    const mlflow = await fetch(`${url}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${await provider.token('ana')}` } })
    expect(mlflow.status).toBe(200)
  })

  it('refuses a token for another audience, a forged one, and one that expired', async () => {
    const elsewhere = await viewer(await provider.token('ana', { audience: 'https://another-service.test' }))
    expect(elsewhere.status).toBe(401)
    expect(elsewhere.error).toMatch(/aud/)
    const token = await provider.token('ana')
    const [header, payload, signature] = token.split('.')
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), preferred_username: 'root' })).toString('base64url')}.${signature}`
    expect((await viewer(forged)).status).toBe(401)

    const shortLived = await provider.token('short-lived')
    expect((await viewer(shortLived)).status).toBe(200)
    const expiry = JSON.parse(Buffer.from(shortLived.split('.')[1], 'base64url').toString()) as { exp: number }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry.exp * 1000 - Date.now()) + 1100))
    const expired = await viewer(shortLived)
    expect(expired.status).toBe(401)
    expect(expired.error).toMatch(/exp/)
  })

  it('follows a rotated signing key, and refuses tokens signed with the retired one', async () => {
    const before = await provider.token('ana')
    expect((await viewer(before)).status).toBe(200)
    await provider.rotate()
    const after = await provider.token('ana')
    expect(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString()).kid).not.toBe(JSON.parse(Buffer.from(before.split('.')[0], 'base64url').toString()).kid)
    expect((await viewer(after)).status).toBe(200)
    expect((await viewer(before)).status).toBe(401)
  })
})
