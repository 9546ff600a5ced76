import { type JWTPayload, type JWTVerifyGetKey, createRemoteJWKSet, jwtVerify } from 'jose'
import type { AuthConfig } from '../config.js'
import { GatewayError } from '../errors.js'
import { type Identity, MAX_USERNAME_LENGTH } from './identity.js'

type OidcConfig = NonNullable<AuthConfig['oidc']>

/**
 * Bearer JWTs from an OpenID provider, verified with jose against the
 * provider's published keys (fetched from its discovery document's
 * jwks_uri, refetched when a token names a key not seen yet: key rotation),
 * for issuer, audience, expiry and not-before, with the configured clock
 * tolerance. The username comes from `usernameClaim`, roles and admin from
 * the groups in `groupsClaim`.
 */
export class OidcVerifier {
  private keys: Promise<JWTVerifyGetKey> | null = null

  constructor(private readonly config: OidcConfig) {}

  async identify(jwt: string): Promise<Identity> {
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(jwt, await this.keySet(), {
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: this.config.clockToleranceSeconds,
        requiredClaims: ['exp'],
      }))
    } catch (error) {
      if (error instanceof GatewayError) throw error
      // jose names the failed check (expired, audience, signature) without the token's content.
      throw new GatewayError('UNAUTHENTICATED', `the bearer token was refused: ${(error as Error).message}`)
    }
    const username = payload[this.config.usernameClaim]
    if (typeof username !== 'string' || username === '' || username.includes('\u0000') || username.length > MAX_USERNAME_LENGTH) {
      throw new GatewayError('UNAUTHENTICATED', `the bearer token has no usable "${this.config.usernameClaim}" claim naming the user`)
    }
    const claimed = payload[this.config.groupsClaim]
    const groups = Array.isArray(claimed) ? claimed.filter((group): group is string => typeof group === 'string') : typeof claimed === 'string' ? [claimed] : []
    return {
      username,
      isAdmin: groups.some((group) => this.config.adminGroups.includes(group)),
      via: 'oidc',
      roles: [...new Set(groups.flatMap((group) => this.config.groupRoles[group] ?? []))],
      tokenId: null,
      expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null,
    }
  }

  private keySet(): Promise<JWTVerifyGetKey> {
    this.keys ??= this.discoverKeys().catch((error: unknown) => {
      // The provider was unreachable: try again on the next token.
      this.keys = null
      throw error
    })
    return this.keys
  }

  private async discoverKeys(): Promise<JWTVerifyGetKey> {
    if (this.config.jwksUri) return this.remoteKeys(this.config.jwksUri)
    const discovery = `${this.config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
    let jwksUri: unknown
    try {
      const response = await fetch(discovery, { signal: AbortSignal.timeout(10_000) })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      jwksUri = ((await response.json()) as { jwks_uri?: unknown }).jwks_uri
    } catch (error) {
      throw new GatewayError('BACKEND_UNAVAILABLE', `the identity provider's discovery document (${discovery}) could not be read: ${(error as Error).message}`)
    }
    if (typeof jwksUri !== 'string') throw new GatewayError('BACKEND_ERROR', `the identity provider's discovery document (${discovery}) names no jwks_uri`)
    return this.remoteKeys(jwksUri)
  }

  /** jose's key set: cached, refetched (after the cooldown) when a token names a key it does not hold. */
  private remoteKeys(uri: string): JWTVerifyGetKey {
    return createRemoteJWKSet(new URL(uri), { cooldownDuration: this.config.jwksCooldownMs, timeoutDuration: 10_000 })
  }
}
