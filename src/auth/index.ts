import type { GatewayConfig } from '../config.js'
import type { Backends } from '../federation/backends.js'
import { Authenticator } from './authenticator.js'
import { UserAdmin } from './user-admin.js'
import type { Identity } from './identity.js'
import { currentDoor } from '../request-scope.js'
import type { AuditEnded } from './audit.js'
import { type AuditEventInput, type AuditLog, PendingAuditEvent } from '../contract/audit-log.js'
import type { RolePermissionRecord } from '../contract/identity-store.js'
import { type CallerAccess, CallerPermissions, recordPattern } from './permissions.js'
import { PermissionAdmin } from './permission-admin.js'
import { type CallerAllowance, RoleLimits } from './role-limits.js'
import { ReadCache, identityKey } from './read-cache.js'

/**
 * The gateway's authenticator when auth is on (null otherwise), over the
 * store backend's users, with MLflow's admin bootstrap: the configured
 * admin is created at start when no user of that name exists (an existing
 * one is left as it is, its password included).
 */
export interface Auth {
  authenticator: Authenticator
  users: UserAdmin
  permissionAdmin: PermissionAdmin
  /** The audit trail, for the admins' and the per-record views. */
  auditLog: AuditLog
  /** What an admitted identity may do (its permission rows, read once per request), and owning what it creates. */
  accessFor(identity: Identity | null): CallerAccess
  /** What a caller may spend (auth.roleLimits, else the general limits). */
  allowanceOf(identity: Identity | null): Promise<CallerAllowance>
}

export async function startAuth(config: GatewayConfig, backends: Backends): Promise<Auth | null> {
  const auth = config.auth
  if (!auth || auth.mode === 'none') return null
  const storeBackend = auth.store ?? backends.all.find((backend) => backend.kind === 'native')?.id
  if (!storeBackend) throw new Error('auth needs a native backend to keep users in')
  const store = backends.partOf(storeBackend, 'identities')
  const auditLog = backends.partOf(storeBackend, 'auditLog')
  const authenticator = new Authenticator(store, auth)
  if (auth.admin && !(await store.user(auth.admin.username))) {
    await store.createUser({ username: auth.admin.username, passwordHash: await authenticator.passwords.hash(auth.admin.password), isAdmin: true })
  }
  const defaultPermission = auth.defaultPermission
  // A user's permission rows, reused for auth.identityCacheMs; any grant or role change through this replica drops them all.
  const rowsCache = new ReadCache<RolePermissionRecord[]>(auth.identityCacheMs)
  const rowsOf = (identity: Identity) => rowsCache.read(identityKey(identity), () => store.permissionRowsFor(identity.username, identity.roles))
  const permissionsOf = async (identity: Identity | null): Promise<CallerPermissions> => {
    // No identity with auth on is a request the door did not admit (an in-process call): it may do nothing.
    if (!identity) return new CallerPermissions({ username: '', isAdmin: false, via: 'token', roles: [], tokenId: null, expiresAt: null }, [], 'NO_PERMISSIONS')
    if (identity.isAdmin) return new CallerPermissions(identity, [], defaultPermission)
    return new CallerPermissions(identity, await rowsOf(identity), defaultPermission)
  }
  const roleLimits = new RoleLimits(store, auth.roleLimits, { queryCostPerMinute: config.limits.queryCostPerClientPerMinute, subscriptions: config.limits.subscriptionsPerClient }, auth.identityCacheMs)
  const changed = (username: string | null) => {
    authenticator.forget(username)
    rowsCache.clear()
    roleLimits.forget()
  }
  const asEventOf = (actor: Identity | null, event: AuditEnded): AuditEventInput => ({ ...event, actor: actor?.username ?? '(unauthenticated)', door: currentDoor() })
  const auditAs = (actor: Identity | null, event: AuditEnded) => auditLog.append(asEventOf(actor, event))
  const permissionAdmin = new PermissionAdmin(store, auditAs, changed, permissionsOf)
  return {
    authenticator,
    users: new UserAdmin(store, auditAs, changed, authenticator.passwords),
    permissionAdmin,
    auditLog,
    allowanceOf: (identity) => roleLimits.of(identity),
    accessFor: (identity) => ({
      permissions: () => permissionsOf(identity),
      ownCreated: async (record) => {
        if (identity) await permissionAdmin.grantToCreator(identity.username, record)
      },
      forgetDeleted: async (record) => {
        await store.removeGrantsOn(record.type, recordPattern(record.backendId, record.id))
        changed(null)
      },
      moveGrants: async (record, newId) => {
        await store.moveGrants(record.type, recordPattern(record.backendId, record.id), recordPattern(record.backendId, newId))
        changed(null)
      },
      record: (event) => auditAs(identity, event),
      offerRecord: (event) => new PendingAuditEvent(storeBackend, asEventOf(identity, event)),
      checkStillValid: async () => {
        if (identity) await authenticator.checkStillValid(identity)
      },
    }),
  }
}
