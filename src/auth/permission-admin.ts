import type { IdentityStore, Permission, RoleAssignmentRecord, RolePermissionRecord, RoleRecord } from '../contract/identity-store.js'
import { PERMISSIONS } from '../contract/identity-store.js'
import { GatewayError, badInput } from '../errors.js'
import type { Identity } from './identity.js'
import { type AuditDraft, type AuditEnded, runAudited } from './audit.js'
import { type CallerPermissions, type ProtectedRecord, RESOURCE_TYPES, recordPattern } from './permissions.js'

/** The workspace roles live in: MLflow's default (mlgate has no workspaces). */
export const DEFAULT_WORKSPACE = 'default'
/** What a grant on one resource may say (MLflow's RESOURCE_GRANTABLE_PERMISSIONS): no NO_PERMISSIONS, since an absent grant says that. */
const GRANTABLE: readonly Permission[] = ['READ', 'USE', 'EDIT', 'MANAGE', 'DENY']

/** A user's own grants live in a role of their own, as MLflow keeps them. */
export const personalRoleName = (userId: number) => `__user_${userId}__`

/**
 * Roles, their permission rows, their members, and grants to one user, as
 * MLflow's auth app manages them; admins only. Patterns are mlgate's
 * (src/auth/permissions.ts); the MLflow API translates its ids to them.
 */
export class PermissionAdmin {
  constructor(
    private readonly store: IdentityStore,
    /** Appends to the audit trail as the caller (src/auth/index.ts). */
    private readonly audit: (caller: Identity, event: AuditEnded) => Promise<void>,
    /** Tells the replica's identity caches a user (null: anyone) changed. */
    private readonly changed: (username: string | null) => void,
    /** How any identity's permissions resolve (the same code every request's checks use). */
    private readonly permissionsOf: (identity: Identity) => Promise<CallerPermissions>,
  ) {}

  /** The level a user has on a record, resolved as their requests' checks resolve it (admins: any user's; others: their own). */
  async effectivePermission(caller: Identity, username: string, record: ProtectedRecord | { type: 'backend'; backendId: string }): Promise<Permission> {
    if (!caller.isAdmin && caller.username !== username) throw forbidden()
    const user = await this.existingUser(username)
    const permissions = await this.permissionsOf({ username, isAdmin: user.isAdmin, via: 'password', roles: [], tokenId: null, expiresAt: null })
    return record.type === 'backend' ? permissions.levelOnBackend(record.backendId) : permissions.level(record)
  }

  async grant(caller: Identity, input: { username: string; resourceType: string; pattern: string; permission: string }): Promise<RolePermissionRecord> {
    return this.audited(caller, { operation: 'grantPermission', recordType: 'user', recordId: input.username, summary: { resourceType: input.resourceType, resourcePattern: input.pattern, permission: input.permission } }, async () => {
      requireAdmin(caller)
      const permission = checkGrant(input.resourceType, input.permission)
      const role = await this.personalRole(input.username)
      await this.store.assignRole(role.userId, role.id)
      return this.store.putRolePermission({ roleId: role.id, resourceType: input.resourceType, resourcePattern: input.pattern, permission })
    })
  }

  /** MANAGE on a record for the user who created it (no admin needed: the creation was checked). */
  async grantToCreator(username: string, record: ProtectedRecord): Promise<void> {
    // A user the identity provider vouches for has no row until they first own something.
    if (!(await this.store.user(username))) await this.store.createUser({ username, passwordHash: null, isAdmin: false }).catch(() => undefined)
    const role = await this.personalRole(username)
    await this.store.assignRole(role.userId, role.id)
    await this.store.putRolePermission({ roleId: role.id, resourceType: record.type, resourcePattern: recordPattern(record.backendId, record.id), permission: 'MANAGE' })
    this.changed(username)
  }

