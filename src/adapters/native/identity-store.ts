import type { Kysely, Selectable } from 'kysely'
import type { ApiTokenRecord, IdentityStore, UserRecord } from '../../contract/identity-store.js'
import { GatewayError, notFound } from '../../errors.js'
import { PG_UNIQUE_VIOLATION, databaseErrorCode } from './client.js'
import type { AuthUserTable, Database } from './db/schema.js'

/** Users and API tokens in the native store's `auth_users` and `auth_tokens`. */
export class NativeIdentityStore implements IdentityStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly backendId: string,
  ) {}

  async user(username: string): Promise<UserRecord | null> {
    const row = await this.db.selectFrom('auth_users').selectAll().where('username', '=', username).executeTakeFirst()
    return row ? toUser(row) : null
  }

  async users(): Promise<UserRecord[]> {
    return (await this.db.selectFrom('auth_users').selectAll().orderBy('username').execute()).map(toUser)
  }

  async createUser(input: { username: string; passwordHash: string | null; isAdmin: boolean }): Promise<UserRecord> {
    try {
      const row = await this.db
        .insertInto('auth_users')
        .values({ username: input.username, password_hash: input.passwordHash, is_admin: input.isAdmin, created_at: Date.now() })
        .returningAll()
        .executeTakeFirstOrThrow()
      return toUser(row)
    } catch (error) {
      if (databaseErrorCode(error) === PG_UNIQUE_VIOLATION) throw new GatewayError('CONFLICT', `user "${input.username}" already exists`, { backend: this.backendId })
      throw error
    }
  }

  async updateUser(username: string, patch: { passwordHash?: string; isAdmin?: boolean }): Promise<UserRecord> {
    const row = await this.db
      .updateTable('auth_users')
      .set({ ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }), ...(patch.isAdmin !== undefined && { is_admin: patch.isAdmin }) })
      .where('username', '=', username)
      .returningAll()
      .executeTakeFirst()
    if (!row) throw notFound(`user "${username}"`, this.backendId)
    return toUser(row)
  }

  async deleteUser(username: string): Promise<void> {
    const { numDeletedRows } = await this.db.deleteFrom('auth_users').where('username', '=', username).executeTakeFirst()
    if (numDeletedRows === 0n) throw notFound(`user "${username}"`, this.backendId)
  }

  async createToken(input: { id: string; username: string; name: string; secretHash: string; expiresAt: Date | null }): Promise<ApiTokenRecord> {
    const user = await this.db.selectFrom('auth_users').select('id').where('username', '=', input.username).executeTakeFirst()
    if (!user) throw notFound(`user "${input.username}"`, this.backendId)
    await this.db
      .insertInto('auth_tokens')
      .values({
        id: input.id,
        user_id: user.id,
        name: input.name,
        secret_hash: input.secretHash,
        created_at: Date.now(),
        expires_at: input.expiresAt?.getTime() ?? null,
      })
      .execute()
    return (await this.token(input.id)) as ApiTokenRecord
  }

  async token(id: string): Promise<ApiTokenRecord | null> {
    const row = await this.tokenRows().where('auth_tokens.id', '=', id).executeTakeFirst()
    return row ? toToken(row) : null
  }

  async tokens(username: string): Promise<ApiTokenRecord[]> {
    return (await this.tokenRows().where('auth_users.username', '=', username).orderBy('auth_tokens.created_at', 'desc').orderBy('auth_tokens.id').execute()).map(toToken)
  }

  async revokeToken(id: string): Promise<ApiTokenRecord> {
    await this.db.updateTable('auth_tokens').set({ revoked_at: Date.now() }).where('id', '=', id).where('revoked_at', 'is', null).execute()
    const token = await this.token(id)
    if (!token) throw notFound(`API token ${id}`, this.backendId)
    return token
  }

  async touchToken(id: string, at: Date): Promise<void> {
    await this.db.updateTable('auth_tokens').set({ last_used_at: at.getTime() }).where('id', '=', id).execute()
  }

  private tokenRows() {
    return this.db
      .selectFrom('auth_tokens')
      .innerJoin('auth_users', 'auth_users.id', 'auth_tokens.user_id')
      .select([
        'auth_tokens.id',
        'auth_users.username',
        'auth_tokens.name',
        'auth_tokens.secret_hash',
        'auth_tokens.created_at',
        'auth_tokens.expires_at',
        'auth_tokens.last_used_at',
        'auth_tokens.revoked_at',
      ])
  }
}

function toUser(row: Selectable<AuthUserTable>): UserRecord {
  return { id: Number(row.id), username: row.username, isAdmin: row.is_admin, passwordHash: row.password_hash, createdAt: new Date(row.created_at) }
}

const dateOrNull = (millis: number | null) => (millis === null ? null : new Date(millis))

function toToken(row: {
  id: string
  username: string
  name: string
  secret_hash: string
  created_at: number
  expires_at: number | null
  last_used_at: number | null
  revoked_at: number | null
}): ApiTokenRecord {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    secretHash: row.secret_hash,
    createdAt: new Date(row.created_at),
    expiresAt: dateOrNull(row.expires_at),
    lastUsedAt: dateOrNull(row.last_used_at),
    revokedAt: dateOrNull(row.revoked_at),
  }
}
