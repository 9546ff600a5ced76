import type { Limits } from '../config.js'
import type { LoggedModelStore, ModelRegistryReader, ModelRegistryWriter, TrackingReader, TrackingWriter } from '../contract/backend.js'
import { ModelFederation } from '../federation/models.js'
import type { GuardedBackend } from '../federation/registry.js'
import { BackendRegistry } from '../federation/registry.js'
import { TrackingFederation } from '../federation/tracking.js'
import type { RecordKey } from '../federation/loaders.js'
import { MlflowApiError } from './errors.js'

/**
 * The one backend MLflow clients write to and read from, by its parts. A
 * part the backend lacks (a read-only registry, no logged models) answers
 * NOT_IMPLEMENTED naming the backend.
 */
export class ApiTarget {
  /** A registry of the target alone: lists through the federation layer span just this backend. */
  private readonly scope: BackendRegistry

  constructor(
    readonly backend: GuardedBackend,
    readonly limits: Limits,
  ) {
    this.scope = new BackendRegistry([backend])
  }

  get id(): string {
    return this.backend.id
  }

  key(nativeId: string): RecordKey {
    return { backendId: this.backend.id, nativeId }
  }

  get tracking(): TrackingReader {
    return this.part(this.backend.tracking, 'keeps no experiments or runs')
  }

  get writer(): TrackingWriter {
    return this.part(this.backend.writer, 'is read-only')
  }

  get registry(): ModelRegistryReader {
    return this.part(this.backend.modelRegistry, 'has no model registry')
  }

  get registryWriter(): ModelRegistryWriter {
    return this.part(this.backend.modelRegistryWriter, "has a read-only model registry")
  }

  get loggedModels(): LoggedModelStore {
    return this.part(this.backend.loggedModels, 'keeps no logged models')
  }

  /** Fresh federation objects (their loaders live for one API call). */
  federation(): { tracking: TrackingFederation; models: ModelFederation } {
    const tracking = new TrackingFederation(this.scope, this.limits)
    return { tracking, models: new ModelFederation(this.scope, tracking.loaders, this.limits) }
  }

  private part<T>(part: T | null, missing: string): T {
    if (!part) throw new MlflowApiError('NOT_IMPLEMENTED', `backend "${this.backend.id}" ${missing}`)
    return part
  }
}