  async revoke(caller: Identity, input: { username: string; resourceType: string; pattern: string }): Promise<void> {
    return this.audited(caller, { operation: 'revokePermission', recordType: 'user', recordId: input.username, summary: { resourceType: input.resourceType, resourcePattern: input.pattern } }, async () => {
      requireAdmin(caller)
      checkResourceType(input.resourceType)
      const role = await this.personalRole(input.username)
      await this.store.removeRolePermissionOn(role.id, input.resourceType, input.pattern)
    })
  }

  /** Every row that applies to the user, with the role it comes from. */
  async userPermissions(caller: Identity, username: string): Promise<{ isAdmin: boolean; rows: { role: RoleRecord; row: RolePermissionRecord }[] }> {
    if (!caller.isAdmin && caller.username !== username) throw forbidden()
    const user = await this.existingUser(username)
    const roles = await this.store.userRoles(user.id)
    return { isAdmin: user.isAdmin, rows: roles.flatMap((role) => role.permissions.map((row) => ({ role, row }))) }
  }

  async createRole(caller: Identity, input: { name: string; workspace?: string; description?: string | null }): Promise<RoleRecord> {
    return this.audited(caller, { operation: 'createRole', recordType: 'role', recordId: input.name, summary: { workspace: input.workspace ?? DEFAULT_WORKSPACE } }, async () => {
      requireAdmin(caller)
      if (input.name.trim() === '') throw badInput('Role name cannot be empty.')
      if (input.workspace !== undefined && input.workspace.trim() === '') throw badInput('Workspace cannot be empty.')
      if (input.name.startsWith('__user_')) throw badInput('Role names starting with __user_ are kept for grants to one user.')
      return this.store.createRole({ name: input.name, workspace: input.workspace ?? DEFAULT_WORKSPACE, description: input.description ?? null })
    })
  }

  async role(caller: Identity, id: number): Promise<RoleRecord> {
    requireAdmin(caller)
    const role = await this.store.role(id)
    if (!role) throw noSuchRole(id)
    return role
  }

  roles(caller: Identity): Promise<RoleRecord[]> {
    requireAdmin(caller)
    return this.store.roles()
  }

  async updateRole(caller: Identity, id: number, patch: { name?: string; description?: string }): Promise<RoleRecord> {
    return this.audited(caller, { operation: 'updateRole', recordType: 'role', recordId: String(id), summary: { fields: Object.keys(patch).sort() } }, async () => {
      await this.role(caller, id)
      if (patch.name === undefined && patch.description === undefined) throw badInput("At least one of 'name' or 'description' must be provided to update a role.")
      if (patch.name !== undefined && patch.name.trim() === '') throw badInput('Role name cannot be empty.')
      return this.store.updateRole(id, patch)
    })
  }

  async deleteRole(caller: Identity, id: number): Promise<void> {
    return this.audited(caller, { operation: 'deleteRole', recordType: 'role', recordId: String(id), summary: {} }, async () => {
      await this.role(caller, id)
      await this.store.deleteRole(id)
    })
  }

  async addRolePermission(caller: Identity, input: { roleId: number; resourceType: string; pattern: string; permission: string }): Promise<RolePermissionRecord> {
    return this.audited(caller, { operation: 'addRolePermission', recordType: 'role', recordId: String(input.roleId), summary: { resourceType: input.resourceType, resourcePattern: input.pattern, permission: input.permission } }, async () => {
      await this.role(caller, input.roleId)
      const permission = checkGrant(input.resourceType, input.permission)
      return this.store.putRolePermission({ roleId: input.roleId, resourceType: input.resourceType, resourcePattern: input.pattern, permission })
    })
  }

  async updateRolePermission(caller: Identity, id: number, permission: string): Promise<RolePermissionRecord> {
    return this.audited(caller, { operation: 'updateRolePermission', recordType: 'role_permission', recordId: String(id), summary: { permission } }, async () => {
      requireAdmin(caller)
      const row = await this.store.rolePermission(id)
      if (!row) throw new GatewayError('NOT_FOUND', `Role permission with id=${id} not found`)
      return this.store.updateRolePermission(id, checkGrant(row.resourceType, permission))
    })
  }

