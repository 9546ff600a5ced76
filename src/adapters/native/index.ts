import { type Kysely, sql } from 'kysely'
import type { NativeBackendConfig } from '../../config.js'
import type { MetricWrite } from '../../domain.js'
import { GatewayError, badInput, unsupported } from '../../errors.js'
import type { IdentityStore } from '../../contract/identity-store.js'
import type { AuditLog } from '../../contract/audit-log.js'
import type { AutomationStore } from '../../contract/automation-store.js'
import { NativeAutomationStore } from './automation-store.js'
import type { Backend, Capabilities, LoggedModelStore, ModelRegistryReader, ModelRegistryWriter, TrackingReader, TrackingWriter } from '../../contract/backend.js'
import { parseModelVersionId } from '../../contract/model-version-id.js'
import { PolledModelVersionEvents } from '../model-version-poller.js'
import { type NativeDatabase, inputErrorOf, isConnectionFailure, migrateToLatest, openNativeDatabase, unavailable } from './client.js'
import type { Database } from './db/schema.js'
import { ExperimentStore } from './experiment-store.js'
import { NativeLoggedModelStore } from './logged-model-store.js'
import { NativeIdentityStore } from './identity-store.js'
import { NativeAuditLog } from './audit-log.js'
import { NativeLiveMetrics } from './live.js'
import { MetricStore } from './metric-store.js'
import { ModelVersionStore } from './model-version-store.js'
import { RegisteredModelStore } from './registered-model-store.js'
import { RunStore } from './run-store.js'
import { carryingAuditEvent } from './write-transaction.js'

const NATIVE_CAPABILITIES: Capabilities = {
  orderByMetric: true,
  liveMetrics: 'push',
  ownStore: true,
  packageArns: false,
}

/** Opens the database, migrates it, and returns the backend. */
export async function createNativeBackend(config: NativeBackendConfig, options: { statementTimeoutMs?: number } = {}): Promise<Backend> {
  const database = await openNativeDatabase(config, options)
  try {
    await migrateToLatest(database.db, config.schema)
  } catch (error) {
    await database.close()
    throw error
  }
  return new NativeBackend(config.id, database, { metrics: `mlgate_metrics_${config.schema}`, runs: `mlgate_runs_${config.schema}`, automation: `mlgate_automation_${config.schema}` }, config.registryPollMs)
}

/** The Postgres-backed store mlgate owns: experiments, runs, metrics and a model registry, written through Kysely. */
class NativeBackend implements Backend, TrackingReader {
  readonly kind = 'native' as const
  readonly capabilities = NATIVE_CAPABILITIES
  readonly tracking: TrackingReader = this
  readonly writer: TrackingWriter
  readonly modelRegistry: ModelRegistryReader
  readonly modelRegistryWriter: ModelRegistryWriter
  readonly modelEvents: PolledModelVersionEvents
  readonly live: NativeLiveMetrics
  readonly loggedModels: LoggedModelStore
  readonly identities: IdentityStore
  readonly auditLog: AuditLog
  readonly automation: AutomationStore
  private readonly experiments: ExperimentStore
  private readonly runs: RunStore
  private readonly metrics: MetricStore
  private readonly models: RegisteredModelStore
  private readonly versions: ModelVersionStore

