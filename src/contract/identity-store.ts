/**
 * Who may use the gateway: its users and their API tokens, kept by the
 * gateway's own store (the native backend). Secrets are stored only as
 * hashes made by `src/auth/` (passwords memory-hard, tokens SHA-256 of a
 * random secret); the store never sees a secret itself.
 */

export interface UserRecord {
  id: number
  username: string
  isAdmin: boolean
  /** `src/auth/passwords.ts`'s encoding; null for a user who signs in only through the identity provider or with tokens. */
  passwordHash: string | null
  createdAt: Date
}

export interface ApiTokenRecord {
  /** The token's public part (it is in the token itself): what it is looked up and revoked by. */
  id: string
  username: string
  /** What it is for, as its creator named it. */
  name: string
  /** SHA-256 of the token's secret part, hex. */
  secretHash: string
  createdAt: Date
  /** Null: never expires. */
  expiresAt: Date | null
  lastUsedAt: Date | null
  revokedAt: Date | null
}

/** MLflow's permission levels, and its explicit DENY (which wins over every grant). */
export const PERMISSIONS = ['DENY', 'NO_PERMISSIONS', 'READ', 'USE', 'EDIT', 'MANAGE'] as const
export type Permission = (typeof PERMISSIONS)[number]

export interface RolePermissionRecord {
  id: number
  roleId: number
  /** `experiment`, `registered_model`, `backend`, ... */
  resourceType: string
  /** `*`, or one resource's id (src/auth/resources.ts says how ids are written). */
  resourcePattern: string
  permission: Permission
}

export interface RoleRecord {
  id: number
  name: string
  workspace: string
  description: string | null
  permissions: RolePermissionRecord[]
}

export interface RoleAssignmentRecord {
  id: number
  userId: number
  roleId: number
}

export interface IdentityStore {
  user(username: string): Promise<UserRecord | null>
  /** Every user, by username. */
  users(): Promise<UserRecord[]>
  /** CONFLICT when the username is taken. */
  createUser(input: { username: string; passwordHash: string | null; isAdmin: boolean }): Promise<UserRecord>
  /** NOT_FOUND when there is no such user. */
  updateUser(username: string, patch: { passwordHash?: string; isAdmin?: boolean }): Promise<UserRecord>
  /** Removes the user and their tokens; NOT_FOUND when there is no such user. */
  deleteUser(username: string): Promise<void>

  /** NOT_FOUND when the user does not exist. */
  createToken(input: { id: string; username: string; name: string; secretHash: string; expiresAt: Date | null }): Promise<ApiTokenRecord>
  token(id: string): Promise<ApiTokenRecord | null>
  /** A user's tokens (revoked ones too), newest first. */
  tokens(username: string): Promise<ApiTokenRecord[]>
  /** Marks it revoked (idempotent); NOT_FOUND when there is no such token. */
  revokeToken(id: string): Promise<ApiTokenRecord>
  /** Records a use; coarse (callers touch at most once a minute per token). */
  touchToken(id: string, at: Date): Promise<void>

  /** Every role, by workspace and name. */
  roles(): Promise<RoleRecord[]>
  role(id: number): Promise<RoleRecord | null>
  roleNamed(workspace: string, name: string): Promise<RoleRecord | null>
  /** CONFLICT when the workspace has a role of that name. */
  createRole(input: { name: string; workspace: string; description: string | null }): Promise<RoleRecord>
  updateRole(id: number, patch: { name?: string; description?: string }): Promise<RoleRecord>
  deleteRole(id: number): Promise<void>
  /** Adds the row, or (`replace`) changes the permission of the role's row on that resource. */
  putRolePermission(input: { roleId: number; resourceType: string; resourcePattern: string; permission: Permission }): Promise<RolePermissionRecord>
  rolePermission(id: number): Promise<RolePermissionRecord | null>
  updateRolePermission(id: number, permission: Permission): Promise<RolePermissionRecord>
  removeRolePermission(id: number): Promise<void>
  /** Removes the role's row on that resource, if there is one. */
  removeRolePermissionOn(roleId: number, resourceType: string, resourcePattern: string): Promise<void>
  /** Removes every role's rows on one record (it was deleted, and its name may be taken again). */
  removeGrantsOn(resourceType: string, resourcePattern: string): Promise<void>
  /** Moves every role's rows on one record to its new id (a renamed model keeps its grants). */
  moveGrants(resourceType: string, fromPattern: string, toPattern: string): Promise<void>
  /** Idempotent. */
  assignRole(userId: number, roleId: number): Promise<RoleAssignmentRecord>
  unassignRole(userId: number, roleId: number): Promise<void>
  userRoles(userId: number): Promise<RoleRecord[]>
  roleAssignments(roleId: number): Promise<RoleAssignmentRecord[]>
  /**
   * Every permission row that applies to the user (by their assigned roles)
   * or to any of `roleNames` (roles an identity provider's groups map to, in
   * any workspace). One statement: it runs for every admitted request.
   */
  permissionRowsFor(username: string, roleNames: readonly string[]): Promise<RolePermissionRecord[]>
}
