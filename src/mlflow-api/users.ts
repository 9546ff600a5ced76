import { z } from 'zod'
import type { Identity } from '../auth/identity.js'
import type { UserAdmin } from '../auth/user-admin.js'
import type { UserRecord } from '../contract/identity-store.js'
import { GatewayError } from '../errors.js'
import { currentIdentity } from '../request-scope.js'
import { bool, parseParams } from './params.js'
import { MlflowApiError } from './errors.js'
import type { Route } from './route.js'

/**
 * MLflow's auth app's user endpoints (mlflow/server/auth, `users/*`), so
 * `mlflow.server.auth.client.AuthServiceClient` and scripts written for it
 * manage mlgate's users: the same paths, methods, bodies and answers.
 * Served only when auth is on, as MLflow serves them only with its auth app.
 */
export function userRoutes(users: UserAdmin): Route[] {
  const username = z.object({ username: z.string() })
  return [
    {
      method: 'POST',
      path: 'users/create',
      conflict: 'RESOURCE_ALREADY_EXISTS',
      async handle(params) {
        const request = parseParams(z.object({ username: z.string().default(''), password: z.string().default('') }), params)
        if (!request.username || !request.password) throw new GatewayError('BAD_USER_INPUT', 'Username and password cannot be empty.')
        return { user: userJson(await users.createUser(caller(), request)) }
      },
    },
    {
      method: 'GET',
      path: 'users/get',
      async handle(params) {
        return { user: userJson(await users.user(caller(), parseParams(username, params).username)) }
      },
    },
    {
      method: 'GET',
      path: 'users/list',
      async handle() {
        // MLflow lists each user's roles beside them; roles are not kept here yet.
        return { users: (await users.users(caller())).map((user) => ({ ...userJson(user), roles: [] })) }
      },
    },
    {
      method: 'GET',
      path: 'users/current',
      async handle() {
        const identity = caller()
        const user = await users.currentUser(identity)
        return { user: user ? userJson(user) : { id: null, username: identity.username, is_admin: identity.isAdmin }, is_basic_auth: identity.via !== 'oidc' }
      },
    },
    {
      method: 'PATCH',
      path: 'users/update-password',
      async handle(params) {
        const request = parseParams(z.object({ username: z.string(), password: z.string(), current_password: z.string().optional() }), params)
        await users.updatePassword(caller(), { username: request.username, password: request.password, currentPassword: request.current_password })
        return {}
      },
    },
    {
      method: 'PATCH',
      path: 'users/update-admin',
      async handle(params) {
        const request = parseParams(z.object({ username: z.string(), is_admin: bool }), params)
        await users.updateAdmin(caller(), request.username, request.is_admin)
        return {}
      },
    },
    {
      method: 'DELETE',
      path: 'users/delete',
      async handle(params) {
        const request = parseParams(username, params)
        const identity = caller()
        // MLflow answers this one BAD_REQUEST (its other refusals are INVALID_PARAMETER_VALUE).
        if (request.username === identity.username) throw new MlflowApiError('BAD_REQUEST', 'Users cannot delete their own account. Ask another admin to delete this user instead.')
        await users.deleteUser(identity, request.username)
        return {}
      },
    },
  ]
}

function userJson(user: UserRecord) {
  return { id: user.id, username: user.username, is_admin: user.isAdmin }
}

/** The admitted identity (auth is on wherever these routes, and the grant and role routes, are served). */
export function caller(): Identity {
  const identity = currentIdentity()
  if (!identity) throw new GatewayError('UNAUTHENTICATED', 'this endpoint needs a signed-in user')
  return identity
}