  constructor(
    readonly id: string,
    private readonly database: NativeDatabase,
    /** NOTIFY channels, one per schema, so gateways on other schemas of the server stay out. */
    channels: { metrics: string; runs: string; automation: string },
    registryPollMs: number,
  ) {
    this.experiments = new ExperimentStore(database.db, id)
    this.runs = new RunStore(database.db, id, channels.runs, database.engine)
    this.metrics = new MetricStore(database.db, channels.metrics, database.engine)
    this.models = new RegisteredModelStore(database.db, id)
    this.versions = new ModelVersionStore(database.db, id, this.models)
    this.live = new NativeLiveMetrics(id, database, channels)
    this.loggedModels = guardedMethods(new NativeLoggedModelStore(database.db, id), (operation) => this.guard(operation))
    this.identities = guardedMethods(new NativeIdentityStore(database.db, id), (operation) => this.guard(operation))
    this.auditLog = guardedMethods(new NativeAuditLog(database.db), (operation) => this.guard(operation))
    const automation = new NativeAutomationStore(database.db, id, database, channels.automation)
    this.automation = {
      webhooks: guardedMethods(automation.webhooks, (operation) => this.guard(operation)),
      outbox: guardedMethods(automation.outbox, (operation) => this.guard(operation)),
      syncLinks: guardedMethods(automation.syncLinks, (operation) => this.guard(operation)),
      onChange: (listener) => automation.onChange(listener),
    }
    this.writer = {
      createExperiment: (input) => this.guard(() => this.experiments.create(input)),
      setExperimentTags: (id, tags) => this.guard(() => this.experiments.setTags(id, tags)),
      createRun: (input) => this.guard(() => this.runs.create(input)),
      updateRun: (id, patch) => this.guard(() => this.runs.update(id, patch)),
      deleteRun: (id) => this.guard(() => this.runs.setLifecycle(id, 'deleted')),
      restoreRun: (id) => this.guard(() => this.runs.setLifecycle(id, 'active')),
      logMetrics: (runId, metrics) => this.guard(() => this.logMetrics(runId, metrics)),
      logParams: (runId, params) => this.guard(() => this.runs.logParams(runId, params)),
      setRunTags: (runId, tags) => this.guard(() => this.runs.setTags(runId, tags)),
      deleteRunTag: (runId, key) => this.guard(() => this.runs.deleteTag(runId, key)),
      // A metrics-only batch (the hot path of training loops) is one statement, as logMetrics is.
      logBatch: (runId, batch) =>
        this.guard(() =>
          batch.params.length === 0 && batch.tags.length === 0
            ? this.logMetrics(runId, batch.metrics)
            : this.runs.logBatch(runId, batch, (trx) => this.appendMetrics(runId, batch.metrics, trx)),
        ),
      deleteExperimentTag: (id, key) => this.guard(() => this.experiments.deleteTag(id, key)),
      renameExperiment: (id, name) => this.guard(() => this.experiments.rename(id, name)),
      deleteExperiment: (id) => this.guard(() => this.experiments.setLifecycle(id, 'deleted')),
      restoreExperiment: (id) => this.guard(() => this.experiments.setLifecycle(id, 'active')),
      logInputs: (runId, inputs, models) => this.guard(() => this.runs.logInputs(runId, inputs, models)),
    }
    this.modelRegistry = {
      // SQL expresses every predicate here too.
      planModelFilter: (filter) => ({ pushed: filter, residual: { all: [] } }),
      planVersionFilter: (filter) => ({ pushed: filter, residual: { all: [] } }),
      listRegisteredModels: (query, page) => this.guard(() => this.models.list(query, page)),
      countRegisteredModels: (query) => this.guard(() => this.models.count(query)),
      getRegisteredModels: (ids) => this.guard(() => this.models.getMany(ids)),
      listModelVersions: (query, page) => this.guard(() => this.versions.list(query, page)),
      countModelVersions: (query) => this.guard(() => this.versions.count(query)),
      getModelVersions: (ids) => this.guard(() => this.versions.getMany(ids)),
      latestVersions: (modelId) => this.guard(() => this.versions.latest(modelId)),
    }
    this.modelRegistryWriter = {
      createRegisteredModel: (input) => this.guard(() => this.models.create(input)),
      createModelVersion: (input) => this.guard(() => this.versions.create(input)),
      transitionModelVersion: (versionId, stage, archiveExisting) => this.guard(() => this.versions.transition(versionId, stage, archiveExisting)),
      setModelVersionApproval: () => Promise.reject(unsupported(`backend "${id}" promotes versions by stage, not by approval`, id)),
      setModelAlias: (modelId, alias, versionId) => this.guard(() => this.models.setAlias(modelId, alias, this.versionNumberOf(modelId, versionId))),
      deleteModelAlias: (modelId, alias) => this.guard(() => this.models.deleteAlias(modelId, alias)),
      setRegisteredModelTags: (modelId, tags) => this.guard(() => this.models.setTags(modelId, tags)),
      setModelVersionTags: (versionId, tags) => this.guard(() => this.versions.setTags(versionId, tags)),
      deleteRegisteredModelTag: (modelId, key) => this.guard(() => this.models.deleteTag(modelId, key)),
      deleteModelVersionTag: (versionId, key) => this.guard(() => this.versions.deleteTag(versionId, key)),
      updateRegisteredModel: (modelId, patch) => this.guard(() => this.models.update(modelId, patch)),
      updateModelVersion: (versionId, patch) => this.guard(() => this.versions.update(versionId, patch)),
      renameRegisteredModel: (modelId, newName) => this.guard(() => this.models.rename(modelId, newName)),
      deleteRegisteredModel: (modelId) => this.guard(() => this.models.delete(modelId)),
      deleteModelVersion: (versionId) => this.guard(() => this.versions.delete(versionId)),
    }
    this.modelEvents = new PolledModelVersionEvents(this.modelRegistry, registryPollMs)
  }

