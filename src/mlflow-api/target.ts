import type { Limits } from '../config.js'
import { LoggedModelFederation } from '../federation/logged-models.js'
import { ModelFederation } from '../federation/models.js'
import type { RecordKey } from '../federation/record-key.js'
import type { Backends } from '../federation/backends.js'
import { TrackingFederation } from '../federation/tracking.js'
import type { CallerAccess } from '../auth/permissions.js'

/**
 * What one MLflow API call reaches: the federation layer over the one
 * backend MLflow clients read and write (a registry of it alone, so lists
 * span just it), with loaders that live for this call. A part the backend
 * lacks answers UNSUPPORTED from the federation layer, NOT_IMPLEMENTED here.
 */
export class ApiTarget {
  readonly tracking: TrackingFederation
  readonly models: ModelFederation
  readonly loggedModels: LoggedModelFederation
  readonly id: string

  constructor(
    scope: Backends,
    readonly limits: Limits,
    /** What the caller may do; unrestricted when auth is off. */
    access?: CallerAccess,
  ) {
    this.id = scope.all[0].id
    this.tracking = new TrackingFederation(scope, limits, access)
    this.models = new ModelFederation(scope, this.tracking.loaders, limits, this.tracking.guard)
    this.loggedModels = new LoggedModelFederation(scope, limits, this.tracking.guard)
  }

  key(nativeId: string): RecordKey {
    return { backendId: this.id, nativeId }
  }
}
