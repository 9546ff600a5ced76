import { z } from 'zod'
import type { PermissionAdmin } from '../auth/permission-admin.js'
import { type ProtectedRecord, RANK, recordPattern } from '../auth/permissions.js'
import type { RolePermissionRecord, RoleRecord } from '../contract/identity-store.js'
import { GatewayError } from '../errors.js'
import { parseParams, repeated } from './params.js'
import { invalidParameter } from './errors.js'
import type { Route } from './route.js'
import { caller } from './users.js'

/**
 * MLflow 3.17's auth app's grant and role endpoints (API 3.0): per-user
 * grants (`users/permissions/grant|revoke|get|list`), roles and their
 * permission rows and members. MLflow names an experiment by its id and a
 * registered model by its name; here those are records of the MLflow API's
 * backend, so its ids are written `<backend>:<id>` in mlgate's grants (and
 * read back without the prefix). `backend` grants name a backend id.
 */
export function permissionRoutes(admin: PermissionAdmin, backendId: string): Route[] {
  const toPattern = (resourceType: string, id: string) => (id === '*' || resourceType === 'backend' ? id : recordPattern(backendId, id))
  const fromPattern = (pattern: string) => (pattern.startsWith(`${backendId}:`) ? pattern.slice(backendId.length + 1) : pattern)
  const rowJson = (row: RolePermissionRecord) => ({ id: row.id, role_id: row.roleId, resource_type: row.resourceType, resource_pattern: fromPattern(row.resourcePattern), permission: row.permission })
  const roleJson = (role: RoleRecord) => ({ id: role.id, name: role.name, workspace: role.workspace, description: role.description, permissions: role.permissions.map(rowJson) })
  const grantTarget = z.object({ username: z.string(), resource_type: z.string(), resource_id: z.string() })
  const roleId = z.object({ role_id: z.coerce.number().int() })
  const v3 = { version: 3 } as const
  return [
    {
      ...v3,
      method: 'POST',
      path: 'users/permissions/grant',
      async handle(params) {
        const request = parseParams(grantTarget.extend({ permission: z.string() }), params)
        await admin.grant(caller(), { username: request.username, resourceType: request.resource_type, pattern: toPattern(request.resource_type, request.resource_id), permission: request.permission })
        return {}
      },
    },
    {
      ...v3,
      method: 'POST',
      path: 'users/permissions/revoke',
      async handle(params) {
        const request = parseParams(grantTarget, params)
        await admin.revoke(caller(), { username: request.username, resourceType: request.resource_type, pattern: toPattern(request.resource_type, request.resource_id) })
        return {}
      },
    },
    {
      ...v3,
      method: 'GET',
      path: 'users/permissions/get',
      async handle(params) {
        const request = parseParams(grantTarget, params)
        const type = request.resource_type
        const record: ProtectedRecord | { type: 'backend'; backendId: string } | null =
          type === 'backend'
            ? { type, backendId: request.resource_id }
            : type === 'experiment' || type === 'registered_model'
              ? { type, backendId, id: request.resource_id }
              : null
        if (record === null) throw new GatewayError('BAD_USER_INPUT', `Invalid resource type '${type}'.`)
        const level = await admin.effectivePermission(caller(), request.username, record)
        // MLflow's `allowed` is the regular access tier (USE).
        return { allowed: RANK[level] >= RANK.USE, permission: level }
      },
    },
    {
      ...v3,
      method: 'GET',
      path: 'users/permissions/list',
      async handle(params) {
        const { username } = parseParams(z.object({ username: z.string() }), params)
        const { isAdmin, rows } = await admin.userPermissions(caller(), username)
        return {
          is_admin: isAdmin,
          permissions: rows.map(({ role, row }) => ({ role_id: role.id, role_name: role.name, workspace: role.workspace, resource_type: row.resourceType, resource_pattern: fromPattern(row.resourcePattern), permission: row.permission })),
        }
      },
    },
    {
      ...v3,
      method: 'POST',
      path: 'roles/create',
      conflict: 'RESOURCE_ALREADY_EXISTS',
      async handle(params) {
        // MLflow's create_role asks for both by name (a missing one is "Missing value for required parameter").
        const request = parseParams(z.object({ name: z.string(), workspace: z.string(), description: z.string().nullish() }), params)
        return { role: roleJson(await admin.createRole(caller(), { name: request.name, workspace: request.workspace, description: request.description ?? null })) }
      },
    },
    { ...v3, method: 'GET', path: 'roles/get', handle: async (params) => ({ role: roleJson(await admin.role(caller(), parseParams(roleId, params).role_id)) }) },
    {
      ...v3,
      method: 'GET',
      path: 'roles/list',
      async handle(params) {
        // A repeated `workspace` scopes the listing, as MLflow's list_roles does; none lists every workspace.
        const { workspace } = parseParams(z.object({ workspace: repeated(z.string()).default([]) }), params)
        if (workspace.some((name) => name.trim() === '')) throw invalidParameter("Parameter 'workspace' must be a non-empty string when provided.")
        const roles = await admin.roles(caller())
        return { roles: (workspace.length === 0 ? roles : roles.filter((role) => workspace.includes(role.workspace))).map(roleJson) }
      },
    },
    {
      ...v3,
      method: 'PATCH',
      path: 'roles/update',
      async handle(params) {
        const request = parseParams(roleId.extend({ name: z.string().optional(), description: z.string().optional() }), params)
        return { role: roleJson(await admin.updateRole(caller(), request.role_id, { name: request.name, description: request.description })) }
      },
    },
    {
      ...v3,
      method: 'DELETE',
      path: 'roles/delete',
      async handle(params) {
        await admin.deleteRole(caller(), parseParams(roleId, params).role_id)
        return {}
      },
    },
    {
      ...v3,
      method: 'POST',
      path: 'roles/permissions/add',
      async handle(params) {
        const request = parseParams(roleId.extend({ resource_type: z.string(), resource_pattern: z.string(), permission: z.string() }), params)
        const row = await admin.addRolePermission(caller(), { roleId: request.role_id, resourceType: request.resource_type, pattern: toPattern(request.resource_type, request.resource_pattern), permission: request.permission })
        return { role_permission: rowJson(row) }
      },
    },
    {
      ...v3,
      method: 'DELETE',
      path: 'roles/permissions/remove',
      async handle(params) {
        await admin.removeRolePermission(caller(), parseParams(z.object({ role_permission_id: z.coerce.number().int() }), params).role_permission_id)
        return {}
      },
    },
    {
      ...v3,
      method: 'GET',
      path: 'roles/permissions/list',
      handle: async (params) => ({ role_permissions: (await admin.role(caller(), parseParams(roleId, params).role_id)).permissions.map(rowJson) }),
    },
    {
      ...v3,
      method: 'PATCH',
      path: 'roles/permissions/update',
      async handle(params) {
        const request = parseParams(z.object({ role_permission_id: z.coerce.number().int(), permission: z.string() }), params)
        return { role_permission: rowJson(await admin.updateRolePermission(caller(), request.role_permission_id, request.permission)) }
      },
    },
    {
      ...v3,
      method: 'POST',
      path: 'roles/assign',
      async handle(params) {
        const request = parseParams(roleId.extend({ username: z.string() }), params)
        const assignment = await admin.assign(caller(), request.username, request.role_id)
        return { assignment: { id: assignment.id, user_id: assignment.userId, role_id: assignment.roleId } }
      },
    },
    {
      ...v3,
      method: 'DELETE',
      path: 'roles/unassign',
      async handle(params) {
        const request = parseParams(roleId.extend({ username: z.string() }), params)
        await admin.unassign(caller(), request.username, request.role_id)
        return {}
      },
    },
    {
      ...v3,
      method: 'GET',
      path: 'users/roles/list',
      handle: async (params) => ({ roles: (await admin.userRoles(caller(), parseParams(z.object({ username: z.string() }), params).username)).map(roleJson) }),
    },
    {
      ...v3,
      method: 'GET',
      path: 'roles/users/list',
      async handle(params) {
        const assignments = await admin.roleUsers(caller(), parseParams(roleId, params).role_id)
        return { assignments: assignments.map((assignment) => ({ id: assignment.id, user_id: assignment.userId, role_id: assignment.roleId })) }
      },
    },
  ]
}
