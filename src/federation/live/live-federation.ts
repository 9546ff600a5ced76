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
import { type CallerAccess, UNRESTRICTED_ACCESS } from '../../auth/permissions.js'
import { notFound } from '../../errors.js'

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
    /** The subscriber's: checked when a stream starts and before each event (permission rows are reused for auth.identityCacheMs). */
    private readonly access: CallerAccess = UNRESTRICTED_ACCESS,
  ) {}

  /** The runs must be the subscriber's to read; an event is delivered while their credentials hold and the run stays readable. */
  async *metricUpdates(options: { runs: RecordKey[]; keys: readonly string[] | null; since: string | null; signal: AbortSignal }): AsyncGenerator<MetricUpdate> {
    await this.requireRuns(options.runs)
    const everything = await this.readsEverything()
    for await (const update of metricUpdates({ backends: this.backends, ...options })) {
      await this.access.checkStillValid()
      // A fresh look at the subscriber's permissions; the run's experiment is known after the first event.
      if (everything || (await this.fresh().guard.mayReadRun(update.run))) yield update
    }
  }

  /** The experiment must be the subscriber's to read; each event is checked again, so a withdrawn grant stops the stream's events. */
  async *runUpdates(options: { experiment: RecordKey; signal: AbortSignal }): AsyncGenerator<RunUpdate> {
    if (!(await this.fresh().experiment(options.experiment))) throw notFound(`experiment ${options.experiment.nativeId}`, options.experiment.backendId)
    const everything = await this.readsEverything()
    for await (const update of runUpdates({ backends: this.backends, ...options })) {
      await this.access.checkStillValid()
      if (everything || (await this.fresh().experiment(options.experiment))) yield update
    }
  }

  /** Only events of versions whose model the subscriber may read. */
  async *modelVersionUpdates(options: { model: RecordKey | null; signal: AbortSignal }): AsyncGenerator<ModelVersionUpdate> {
    if (options.model && !(await this.freshModels().registeredModel(options.model))) throw notFound(`registered model ${options.model.nativeId}`, options.model.backendId)
    for await (const update of modelVersionUpdates({ backends: this.backends, ...options })) {
      await this.access.checkStillValid()
      if (await this.currentModelVersion(update.version)) yield update
    }
  }

  /** The run as it is now (fresh loaders: this event's read, not the subscription's first); null when not the subscriber's to read. */
  currentRun(key: RecordKey): Promise<Run | null> {
    return this.fresh().run(key)
  }

  currentModelVersion(key: RecordKey): Promise<ModelVersion | null> {
    return this.freshModels().modelVersion(key)
  }

  /** Auth off, or an admin: no event needs a second look. */
  private async readsEverything(): Promise<boolean> {
    return (await this.access.permissions()).unrestricted
  }

  private async requireRuns(keys: readonly RecordKey[]): Promise<void> {
    const runs = await this.fresh().runs(keys)
    const missing = keys.find((_, index) => runs[index] === null)
    if (missing) throw notFound(`run ${missing.nativeId}`, missing.backendId)
  }

  /** A federation with fresh loaders and a fresh look at the subscriber's permissions. */
  private fresh(): TrackingFederation {
    return new TrackingFederation(this.backends, this.limits, this.access)
  }

  private freshModels(): ModelFederation {
    const tracking = this.fresh()
    return new ModelFederation(this.backends, tracking.loaders, this.limits, tracking.guard)
  }
}
