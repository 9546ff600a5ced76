import { generateKeyPairSync } from 'node:crypto'
import type { Server } from 'node:http'
import Provider, { type Configuration } from 'oidc-provider'

/**
 * A real OpenID provider (the `oidc-provider` package) on loopback, for the
 * gateway's bearer-token tests: discovery, JWKS, and JWT access tokens from
 * the client-credentials grant. Each client stands for a signed-in account:
 * its token carries `preferred_username` (the client id) and `groups`.
 * `rotate` restarts it on the same issuer with a new signing key.
 */
export interface OidcPeer {
  issuer: string
  /** A JWT access token for the account, for `audience` (default: the gateway's). */
  token(account: string, options?: { audience?: string }): Promise<string>
  rotate(): Promise<void>
  stop(): Promise<void>
}

export const GATEWAY_AUDIENCE = 'https://mlgate.test'

/** Accounts (client ids) and their groups; `short-lived` gets tokens that expire in a second. */
export const OIDC_ACCOUNTS: Record<string, string[]> = {
  ana: ['data-science'],
  root: ['platform-admins'],
  'short-lived': [],
}

const SECRET = 'oidc-test-client-secret'

export async function startOidcProvider(port: number): Promise<OidcPeer> {
  const issuer = `http://127.0.0.1:${port}`
  let server: Server | null = null

  const start = async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `key-${Date.now()}`, use: 'sig', alg: 'RS256' }
    const configuration: Configuration = {
      clients: Object.keys(OIDC_ACCOUNTS).map((account) => ({
        client_id: account,
        client_secret: SECRET,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      })),
      jwks: { keys: [jwk] },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => GATEWAY_AUDIENCE,
          useGrantedResource: () => true,
          getResourceServerInfo: (_context, resource, client) => ({
            scope: 'api',
            audience: resource,
            accessTokenFormat: 'jwt',
            accessTokenTTL: client.clientId === 'short-lived' ? 1 : 600,
          }),
        },
      },
      extraTokenClaims: (_context, token) => {
        const account = (token as { clientId?: string }).clientId ?? ''
        return { preferred_username: account, groups: OIDC_ACCOUNTS[account] ?? [] }
      },
    }
    const provider = new Provider(issuer, configuration)
    server = provider.listen(port)
    await new Promise<void>((resolve, reject) => {
      server?.once('listening', () => resolve())
      server?.once('error', reject)
    })
  }
  const stop = async () => {
    const running = server
    server = null
    if (!running) return
    running.closeAllConnections()
    await new Promise<void>((resolve) => running.close(() => resolve()))
  }

  await start()
  return {
    issuer,
    async token(account, options = {}) {
      // After a rotation the pooled connection to the old process is gone: one retry takes a fresh one.
      const post = () => fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${account}:${SECRET}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', resource: options.audience ?? GATEWAY_AUDIENCE }),
      })
      const response = await post().catch(post)
      const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string }
      if (!body.access_token) throw new Error(`the OpenID provider refused a token for ${account}: ${body.error} ${body.error_description ?? ''}`)
      return body.access_token
    },
    async rotate() {
      await stop()
      await start()
    },
    stop,
  }
}
