import type { SubscriptionQuota } from './http/subscription-quota.js'
import type { Limits } from './config.js'
import type { GatewayError } from './errors.js'
import { LiveFederation } from './federation/live/live-federation.js'
import { ModelFederation } from './federation/models.js'
import { TrackingFederation } from './federation/tracking.js'
import type { BackendRegistry } from './federation/registry.js'

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
  /** The client's address (the TCP peer), which subscription quotas count by. */
  clientAddress: string
  /** Live subscriptions held per client address, shared by every request of this gateway. */
  subscriptionQuota: SubscriptionQuota
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
  registry: BackendRegistry
  limits: Limits
  signals: AbortSignal[]
  clientAddress: string
  subscriptionQuota: SubscriptionQuota
}): GatewayContext {
  const { registry, limits } = options
  const federation = new TrackingFederation(registry, limits)
  return {
    limits,
    federation,
    models: new ModelFederation(registry, federation.loaders, limits),
    live: new LiveFederation(registry, limits),
    signal: AbortSignal.any(options.signals),
    clientAddress: options.clientAddress,
    subscriptionQuota: options.subscriptionQuota,
    partialFailures: [],
  }
}
