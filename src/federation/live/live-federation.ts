import type { Limits } from '../../config.js'
import type { ModelVersion, Run } from '../../domain.js'
import type { RecordKey } from '../record-key.js'
import { ModelFederation } from '../models.js'
import { DEFAULT_LIMITS } from '../query-limits.js'
import type { Backends } from '../backends.js'
import { TrackingFederation } from '../tracking.js'
import { type MetricUpdate, metricUpdates } from './metric-updates.js'
import { type ModelVersionUpdate, modelVersionUpdates } from './model-version-updates.js'
import { type RunUpdate, runUpdates } from './run-updates.js'

/**
 * Live streams, for subscriptions: the federation layer's door for them, as
 * TrackingFederation and ModelFederation are for reads and writes. Each
 * stream checks its backends' parts (and their circuit breakers) when it
 * starts; the records an event names are read fresh for every event, since
 * one read at subscription start would go stale.
 */
export class LiveFederation {
  constructor(
    private readonly backends: Backends,
    private readonly limits: Limits = DEFAULT_LIMITS,
  ) {}

  metricUpdates(options: { runs: RecordKey[]; keys: readonly string[] | null; since: string | null; signal: AbortSignal }): AsyncGenerator<MetricUpdate> {
    return metricUpdates({ backends: this.backends, ...options })
  }

  runUpdates(options: { experiment: RecordKey; signal: AbortSignal }): AsyncGenerator<RunUpdate> {
    return runUpdates({ backends: this.backends, ...options })
  }

  modelVersionUpdates(options: { model: RecordKey | null; signal: AbortSignal }): AsyncGenerator<ModelVersionUpdate> {
    return modelVersionUpdates({ backends: this.backends, ...options })
  }

  /** The run as it is now (fresh loaders: this event's read, not the subscription's first). */
  currentRun(key: RecordKey): Promise<Run | null> {
    return new TrackingFederation(this.backends, this.limits).run(key)
  }

  currentModelVersion(key: RecordKey): Promise<ModelVersion | null> {
    const tracking = new TrackingFederation(this.backends, this.limits)
    return new ModelFederation(this.backends, tracking.loaders, this.limits).modelVersion(key)
  }
}
