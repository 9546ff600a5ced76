import type { Identity } from './auth/identity.js'
import type { UserAdmin } from './auth/user-admin.js'
import type { CallerAccess } from './auth/permissions.js'
import type { PermissionAdmin } from './auth/permission-admin.js'
import type { AuditLog } from './contract/audit-log.js'
import { AuditTrail } from './federation/audit-trail.js'
import type { SubscriptionQuota } from './http/subscription-quota.js'
import type { Limits } from './config.js'
import type { GatewayError } from './errors.js'
import { LiveFederation } from './federation/live/live-federation.js'
import { ModelFederation } from './federation/models.js'
import { TrackingFederation } from './federation/tracking.js'
import type { Backends } from './federation/backends.js'
import type { CallerAllowance } from './auth/role-limits.js'
import type { Automation } from './federation/automation/index.js'

/** What every resolver gets: the federation layer, with this request's loaders. */
export interface GatewayContext {
  /** The configured limits (see config.ts); the complexity plugin reads them per request. */
  limits: Limits
  federation: TrackingFederation
  /** The model registries of every backend; shares the request's loaders with `federation`. */
  models: ModelFederation
  /** Live streams (subscriptions) over every backend that has them. */
  live: LiveFederation
  /** Aborts when the client goes away or the gateway shuts down: subscriptions end on it. */
  signal: AbortSignal
  /** Who is asking; null when auth is off. */
  identity: Identity | null
  /** Managing users and API tokens; null when auth is off. */
  users: UserAdmin | null
  /** Managing roles and grants; null when auth is off. */
  permissionAdmin: PermissionAdmin | null
  /** Reading the audit trail; null when auth is off. */
  audit: AuditTrail | null
  /** Webhooks and the registry sync; null when no native backend keeps them. */
  automation: Automation | null
  /** The client's address (the TCP peer), which subscription quotas count by. */
  clientAddress: string
  /** Live subscriptions held per client, shared by every request of this gateway. */
  subscriptionQuota: SubscriptionQuota
  /** What this caller may spend (its role's limits, or the general ones), read once per request. */
  allowance(): Promise<CallerAllowance>
  /**
   * Errors of backends that failed while a field still resolved with the
   * others' data; `http/graphql-errors.ts` adds them to the response.
   */
  partialFailures: PartialFailure[]
}

export interface PartialFailure {
  error: GatewayError
  path: readonly (string | number)[]
}

export function createContext(options: {
  backends: Backends
  limits: Limits
  signals: AbortSignal[]
  identity: Identity | null
  users: UserAdmin | null
  permissionAdmin: PermissionAdmin | null
  auditLog?: AuditLog | null
  automation?: Automation | null
  /** What `identity` may do; unrestricted when auth is off. */
  access?: CallerAccess
  clientAddress: string
  subscriptionQuota: SubscriptionQuota
  allowance: () => Promise<CallerAllowance>
}): GatewayContext {
  const { backends, limits } = options
  const federation = new TrackingFederation(backends, limits, options.access)
  let allowance: Promise<CallerAllowance> | null = null
  return {
    limits,
    federation,
    models: new ModelFederation(backends, federation.loaders, limits, federation.guard),
    live: new LiveFederation(backends, limits, options.access),
    signal: AbortSignal.any(options.signals),
    identity: options.identity,
    users: options.users,
    permissionAdmin: options.permissionAdmin,
    audit: options.auditLog ? new AuditTrail(options.auditLog, federation.guard) : null,
    automation: options.automation ?? null,
    clientAddress: options.clientAddress,
    subscriptionQuota: options.subscriptionQuota,
    allowance: () => (allowance ??= options.allowance()),
    partialFailures: [],
  }
}
