import type { Kysely, Selectable } from 'kysely'
import type { ApiTokenRecord, IdentityStore, Permission, RoleAssignmentRecord, RolePermissionRecord, RoleRecord, UserRecord } from '../../contract/identity-store.js'
import { GatewayError, notFound } from '../../errors.js'
import { PG_UNIQUE_VIOLATION, databaseErrorCode } from './client.js'
import type { AuthRolePermissionTable, AuthRoleTable, AuthUserRoleTable, AuthUserTable, Database } from './db/schema.js'

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

  async roles(): Promise<RoleRecord[]> {
    return this.withPermissions(await this.db.selectFrom('auth_roles').selectAll().orderBy('workspace').orderBy('name').execute())
  }

  async role(id: number): Promise<RoleRecord | null> {
    const rows = await this.db.selectFrom('auth_roles').selectAll().where('id', '=', id).execute()
    return (await this.withPermissions(rows))[0] ?? null
  }

  async roleNamed(workspace: string, name: string): Promise<RoleRecord | null> {
    const rows = await this.db.selectFrom('auth_roles').selectAll().where('workspace', '=', workspace).where('name', '=', name).execute()
    return (await this.withPermissions(rows))[0] ?? null
  }

  async createRole(input: { name: string; workspace: string; description: string | null }): Promise<RoleRecord> {
    try {
      const { id } = await this.db.insertInto('auth_roles').values(input).returning('id').executeTakeFirstOrThrow()
      return (await this.role(Number(id))) as RoleRecord
    } catch (error) {
      if (databaseErrorCode(error) === PG_UNIQUE_VIOLATION) throw new GatewayError('CONFLICT', `a role named "${input.name}" already exists in workspace "${input.workspace}"`, { backend: this.backendId })
      throw error
    }
  }

  async updateRole(id: number, patch: { name?: string; description?: string }): Promise<RoleRecord> {
    try {
      const { numUpdatedRows } = await this.db.updateTable('auth_roles').set(patch).where('id', '=', id).executeTakeFirst()
      if (numUpdatedRows === 0n) throw notFound(`role ${id}`, this.backendId)
    } catch (error) {
      if (databaseErrorCode(error) === PG_UNIQUE_VIOLATION) throw new GatewayError('CONFLICT', `a role named "${patch.name}" already exists in its workspace`, { backend: this.backendId })
      throw error
    }
    return (await this.role(id)) as RoleRecord
  }

  async deleteRole(id: number): Promise<void> {
    const { numDeletedRows } = await this.db.deleteFrom('auth_roles').where('id', '=', id).executeTakeFirst()
    if (numDeletedRows === 0n) throw notFound(`role ${id}`, this.backendId)
  }

  async putRolePermission(input: { roleId: number; resourceType: string; resourcePattern: string; permission: Permission }): Promise<RolePermissionRecord> {
    const row = await this.db
      .insertInto('auth_role_permissions')
      .values({ role_id: input.roleId, resource_type: input.resourceType, resource_pattern: input.resourcePattern, permission: input.permission })
      .onConflict((oc) => oc.columns(['role_id', 'resource_type', 'resource_pattern']).doUpdateSet({ permission: input.permission }))
      .returningAll()
      .executeTakeFirstOrThrow()
    return toRolePermission(row)
  }

  async rolePermission(id: number): Promise<RolePermissionRecord | null> {
    const row = await this.db.selectFrom('auth_role_permissions').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toRolePermission(row) : null
  }

  async updateRolePermission(id: number, permission: Permission): Promise<RolePermissionRecord> {
    const row = await this.db.updateTable('auth_role_permissions').set({ permission }).where('id', '=', id).returningAll().executeTakeFirst()
    if (!row) throw notFound(`role permission ${id}`, this.backendId)
    return toRolePermission(row)
  }

  async removeRolePermission(id: number): Promise<void> {
    const { numDeletedRows } = await this.db.deleteFrom('auth_role_permissions').where('id', '=', id).executeTakeFirst()
    if (numDeletedRows === 0n) throw notFound(`role permission ${id}`, this.backendId)
  }

  async removeRolePermissionOn(roleId: number, resourceType: string, resourcePattern: string): Promise<void> {
    await this.db.deleteFrom('auth_role_permissions').where('role_id', '=', roleId).where('resource_type', '=', resourceType).where('resource_pattern', '=', resourcePattern).execute()
  }

  async removeGrantsOn(resourceType: string, resourcePattern: string): Promise<void> {
    await this.db.deleteFrom('auth_role_permissions').where('resource_type', '=', resourceType).where('resource_pattern', '=', resourcePattern).execute()
  }

  async moveGrants(resourceType: string, fromPattern: string, toPattern: string): Promise<void> {
    await this.db
      .updateTable('auth_role_permissions')
      .set({ resource_pattern: toPattern })
      .where('resource_type', '=', resourceType)
      .where('resource_pattern', '=', fromPattern)
      .execute()
  }

  async assignRole(userId: number, roleId: number): Promise<RoleAssignmentRecord> {
    await this.db.insertInto('auth_user_roles').values({ user_id: userId, role_id: roleId }).onConflict((oc) => oc.columns(['user_id', 'role_id']).doNothing()).execute()
    const row = await this.db.selectFrom('auth_user_roles').selectAll().where('user_id', '=', userId).where('role_id', '=', roleId).executeTakeFirstOrThrow()
    return toAssignment(row)
  }

  async unassignRole(userId: number, roleId: number): Promise<void> {
    await this.db.deleteFrom('auth_user_roles').where('user_id', '=', userId).where('role_id', '=', roleId).execute()
  }

  async userRoles(userId: number): Promise<RoleRecord[]> {
    const rows = await this.db
      .selectFrom('auth_roles')
      .innerJoin('auth_user_roles', 'auth_user_roles.role_id', 'auth_roles.id')
      .selectAll('auth_roles')
      .where('auth_user_roles.user_id', '=', userId)
      .orderBy('auth_roles.workspace')
      .orderBy('auth_roles.name')
      .execute()
    return this.withPermissions(rows)
  }

  async roleAssignments(roleId: number): Promise<RoleAssignmentRecord[]> {
    return (await this.db.selectFrom('auth_user_roles').selectAll().where('role_id', '=', roleId).orderBy('id').execute()).map(toAssignment)
  }

  async permissionRowsFor(username: string, roleNames: readonly string[]): Promise<RolePermissionRecord[]> {
    const rows = await this.db
      .selectFrom('auth_role_permissions')
      .selectAll('auth_role_permissions')
      .where((eb) =>
        eb.or([
          eb(
            'auth_role_permissions.role_id',
            'in',
            eb.selectFrom('auth_user_roles').innerJoin('auth_users', 'auth_users.id', 'auth_user_roles.user_id').select('auth_user_roles.role_id').where('auth_users.username', '=', username),
          ),
          ...(roleNames.length > 0 ? [eb('auth_role_permissions.role_id', 'in', eb.selectFrom('auth_roles').select('id').where('name', 'in', [...roleNames]))] : []),
        ]),
      )
      .execute()
    return rows.map(toRolePermission)
  }

  private async withPermissions(roles: Selectable<AuthRoleTable>[]): Promise<RoleRecord[]> {
    if (roles.length === 0) return []
    const permissions = await this.db
      .selectFrom('auth_role_permissions')
      .selectAll()
      .where(
        'role_id',
        'in',
        roles.map((role) => role.id),
      )
      .orderBy('id')
      .execute()
    return roles.map((role) => ({
      id: Number(role.id),
      name: role.name,
      workspace: role.workspace,
      description: role.description,
      permissions: permissions.filter((row) => Number(row.role_id) === Number(role.id)).map(toRolePermission),
    }))
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

function toRolePermission(row: Selectable<AuthRolePermissionTable>): RolePermissionRecord {
  return { id: Number(row.id), roleId: Number(row.role_id), resourceType: row.resource_type, resourcePattern: row.resource_pattern, permission: row.permission as Permission }
}

function toAssignment(row: Selectable<AuthUserRoleTable>): RoleAssignmentRecord {
  return { id: Number(row.id), userId: Number(row.user_id), roleId: Number(row.role_id) }
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
