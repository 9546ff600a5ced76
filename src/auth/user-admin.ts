import type { ApiTokenRecord, IdentityStore, UserRecord } from '../contract/identity-store.js'
import { GatewayError, badInput } from '../errors.js'
import { mintToken } from './api-tokens.js'
import { type Identity, MAX_USERNAME_LENGTH } from './identity.js'
import { type AuditDraft, type AuditEnded, runAudited } from './audit.js'
import type { PasswordHasher } from './passwords.js'

/** MLflow's minimum (mlflow/utils/validation.py, _validate_password). */
const MIN_PASSWORD_LENGTH = 12
const MAX_TOKEN_DAYS = 3650

/**
 * Managing users and API tokens, for every door that offers it (GraphQL,
 * MLflow's auth REST API), with one set of rules: admins manage everyone;
 * a user may read themselves and change their own password (giving the
 * current one, as MLflow asks); nobody deletes themselves. Refusals never
 * say whether a user the caller may not see exists.
 */
export class UserAdmin {
  constructor(
    private readonly store: IdentityStore,
    /** Appends to the audit trail as the caller (src/auth/index.ts). */
    private readonly audit: (caller: Identity, event: AuditEnded) => Promise<void>,
    /** Tells the replica's identity caches a user (null: anyone) changed. */
    private readonly changed: (username: string | null) => void,
    private readonly passwords: PasswordHasher,
  ) {}

  async createUser(caller: Identity, input: { username: string; password: string; isAdmin?: boolean }): Promise<UserRecord> {
    return this.audited(caller, { operation: 'createUser', recordType: 'user', recordId: input.username, summary: { isAdmin: input.isAdmin ?? false } }, async () => {
      requireAdmin(caller)
      if (input.username === '') throw badInput('Username cannot be empty.')
      if (input.username.length > MAX_USERNAME_LENGTH) throw badInput(`Username is ${input.username.length} characters long; the limit is ${MAX_USERNAME_LENGTH}.`)
      checkPassword(input.password)
      const passwordHash = await this.passwords.hash(input.password)
      try {
        return await this.store.createUser({ username: input.username, passwordHash, isAdmin: input.isAdmin ?? false })
      } catch (error) {
        // MLflow's wording, without the database's error it appends.
        if (error instanceof GatewayError && error.code === 'CONFLICT') throw new GatewayError('CONFLICT', `User (username=${input.username}) already exists.`)
        throw error
      }
    })
  }

  async user(caller: Identity, username: string): Promise<UserRecord> {
    if (!caller.isAdmin && caller.username !== username) throw forbidden()
    return this.existing(username)
  }

  /** The caller's own record; null for an identity from the identity provider that has none. */
  currentUser(caller: Identity): Promise<UserRecord | null> {
    return this.store.user(caller.username)
  }

  users(caller: Identity): Promise<UserRecord[]> {
    requireAdmin(caller)
    return this.store.users()
  }

  async updatePassword(caller: Identity, input: { username: string; password: string; currentPassword?: string }): Promise<void> {
    return this.audited(caller, { operation: 'updatePassword', recordType: 'user', recordId: input.username, summary: {} }, async () => {
      const own = caller.username === input.username
      if (!own) requireAdmin(caller)
      if (own) {
        if (!input.currentPassword) throw badInput('Current password is required when changing your own password.')
        const user = await this.store.user(input.username)
        if (!user?.passwordHash || !(await this.passwords.verify(user.username, input.currentPassword, user.passwordHash))) throw badInput('Current password does not match.')
        if (input.password === input.currentPassword) throw badInput('New password must differ from the current password.')
      }
      checkPassword(input.password)
      await this.existing(input.username)
      await this.store.updateUser(input.username, { passwordHash: await this.passwords.hash(input.password) })
    })
  }

  async updateAdmin(caller: Identity, username: string, isAdmin: boolean): Promise<void> {
    return this.audited(caller, { operation: 'updateAdmin', recordType: 'user', recordId: username, summary: { isAdmin } }, async () => {
      requireAdmin(caller)
      await this.existing(username)
      await this.store.updateUser(username, { isAdmin })
    })
  }

  async deleteUser(caller: Identity, username: string): Promise<void> {
    return this.audited(caller, { operation: 'deleteUser', recordType: 'user', recordId: username, summary: {} }, async () => {
      requireAdmin(caller)
      if (username === caller.username) throw badInput('Users cannot delete their own account. Ask another admin to delete this user instead.')
      await this.existing(username)
      await this.store.deleteUser(username)
    })
  }

  /** A new token for `username` (admins only); the token itself is in the answer, and nowhere else, ever. */
  async createToken(caller: Identity, input: { username: string; name: string; expiresInDays?: number | null }): Promise<{ token: string; record: ApiTokenRecord }> {
    return this.audited(caller, { operation: 'createApiToken', recordType: 'user', recordId: input.username, summary: { name: input.name, expiresInDays: input.expiresInDays ?? null } }, async () => {
      requireAdmin(caller)
      if (input.name.trim() === '') throw badInput('an API token needs a name saying what it is for')
      const days = input.expiresInDays
      if (days !== undefined && days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)) {
        throw badInput(`expiresInDays must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}`)
      }
      await this.existing(input.username)
      const minted = mintToken()
      const expiresAt = days ? new Date(Date.now() + days * 86_400_000) : null
      const record = await this.store.createToken({ id: minted.id, username: input.username, name: input.name, secretHash: minted.secretHash, expiresAt })
      return { token: minted.token, record }
    })
  }

  tokens(caller: Identity, username: string): Promise<ApiTokenRecord[]> {
    if (!caller.isAdmin && caller.username !== username) throw forbidden()
    return this.store.tokens(username)
  }


  private async audited<T>(caller: Identity, event: AuditDraft, write: () => Promise<T>): Promise<T> {
    const result = await runAudited({ append: (ended) => this.audit(caller, ended) }, event, write)
    this.changed(event.recordType === 'user' ? (event.recordId ?? null) : null)
    return result
  }
  private async existing(username: string): Promise<UserRecord> {
    const user = await this.store.user(username)
    if (!user) throw noSuchUser(username)
    return user
  }

  /** Admins revoke any token, users their own; someone else's token reads as not found. */
  async revokeToken(caller: Identity, id: string): Promise<ApiTokenRecord> {
    return this.audited(caller, { operation: 'revokeApiToken', recordType: 'api_token', recordId: id, summary: {} }, async () => {
      const token = await this.store.token(id)
      if (!token || (!caller.isAdmin && token.username !== caller.username)) throw new GatewayError('NOT_FOUND', `API token ${id} does not exist`)
      return this.store.revokeToken(id)
    })
  }
}

/** MLflow's wording for a missing user (its auth store's `_get_user`). */
const noSuchUser = (username: string) => new GatewayError('NOT_FOUND', `User with username=${username} not found`)

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw badInput(`Password must be at least ${MIN_PASSWORD_LENGTH} characters.`)
}

function requireAdmin(caller: Identity): void {
  if (!caller.isAdmin) throw forbidden()
}

const forbidden = () => new GatewayError('FORBIDDEN', 'Permission denied')
