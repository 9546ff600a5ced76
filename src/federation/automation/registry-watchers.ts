import type { AutomationStore } from '../../contract/automation-store.js'
import { isBackendFailure } from '../../errors.js'
import { logUnexpected } from '../../log.js'
import type { Backends } from '../backends.js'
import { ModelFederation } from '../models.js'
import { TrackingFederation } from '../tracking.js'
import { type EventName, type EventSink, events } from './events.js'

/** What the registry pollers can tell: versions appearing and moving. */
const POLLED_EVENTS: readonly EventName[] = ['model_version.created', 'model_version.promoted']
/** How often a replica looks whether any webhook wants them (webhooks made through other replicas). */
const RECHECK_MS = 10_000

/**
 * Registry changes made outside mlgate (on the MLflow server directly, in
 * SageMaker's console) reach webhooks through the registries' shared
 * pollers (`modelEvents`, the ones subscriptions use). They run only while
 * an active webhook wants `model_version.created` or `model_version.promoted`,
 * so a gateway without such webhooks polls nothing. A change mlgate made
 * itself is published by the write too; the events' keys make it one delivery.
 */
export class RegistryWatchers {
  private stops: (() => void)[] = []
  private readonly timer: NodeJS.Timeout
  private checking: Promise<void> = Promise.resolve()

  constructor(
    private readonly backends: Backends,
    private readonly store: AutomationStore,
    private readonly sink: EventSink,
  ) {
    this.timer = setInterval(() => this.refresh(), RECHECK_MS)
  }

  /** Starts or stops the watches as webhooks now need them. */
  refresh(): Promise<void> {
    this.checking = this.checking.then(async () => {
      try {
        const wanted = (await Promise.all(POLLED_EVENTS.map((event) => this.store.webhooks.subscribedTo(event)))).some((hooks) => hooks.length > 0)
        if (wanted && this.stops.length === 0) this.start()
        if (!wanted) this.stop()
      } catch (error) {
        if (!isBackendFailure(error)) logUnexpected('checking which webhooks want registry events failed', error)
      }
    })
    return this.checking
  }

  close(): void {
    clearInterval(this.timer)
    this.stop()
  }

  private start(): void {
    for (const backend of this.backends.all) {
      if (!backend.modelEvents) continue
      const backendId = backend.id
      try {
        this.stops.push(
          backend.modelEvents.watch(null, (event) => {
            if (event.kind === 'CREATED' || event.kind === 'STAGE_CHANGED' || event.kind === 'APPROVAL_CHANGED') void this.publish(backendId, event.versionId, event.kind === 'CREATED')
          }),
        )
      } catch (error) {
        // The backend's circuit is open: its watch starts at the next refresh that finds none running.
        if (!isBackendFailure(error)) logUnexpected('watching a registry for webhooks failed', error)
      }
    }
  }

  private stop(): void {
    for (const stop of this.stops.splice(0)) stop()
  }

  private async publish(backendId: string, versionId: string, created: boolean): Promise<void> {
    try {
      const tracking = new TrackingFederation(this.backends)
      const version = await new ModelFederation(this.backends, tracking.loaders, undefined, tracking.guard).modelVersion({ backendId, nativeId: versionId })
      if (version) this.sink.publish([created ? events.modelVersionCreated(version) : events.modelVersionPromoted(version)])
    } catch (error) {
      if (!isBackendFailure(error)) logUnexpected('reading a changed model version for webhooks failed', error)
    }
  }
}
