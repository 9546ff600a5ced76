import type { GatewayError } from './errors.js'
import { ModelFederation } from './federation/models.js'
import { TrackingFederation } from './federation/tracking.js'
import type { BackendRegistry } from './federation/registry.js'

/** What every resolver gets: the federation layer, with this request's loaders. */
export interface GatewayContext {
  federation: TrackingFederation
  /** The model registries of every backend; shares the request's loaders with `federation`. */
  models: ModelFederation
  /** Aborts when the client goes away or the gateway shuts down: subscriptions end on it. */
  signal: AbortSignal
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

export function createContext(registry: BackendRegistry, signals: AbortSignal[]): GatewayContext {
  const federation = new TrackingFederation(registry)
  return { federation, models: new ModelFederation(registry, federation.loaders), signal: AbortSignal.any(signals), partialFailures: [] }
}
