import type { Identity } from '../auth/identity.js'
import type { UserAdmin } from '../auth/user-admin.js'
import type { GatewayContext } from '../context.js'
import type { ApiTokenRecord, RolePermissionRecord, RoleRecord, UserRecord } from '../contract/identity-store.js'
import type { PermissionAdmin } from '../auth/permission-admin.js'
import { recordPattern } from '../auth/permissions.js'
import { GatewayError, unsupported } from '../errors.js'
import { builder } from './builder.js'

/** Who is asking, and (for admins) the gateway's users and API tokens. See src/auth/. */

const ViaEnum = builder.enumType('SignInMethod', {
  values: {
    PASSWORD: { value: 'password' },
    TOKEN: { value: 'token', description: 'An mlgate API token.' },
    OIDC: { value: 'oidc', description: 'A JWT from the identity provider.' },
  } as const,
})

const ViewerRef = builder.objectRef<Identity>('Viewer').implement({
  description: 'The identity this request was admitted as.',
  fields: (t) => ({
    username: t.exposeString('username'),
    isAdmin: t.exposeBoolean('isAdmin'),
    signedInWith: t.field({ type: ViaEnum, resolve: (identity) => identity.via }),
    roles: t.exposeStringList('roles', { description: "Roles from the identity provider's groups." }),
    credentialExpiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (identity) => identity.expiresAt }),
  }),
})

const UserRef = builder.objectRef<UserRecord>('User').implement({
  fields: (t) => ({
    username: t.exposeString('username'),
    isAdmin: t.exposeBoolean('isAdmin'),
    hasPassword: t.boolean({ resolve: (user) => user.passwordHash !== null }),
    createdAt: t.field({ type: 'DateTime', resolve: (user) => user.createdAt }),
  }),
})

const ApiTokenRef = builder.objectRef<ApiTokenRecord>('ApiToken').implement({
  description: 'An API token, without its secret (which is shown once, when it is created).',
  fields: (t) => ({
    id: t.exposeID('id'),
    username: t.exposeString('username'),
    name: t.exposeString('name'),
    createdAt: t.field({ type: 'DateTime', resolve: (token) => token.createdAt }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (token) => token.expiresAt }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, description: 'To the minute.', resolve: (token) => token.lastUsedAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (token) => token.revokedAt }),
  }),
})

const CreatedApiTokenRef = builder.objectRef<{ token: string; record: ApiTokenRecord }>('CreatedApiToken').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The token itself: shown this once, stored only as a hash.' }),
    apiToken: t.field({ type: ApiTokenRef, resolve: (created) => created.record }),
  }),
})

/** The user administration and the caller, or why there are none. */
function adminOf(context: GatewayContext): { users: UserAdmin; caller: Identity } {
  if (!context.users) throw unsupported('auth is off on this gateway (see auth: in its config)')
  if (!context.identity) throw new GatewayError('UNAUTHENTICATED', 'this operation needs a signed-in user')
  return { users: context.users, caller: context.identity }
}

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    nullable: true,
    description: 'Who this request is from; null when auth is off.',
    resolve: (_, __, context) => context.identity,
  }),
  users: t.field({
    type: [UserRef],
    description: 'Every user, by username (admins only).',
    resolve: (_, __, context) => {
      const { users, caller } = adminOf(context)
      return users.users(caller)
    },
  }),
  apiTokens: t.field({
    type: [ApiTokenRef],
    description: "A user's API tokens, newest first, revoked ones too: yours, or anyone's for admins.",
    args: { username: t.arg.string({ description: 'Default: yours.' }) },
    resolve: (_, args, context) => {
      const { users, caller } = adminOf(context)
      return users.tokens(caller, args.username ?? caller.username)
    },
  }),
}))

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    username: t.string({ required: true }),
    password: t.string({ required: true, description: 'At least 12 characters; stored as a memory-hard hash.' }),
    isAdmin: t.boolean({ defaultValue: false }),
  }),
})

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  fields: (t) => ({
    username: t.string({ required: true, description: 'Whose token it is: it acts as them.' }),
    name: t.string({ required: true, description: 'What it is for.' }),
    expiresInDays: t.int({ description: 'Default: never expires.' }),
  }),
})

builder.mutationFields((t) => ({
  createUser: t.field({
    type: UserRef,
    description: 'Admins only.',
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: (_, { input }, context) => {
      const { users, caller } = adminOf(context)
      return users.createUser(caller, { username: input.username, password: input.password, isAdmin: input.isAdmin ?? false })
    },
  }),
  changePassword: t.field({
    type: 'Boolean',
    description: "Your own (giving the current one), or anyone's for admins.",
    args: { username: t.arg.string({ required: true }), password: t.arg.string({ required: true }), currentPassword: t.arg.string() },
    resolve: async (_, args, context) => {
      const { users, caller } = adminOf(context)
      await users.updatePassword(caller, { username: args.username, password: args.password, currentPassword: args.currentPassword ?? undefined })
      return true
    },
  }),
  setUserAdmin: t.field({
    type: 'Boolean',
    description: 'Admins only.',
    args: { username: t.arg.string({ required: true }), isAdmin: t.arg.boolean({ required: true }) },
    resolve: async (_, args, context) => {
      const { users, caller } = adminOf(context)
      await users.updateAdmin(caller, args.username, args.isAdmin)
      return true
    },
  }),
  deleteUser: t.field({
    type: 'Boolean',
    description: 'Admins only, and not themselves; their API tokens go with them.',
    args: { username: t.arg.string({ required: true }) },
    resolve: async (_, args, context) => {
      const { users, caller } = adminOf(context)
      await users.deleteUser(caller, args.username)
      return true
    },
  }),
  createApiToken: t.field({
    type: CreatedApiTokenRef,
    description: 'Admins only. The answer holds the token itself, which is never shown again.',
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: (_, { input }, context) => {
      const { users, caller } = adminOf(context)
      return users.createToken(caller, { username: input.username, name: input.name, expiresInDays: input.expiresInDays })
    },
  }),
  revokeApiToken: t.field({
    type: ApiTokenRef,
    description: 'Yours, or anyone\'s for admins. Requests and live streams opened with it stop being admitted.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, args, context) => {
      const { users, caller } = adminOf(context)
      return users.revokeToken(caller, args.id)
    },
  }),
}))

