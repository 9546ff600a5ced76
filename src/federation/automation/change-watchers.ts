import type { AutomationStore } from '../../contract/automation-store.js'
import type { LiveMetrics } from '../../contract/backend.js'
import type { ModelVersion, Run } from '../../domain.js'
import { isBackendFailure } from '../../errors.js'
import { logUnexpected } from '../../log.js'
import type { Backends } from '../backends.js'
import { ModelFederation } from '../models.js'
import { TrackingFederation } from '../tracking.js'
import { type EventName, type EventSink, FINISHED_STATUSES, type GatewayEvent, events } from './events.js'

/** How often a replica looks for new experiments to watch, and (besides being told of webhook changes) whether webhooks still want what the pollers see. */
const RECHECK_MS = 60_000
const EXPERIMENT_PAGE = 1_000

/**
 * Changes made outside mlgate (on an MLflow server directly, in SageMaker's
 * console) reach webhooks through the backends' shared pollers, the ones
 * subscriptions use: the registries' (`modelEvents`: versions appearing and
 * moving) and, on backends mlgate does not own, each experiment's runs
 * (`live.watchRuns`: runs starting and finishing). The native store is
 * written only through mlgate, whose writes publish their own events.
 * Watches run only while an active webhook wants what they see, so a
 * gateway without such webhooks polls nothing more. A change mlgate made
 * itself is published by the write and seen by a poller too; the events'
 * keys make it one delivery.
 */
export class ChangeWatchers {
  private registryStops: (() => void)[] = []
  private readonly experimentStops = new Map<string, () => void>()
  private readonly timer: NodeJS.Timeout
  private checking: Promise<void> = Promise.resolve()
  private closed = false

  constructor(
    private readonly backends: Backends,
    private readonly store: AutomationStore,
    private readonly sink: EventSink,
  ) {
    this.timer = setInterval(() => void this.refresh(), RECHECK_MS)
  }

  /** Starts or stops the watches as webhooks now need them; picks up new experiments. */
  refresh(): Promise<void> {
    this.checking = this.checking.then(async () => {
      if (this.closed) return
      try {
        const wanted = async (names: readonly EventName[]) => (await Promise.all(names.map((name) => this.store.webhooks.subscribedTo(name)))).some((hooks) => hooks.length > 0)
        if (await wanted(['model_version.created', 'model_version.promoted'])) this.watchRegistries()
        else this.stopRegistries()
        if (await wanted(['run.created', 'run.finished'])) await this.watchExperiments()
        else this.stopExperiments()
      } catch (error) {
        if (!isBackendFailure(error)) logUnexpected('checking which webhooks want polled changes failed', error)
      }
    })
    return this.checking
  }

  close(): void {
    this.closed = true
    clearInterval(this.timer)
    this.stopRegistries()
    this.stopExperiments()
  }

  private watchRegistries(): void {
    if (this.registryStops.length > 0) return
    for (const backend of this.backends.all) {
      const modelEvents = backend.modelEvents
      if (!modelEvents) continue
      const backendId = backend.id
      this.guarded(() =>
        this.registryStops.push(
          modelEvents.watch(null, (event) => {
            if (event.kind === 'CREATED') void this.publishVersion(backendId, event.versionId, appeared)
            if (event.kind === 'STAGE_CHANGED' || event.kind === 'APPROVAL_CHANGED') void this.publishVersion(backendId, event.versionId, (version) => [events.modelVersionPromoted(version)])
          }),
        ),
      )
    }
  }

  private stopRegistries(): void {
    for (const stop of this.registryStops.splice(0)) stop()
  }

  /** Every experiment of every backend mlgate does not own, new ones included (each refresh lists them again). */
  private async watchExperiments(): Promise<void> {
    const tracking = new TrackingFederation(this.backends)
    for (const backend of this.backends.all) {
      const live = backend.live
      if (!backend.tracking || !live || backend.capabilities.ownStore) continue
      const page = await tracking.listExperiments({ backends: [backend.id], filter: { all: [] }, lifecycle: 'active', first: EXPERIMENT_PAGE, after: null })
      for (const { node: experiment } of page.edges) {
        const key = `${backend.id}\u0000${experiment.nativeId}`
        if (this.experimentStops.has(key)) continue
        this.guarded(() => this.experimentStops.set(key, this.watchRuns(backend.id, live, experiment.nativeId)))
      }
    }
  }

  private watchRuns(backendId: string, live: LiveMetrics, experimentId: string): () => void {
    return live.watchRuns(experimentId, (event) => {
      // A run that started and ended between two polls is seen once, already ended: both events.
      if (event.kind === 'CREATED') void this.publishRun(backendId, event.runId, (run) => [events.runCreated(run), ...(FINISHED_STATUSES.has(run.status) ? [events.runFinished(run)] : [])])
      if (event.kind === 'FINISHED') void this.publishRun(backendId, event.runId, (run) => [events.runFinished(run)])
    })
  }

  private stopExperiments(): void {
    for (const stop of this.experimentStops.values()) stop()
    this.experimentStops.clear()
  }

  /** A watch refused (the backend's circuit is open) is tried again at the next refresh. */
  private guarded(watch: () => unknown): void {
    try {
      watch()
    } catch (error) {
      if (!isBackendFailure(error)) logUnexpected('watching a backend for webhooks failed', error)
    }
  }

  private async publishVersion(backendId: string, versionId: string, eventsOf: (version: ModelVersion) => GatewayEvent[]): Promise<void> {
    await this.reading(async () => {
      const tracking = new TrackingFederation(this.backends)
      const version = await new ModelFederation(this.backends, tracking.loaders, undefined, tracking.guard).modelVersion({ backendId, nativeId: versionId })
      if (version) void this.sink.publish(eventsOf(version))
    })
  }

  private async publishRun(backendId: string, runId: string, eventsOf: (run: Run) => GatewayEvent[]): Promise<void> {
    await this.reading(async () => {
      const run = await new TrackingFederation(this.backends).run({ backendId, nativeId: runId })
      if (run) void this.sink.publish(eventsOf(run))
    })
  }

  private async reading(read: () => Promise<void>): Promise<void> {
    try {
      await read()
    } catch (error) {
      if (!isBackendFailure(error)) logUnexpected('reading a changed record for webhooks failed', error)
    }
  }
}

/**
 * A version seen for the first time: created, and promoted too when it is
 * already past where its registry starts one (a stage other than None, an
 * approval other than pending): it moved between two polls.
 */
function appeared(version: ModelVersion): GatewayEvent[] {
  const moved = version.approvalStatus !== null ? version.approvalStatus !== 'PENDING_MANUAL_APPROVAL' : (version.stage ?? 'NONE') !== 'NONE'
  return [events.modelVersionCreated(version), ...(moved ? [events.modelVersionPromoted(version)] : [])]
}
