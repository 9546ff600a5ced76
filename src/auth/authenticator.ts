import type { AuthConfig } from '../config.js'
import type { ApiTokenRecord, IdentityStore, UserRecord } from '../contract/identity-store.js'
import { GatewayError } from '../errors.js'
import { looksLikeToken, parseToken, secretMatches } from './api-tokens.js'
import { type Identity, MAX_USERNAME_LENGTH } from './identity.js'
import { OidcVerifier } from './oidc.js'
import { PasswordHasher } from './passwords.js'
import { ReadCache } from './read-cache.js'

/** A token's last use is written at most this often (a write per request would double a request's statements). */
const TOUCH_EVERY_MS = 60_000

/**
 * Turns a request's `Authorization` header into an Identity, the one way
 * every door (GraphQL over HTTP, SSE and WebSocket, the MLflow API,
 * artifacts) learns who is asking:
 *
 * - `Basic user:password`, the password a user's own or one of their API
 *   tokens (what the MLflow client sends for MLFLOW_TRACKING_USERNAME and
 *   MLFLOW_TRACKING_PASSWORD);
 * - `Bearer <API token>` (MLFLOW_TRACKING_TOKEN), or `Bearer <JWT>` from
 *   the configured identity provider.
 *
 * No header is no identity (null); credentials that do not check out are
 * UNAUTHENTICATED, with a message that never says whether the user exists.
 */
export class Authenticator {
  readonly passwords: PasswordHasher
  private readonly oidc: OidcVerifier | null
  private readonly touched = new Map<string, number>()
  /** A hash to check unknown users' passwords against, so a refusal takes as long whether or not the user exists. */
  private decoy: Promise<string> | null = null
  /** Users and tokens read for recent requests (auth.identityCacheMs); `forget` drops what a change made here touches. */
  private readonly users: ReadCache<UserRecord | null>
  private readonly tokens: ReadCache<ApiTokenRecord | null>

  constructor(
    private readonly store: IdentityStore,
    config: AuthConfig,
  ) {
    this.passwords = new PasswordHasher({ cost: config.passwordHashCost, rememberMs: config.passwordRememberMs })
    this.oidc = config.oidc ? new OidcVerifier(config.oidc) : null
    this.users = new ReadCache(config.identityCacheMs)
    this.tokens = new ReadCache(config.identityCacheMs)
  }

  /** Drops the cached records of a user (every user's when null) and every token, after a change made through this replica. */
  forget(username: string | null): void {
    if (username === null) this.users.clear()
    else this.users.delete(username)
    this.tokens.clear()
  }

  async identify(authorization: string | undefined): Promise<Identity | null> {
    if (authorization === undefined || authorization.trim() === '') return null
    const [scheme, ...rest] = authorization.trim().split(/\s+/)
    const credential = rest.join(' ')
    switch (scheme.toLowerCase()) {
      case 'basic':
        return this.basic(credential)
      case 'bearer':
        if (looksLikeToken(credential)) return this.apiToken(credential, null)
        if (this.oidc) return this.oidc.identify(credential)
        throw refused('the bearer token is not an mlgate API token, and no identity provider is configured (auth.oidc)')
      default:
        throw refused(`the ${scheme} authorization scheme is not supported; use Basic or Bearer`)
    }
  }

  private async basic(credential: string): Promise<Identity> {
    const decoded = Buffer.from(credential, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) throw refused('the Basic credentials are not username:password')
    const [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)]
    // No user is named so (the store holds no NUL, usernames are short): wrong credentials, without asking the store.
    if (username.includes('\u0000') || password.includes('\u0000') || username.length > MAX_USERNAME_LENGTH) throw refused('wrong username or password')
    if (looksLikeToken(password)) return this.apiToken(password, username)
    const user = await this.user(username)
    if (!user?.passwordHash) {
      await this.passwords.verify(username, password, await this.decoyHash())
      throw refused('wrong username or password')
    }
    if (!(await this.passwords.verify(username, password, user.passwordHash))) throw refused('wrong username or password')
    return identityOf(user, 'password', null, null)
  }

  /** `username`: the one a Basic header named beside the token, which must be its owner's. */
  private async apiToken(token: string, username: string | null): Promise<Identity> {
    const parts = parseToken(token)
    const record = parts && (await this.token(parts.id))
    if (!parts || !record || !secretMatches(parts.secret, record.secretHash)) throw refused('the API token is not valid')
    if (record.revokedAt) throw refused('the API token was revoked')
    const now = new Date()
    if (record.expiresAt && record.expiresAt <= now) throw refused('the API token has expired')
    if (username !== null && username !== record.username) throw refused('the API token belongs to another user')
    const user = await this.user(record.username)
    if (!user) throw refused('the API token is not valid')
    this.touch(record.id, now)
    return identityOf(user, 'token', record.id, record.expiresAt)
  }

  /** Whether an identity admitted earlier still holds (its token not revoked or expired, its JWT not expired, its user not deleted). */
  async checkStillValid(identity: Identity): Promise<void> {
    if (identity.expiresAt && identity.expiresAt <= new Date()) throw refused('the credentials of this stream have expired')
    if (identity.tokenId !== null) {
      const token = await this.token(identity.tokenId)
      if (!token || token.revokedAt) throw refused('the API token of this stream was revoked')
    }
    if (identity.via !== 'oidc' && !(await this.user(identity.username))) throw refused('the user of this stream no longer exists')
  }

  private user(username: string): Promise<UserRecord | null> {
    return this.users.read(username, () => this.store.user(username))
  }

  private token(id: string): Promise<ApiTokenRecord | null> {
    return this.tokens.read(id, () => this.store.token(id))
  }

  private touch(tokenId: string, now: Date): void {
    const last = this.touched.get(tokenId) ?? 0
    if (now.getTime() - last < TOUCH_EVERY_MS) return
    this.touched.set(tokenId, now.getTime())
    // Best effort, off the request's path: a failed write costs a stale "last used", not the request.
    this.store.touchToken(tokenId, now).catch(() => this.touched.delete(tokenId))
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= this.passwords.hash('not a password anyone has')
    return this.decoy
  }
}

function identityOf(user: UserRecord, via: Identity['via'], tokenId: string | null, expiresAt: Date | null): Identity {
  return { username: user.username, isAdmin: user.isAdmin, via, roles: [], tokenId, expiresAt }
}

const refused = (why: string) => new GatewayError('UNAUTHENTICATED', why)
