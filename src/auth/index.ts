import type { GatewayConfig } from '../config.js'
import type { Backends } from '../federation/backends.js'
import { Authenticator } from './authenticator.js'
import { UserAdmin } from './user-admin.js'

/**
 * The gateway's authenticator when auth is on (null otherwise), over the
 * store backend's users, with MLflow's admin bootstrap: the configured
 * admin is created at start when no user of that name exists (an existing
 * one is left as it is, its password included).
 */
export async function startAuth(config: GatewayConfig, backends: Backends): Promise<{ authenticator: Authenticator; users: UserAdmin } | null> {
  const auth = config.auth
  if (!auth || auth.mode === 'none') return null
  const storeBackend = auth.store ?? backends.all.find((backend) => backend.kind === 'native')?.id
  if (!storeBackend) throw new Error('auth needs a native backend to keep users in')
  const store = backends.partOf(storeBackend, 'identities')
  const authenticator = new Authenticator(store, auth)
  if (auth.admin && !(await store.user(auth.admin.username))) {
    await store.createUser({ username: auth.admin.username, passwordHash: await authenticator.passwords.hash(auth.admin.password), isAdmin: true })
  }
  return { authenticator, users: new UserAdmin(store, authenticator.passwords) }
}