  async removeRolePermission(caller: Identity, id: number): Promise<void> {
    return this.audited(caller, { operation: 'removeRolePermission', recordType: 'role_permission', recordId: String(id), summary: {} }, async () => {
      requireAdmin(caller)
      if (!(await this.store.rolePermission(id))) throw new GatewayError('NOT_FOUND', `Role permission with id=${id} not found`)
      await this.store.removeRolePermission(id)
    })
  }

  async assign(caller: Identity, username: string, roleId: number): Promise<RoleAssignmentRecord> {
    return this.audited(caller, { operation: 'assignRole', recordType: 'user', recordId: username, summary: { roleId } }, async () => {
      await this.role(caller, roleId)
      return this.store.assignRole((await this.existingUser(username)).id, roleId)
    })
  }

  async unassign(caller: Identity, username: string, roleId: number): Promise<void> {
    return this.audited(caller, { operation: 'unassignRole', recordType: 'user', recordId: username, summary: { roleId } }, async () => {
      await this.role(caller, roleId)
      await this.store.unassignRole((await this.existingUser(username)).id, roleId)
    })
  }

  async userRoles(caller: Identity, username: string): Promise<RoleRecord[]> {
    if (!caller.isAdmin && caller.username !== username) throw forbidden()
    return this.store.userRoles((await this.existingUser(username)).id)
  }

  async roleUsers(caller: Identity, roleId: number): Promise<RoleAssignmentRecord[]> {
    await this.role(caller, roleId)
    return this.store.roleAssignments(roleId)
  }


  private async audited<T>(caller: Identity, event: AuditDraft, write: () => Promise<T>): Promise<T> {
    const result = await runAudited({ append: (ended) => this.audit(caller, ended) }, event, write)
    this.changed(event.recordType === 'user' ? (event.recordId ?? null) : null)
    return result
  }
  private async existingUser(username: string) {
    const user = await this.store.user(username)
    if (!user) throw new GatewayError('NOT_FOUND', `User with username=${username} not found`)
    return user
  }

  private async personalRole(username: string): Promise<RoleRecord & { userId: number }> {
    const user = await this.existingUser(username)
    const name = personalRoleName(user.id)
    const role = (await this.store.roleNamed(DEFAULT_WORKSPACE, name)) ?? (await this.store.createRole({ name, workspace: DEFAULT_WORKSPACE, description: null }).catch(async () => this.store.roleNamed(DEFAULT_WORKSPACE, name)))
    if (!role) throw new GatewayError('INTERNAL', 'the personal role could not be made')
    return { ...role, userId: user.id }
  }
}

function checkResourceType(resourceType: string): void {
  if (!(RESOURCE_TYPES as readonly string[]).includes(resourceType)) {
    throw badInput(`Invalid resource type '${resourceType}'. Valid resource types are: (${RESOURCE_TYPES.map((type) => `'${type}'`).join(', ')})`)
  }
}

function checkGrant(resourceType: string, permission: string): Permission {
  checkResourceType(resourceType)
  if (!(PERMISSIONS as readonly string[]).includes(permission)) {
    throw badInput(`Invalid permission '${permission}'. Valid permissions are: (${['READ', 'USE', 'EDIT', 'MANAGE', 'NO_PERMISSIONS', 'DENY'].map((level) => `'${level}'`).join(', ')})`)
  }
  if (!GRANTABLE.includes(permission as Permission)) {
    throw badInput(`Invalid permission '${permission}' for resource_type='${resourceType}'. Resource-level grants accept only: (${[...GRANTABLE].sort().map((level) => `'${level}'`).join(', ')}).`)
  }
  return permission as Permission
}

function requireAdmin(caller: Identity): void {
  if (!caller.isAdmin) throw forbidden()
}

const forbidden = () => new GatewayError('FORBIDDEN', 'Permission denied')
const noSuchRole = (id: number) => new GatewayError('NOT_FOUND', `Role with id=${id} not found`)