  /** The number of a version of `modelId`; a version of another model is a bad request. */
  private versionNumberOf(modelId: string, versionId: string): number {
    const key = parseModelVersionId(versionId)
    if (!key || key.modelName !== modelId) throw badInput(`model version ${versionId} is not a version of registered model "${modelId}"`, this.id)
    return key.version
  }

  // SQL expresses every predicate: nothing is left for the gateway.
  planRunFilter: TrackingReader['planRunFilter'] = (filter) => ({ pushed: filter, residual: { all: [] } })
  planExperimentFilter: TrackingReader['planExperimentFilter'] = (filter) => ({ pushed: filter, residual: { all: [] } })
  listExperiments: TrackingReader['listExperiments'] = (query, page) => this.guard(() => this.experiments.list(query, page))
  countExperiments: TrackingReader['countExperiments'] = (query) => this.guard(() => this.experiments.count(query))
  getExperiments: TrackingReader['getExperiments'] = (ids) => this.guard(() => this.experiments.getMany(ids))
  listRuns: TrackingReader['listRuns'] = (query, page) => this.guard(() => this.runs.list(query, page))
  countRuns: TrackingReader['countRuns'] = (query) => this.guard(() => this.runs.count(query))
  getRuns: TrackingReader['getRuns'] = (ids) => this.guard(() => this.runs.getMany(ids))
  metricHistories: TrackingReader['metricHistories'] = (queries) => this.guard(() => this.metrics.histories(queries))
  datasetSummaries: TrackingReader['datasetSummaries'] = (experimentIds) => this.guard(() => this.runs.datasetSummaries(experimentIds))

  async ping(): Promise<void> {
    await this.guard(() => sql`select 1`.execute(this.database.db))
  }

  poolStats(): { inUse: number; waiting: number } {
    return this.database.connections()
  }

  async close(): Promise<void> {
    this.modelEvents.close()
    await this.live.close()
    await this.database.close()
  }

  /** One statement, which carries the write's audit event too when the trail is here. */
  private async logMetrics(runId: string, metrics: MetricWrite[]): Promise<void> {
    await carryingAuditEvent(this.id, async (event) => {
      const { written, audited } = metrics.length === 0 ? { written: 0, audited: false } : await this.metrics.append(runId, metrics, this.database.db, event)
      // Nothing was written (nothing asked, copies only, or no such run): the run check decides the answer.
      if (written === 0) await this.runs.requireActive(this.database.db, runId)
      return { value: undefined, carried: audited }
    })
  }

  /** Appends inside a caller's transaction (log-batch); the run was checked there. */
  private async appendMetrics(runId: string, metrics: MetricWrite[], trx: Kysely<Database>): Promise<void> {
    if (metrics.length === 0) return
    const { written, copies } = await this.metrics.append(runId, metrics, trx)
    if (written + copies !== metrics.length) throw new GatewayError('INTERNAL', `logBatch wrote ${written} of ${metrics.length - copies} new points`, { backend: this.id })
  }

  /**
   * A lost database connection becomes BACKEND_UNAVAILABLE naming this backend, an error the
   * input caused BAD_USER_INPUT (or QUERY_TOO_COMPLEX past the statement timeout); others pass unchanged.
   */
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation()
    } catch (error) {
      if (error instanceof GatewayError) throw error
      if (isConnectionFailure(error)) throw unavailable(this.id, error)
      throw inputErrorOf(error, this.id) ?? error
    }
  }
}

/** The store with each of its methods run through `guard` (the native backend's error mapping). */
function guardedMethods<T extends object>(store: T, guard: <R>(operation: () => Promise<R>) => Promise<R>): T {
  return new Proxy(store, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object)
      if (typeof value !== 'function') return value
      const method = value as (...args: unknown[]) => Promise<unknown>
      return (...args: unknown[]) => guard(() => method.apply(object, args))
    },
  })
}
