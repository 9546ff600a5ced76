import { TrackingFederation } from './federation/tracking.js'
import type { BackendRegistry } from './federation/registry.js'

/** What every resolver gets: the federation layer, with this request's loaders. */
export interface GatewayContext {
  federation: TrackingFederation
}

export function createContext(registry: BackendRegistry): GatewayContext {
  return { federation: new TrackingFederation(registry) }
}
