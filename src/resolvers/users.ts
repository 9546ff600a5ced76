import type { Identity } from '../auth/identity.js'
import type { UserAdmin } from '../auth/user-admin.js'
import type { GatewayContext } from '../context.js'
import type { ApiTokenRecord, UserRecord } from '../contract/identity-store.js'
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