const ResourceTypeEnum = builder.enumType('ResourceType', {
  description: "What a grant covers: one experiment or registered model, or (BACKEND) everything in a backend.",
  values: { EXPERIMENT: { value: 'experiment' }, REGISTERED_MODEL: { value: 'registered_model' }, BACKEND: { value: 'backend' } } as const,
})

const PermissionLevelEnum = builder.enumType('PermissionLevel', {
  description: 'MLflow\'s levels, READ < USE < EDIT < MANAGE; DENY wins over every grant.',
  values: ['READ', 'USE', 'EDIT', 'MANAGE', 'DENY'] as const,
})

const GrantRef = builder.objectRef<RolePermissionRecord>('PermissionGrant').implement({
  fields: (t) => ({
    id: t.id({ resolve: (row) => String(row.id) }),
    resourceType: t.exposeString('resourceType'),
    resourcePattern: t.exposeString('resourcePattern', { description: '`<backend>:<id>` (an experiment id, a model name), `*`, or a backend id.' }),
    permission: t.exposeString('permission'),
  }),
})

const RoleRef = builder.objectRef<RoleRecord>('Role').implement({
  fields: (t) => ({
    id: t.id({ resolve: (role) => String(role.id) }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    permissions: t.field({ type: [GrantRef], resolve: (role) => role.permissions }),
  }),
})

const GrantInput = builder.inputType('GrantInput', {
  fields: (t) => ({
    resourceType: t.field({ type: ResourceTypeEnum, required: true }),
    backend: t.id({ required: true, description: 'The backend the record lives in (for BACKEND: the backend granted, or "*").' }),
    resource: t.string({ description: 'The experiment id or model name, or "*" for all of them; ignored for BACKEND.' }),
    permission: t.field({ type: PermissionLevelEnum, required: true }),
  }),
})

/** The pattern a grant input names (src/auth/permissions.ts). */
function patternOf(input: { resourceType: string; backend: string; resource?: string | null }): string {
  if (input.resourceType === 'backend') return input.backend
  if (!input.resource) throw new GatewayError('BAD_USER_INPUT', 'resource: the experiment id or model name (or "*") the grant covers')
  return input.resource === '*' ? '*' : recordPattern(input.backend, input.resource)
}

function permissionAdminOf(context: GatewayContext): { admin: PermissionAdmin; caller: Identity } {
  const { caller } = adminOf(context)
  if (!context.permissionAdmin) throw unsupported('auth is off on this gateway (see auth: in its config)')
  return { admin: context.permissionAdmin, caller }
}

builder.queryFields((t) => ({
  roles: t.field({
    type: [RoleRef],
    description: 'Every role with its grants (admins only).',
    resolve: (_, __, context) => {
      const { admin, caller } = permissionAdminOf(context)
      return admin.roles(caller)
    },
  }),
}))

builder.mutationFields((t) => ({
  grantPermission: t.field({
    type: GrantRef,
    description: 'Grants one user a level on a record, all records of a type, or a backend (admins only); replaces their earlier grant there.',
    args: { username: t.arg.string({ required: true }), grant: t.arg({ type: GrantInput, required: true }) },
    resolve: (_, { username, grant }, context) => {
      const { admin, caller } = permissionAdminOf(context)
      return admin.grant(caller, { username, resourceType: grant.resourceType, pattern: patternOf(grant), permission: grant.permission })
    },
  }),
  revokePermission: t.field({
    type: 'Boolean',
    description: "Removes a user's own grant there (admins only); their roles' rows stay.",
    args: { username: t.arg.string({ required: true }), grant: t.arg({ type: GrantInput, required: true }) },
    resolve: async (_, { username, grant }, context) => {
      const { admin, caller } = permissionAdminOf(context)
      await admin.revoke(caller, { username, resourceType: grant.resourceType, pattern: patternOf(grant) })
      return true
    },
  }),
  createRole: t.field({
    type: RoleRef,
    description: 'Admins only.',
    args: { name: t.arg.string({ required: true }), description: t.arg.string(), grants: t.arg({ type: [GrantInput] }) },
    resolve: async (_, args, context) => {
      const { admin, caller } = permissionAdminOf(context)
      const role = await admin.createRole(caller, { name: args.name, description: args.description ?? null })
      for (const grant of args.grants ?? []) await admin.addRolePermission(caller, { roleId: role.id, resourceType: grant.resourceType, pattern: patternOf(grant), permission: grant.permission })
      return admin.role(caller, role.id)
    },
  }),
  assignRole: t.field({
    type: 'Boolean',
    description: 'Admins only.',
    args: { username: t.arg.string({ required: true }), roleId: t.arg.id({ required: true }) },
    resolve: async (_, args, context) => {
      const { admin, caller } = permissionAdminOf(context)
      await admin.assign(caller, args.username, Number(args.roleId))
      return true
    },
  }),
}))
