import { type Backend, DATASET_SUMMARIES_LIMIT, type ExperimentQuery, KEYED_RUN_ORDER_FIELDS, type RunBatch, type RunOrder, type RunQuery, type UpdateRunInput } from '../contract/backend.js'
import type { DatasetInput, DatasetSummary, Experiment, KeyValue, MetricSeries, MetricWrite, ModelInput, Run, RunStatus } from '../domain.js'
import { type GatewayError, badInput, notFound } from '../errors.js'
import type { ExperimentFilter, LifecycleView, RunFilter } from '../contract/filter.js'
import { type Loaders, createLoaders, throwIfError } from './loaders.js'
import { type ListArgs, type ListPage, federatedList } from './merged-list.js'
import { type RecordKey, nativeIdsByBackend } from './record-key.js'
import { compareExperiments, runComparator, withRunTieBreakers } from './ordering.js'
import { matchesExperimentFilter, matchesRunFilter } from '../contract/filter-matching.js'
import type { Backends, GuardedBackend } from './backends.js'
import { Links } from './links.js'
import type { Limits } from '../config.js'
import { DEFAULT_LIMITS, checkListShape } from './query-limits.js'
import { AccessGuard, experimentRecord, keysOf, withVisible } from './access.js'
import { type CallerAccess, UNRESTRICTED_ACCESS } from '../auth/permissions.js'
import type { Permission } from '../contract/identity-store.js'
import { checkDatasetInputs, checkExperimentName, checkMetrics, checkParams, checkRunName, checkTags } from './write-limits.js'
import { FINISHED_STATUSES, events } from './automation/events.js'

export const HISTORY_POINTS = { default: 1000, min: 10, max: 10_000 } as const

/** The tag MLflow's clients name a run's user in. */
const MLFLOW_USER_TAG = 'mlflow.user'

/** The runs order when a caller gives none: MLflow's, newest first. */
const DEFAULT_RUN_ORDER: RunOrder[] = [{ field: 'startTime', direction: 'desc' }]

export interface RunListArgs extends ListArgs {
  experiments: RecordKey[] | null
  filter: RunFilter
  lifecycle: LifecycleView
  orderBy: RunOrder[]
}

export interface ExperimentListArgs extends ListArgs {
  filter: ExperimentFilter
  lifecycle: LifecycleView
}

/**
 * What resolvers ask of the backends, for one request: lookups through the
 * request's loaders, lists merged across backends, writes checked against
 * MLflow's limits and routed to the owning backend. Knows backends only
 * through the `Backend` contract.
 */
export class TrackingFederation {
  readonly loaders: Loaders

  readonly guard: AccessGuard

  constructor(
    private readonly backends: Backends,
    readonly limits: Limits = DEFAULT_LIMITS,
    /** What the caller may do (src/auth/permissions.ts); unrestricted when auth is off. */
    access: CallerAccess = UNRESTRICTED_ACCESS,
  ) {
    this.loaders = createLoaders(backends)
    this.guard = new AccessGuard(access, this.loaders)
  }

  /** Every configured backend, in config order. */
  allBackends(): GuardedBackend[] {
    return [...this.backends.all]
  }

  backend(id: string): GuardedBackend {
    return this.backends.get(id)
  }

  /** How records point at each other across backends, read through this request's loaders; `onBackendFailure` hears each failed backend. */
  links(onBackendFailure: (error: GatewayError) => void): Links {
    return new Links(this.backends, this.loaders, onBackendFailure)
  }

  /** The experiment; null when missing or not the caller's to read. */
  async experiment(key: RecordKey): Promise<Experiment | null> {
    this.backends.get(key.backendId)
    const experiment = await this.loaders.experiment.load(key)
    return experiment && (await this.guard.mayRead(experimentRecord(key))) ? experiment : null
  }

  /** The run; null when missing or not the caller's to read (READ on its experiment). */
  async run(key: RecordKey): Promise<Run | null> {
    return (await this.runs([key]))[0]
  }

  /** Lookups in one batch per backend; null where missing or not the caller's to read. */
  async runs(keys: readonly RecordKey[]): Promise<(Run | null)[]> {
    for (const key of keys) this.backends.get(key.backendId)
    const runs = (await this.loaders.run.loadMany(keys)).map(throwIfError)
    return this.guard.readableOnly(runs, (run) => experimentRecord({ backendId: run.backendId, nativeId: run.experimentNativeId }))
  }

  async listExperiments(args: ExperimentListArgs): Promise<ListPage<Experiment>> {
    checkListShape(this.limits, args)
    const visible = await this.guard.visibility('experiment')
    const tracking = (backend: Backend) => this.backends.partOf(backend, 'tracking')
    return federatedList(args, {
      identity: { list: 'experiments', filter: args.filter, lifecycle: args.lifecycle },
      backends: this.backends.select(args.backends, 'tracking'),
      compare: compareExperiments,
      source: {
        // What the caller may not read is one more clause, pushed down where the backend can take it.
        plan: (backend, filter) => tracking(backend).planExperimentFilter(withVisible(filter, 'experimentId', visible(backend.id))),
        query: (_, filter): ExperimentQuery => ({ filter, lifecycle: args.lifecycle }),
        list: (backend, query, page) => tracking(backend).listExperiments(query, page),
        count: (backend, query) => tracking(backend).countExperiments(query),
        matches: matchesExperimentFilter,
      },
    })
  }

  async listRuns(args: RunListArgs): Promise<ListPage<Run>> {
    checkListShape(this.limits, args)
    const visible = await this.guard.visibility('experiment')
    const orderBy = withRunTieBreakers(args.orderBy.length > 0 ? args.orderBy : DEFAULT_RUN_ORDER)
    for (const order of orderBy) {
      if (KEYED_RUN_ORDER_FIELDS.has(order.field) && !order.key) throw badInput(`orderBy: a ${order.field.toUpperCase()} order needs its key`)
    }
    const { backends, scopeOf } = this.backends.selectScoped(args.backends, 'tracking', args.experiments)
    const tracking = (backend: Backend) => this.backends.partOf(backend, 'tracking')
    return federatedList(args, {
      identity: { list: 'runs', experiments: args.experiments, filter: args.filter, lifecycle: args.lifecycle, orderBy },
      backends,
      compare: runComparator(orderBy),
      source: {
        plan: (backend, filter) => tracking(backend).planRunFilter(withVisible(filter, 'experimentId', visible(backend.id))),
        query: (backend, filter): RunQuery => ({ experimentIds: scopeOf(backend), filter, lifecycle: args.lifecycle, orderBy }),
        list: (backend, query, page) => tracking(backend).listRuns(query, page),
        count: (backend, query) => tracking(backend).countRuns(query),
        matches: matchesRunFilter,
      },
    })
  }

  async metricHistory(
    key: RecordKey,
    args: { key: string; maxPoints: number | null; minStep: number | null; maxStep: number | null },
  ): Promise<MetricSeries> {
    const maxPoints = args.maxPoints ?? HISTORY_POINTS.default
    if (maxPoints < HISTORY_POINTS.min || maxPoints > HISTORY_POINTS.max) {
      throw badInput(`maxPoints must be between ${HISTORY_POINTS.min} and ${HISTORY_POINTS.max}`)
    }
    if (args.minStep !== null && args.maxStep !== null && args.minStep > args.maxStep) {
      throw badInput('minStep must not be greater than maxStep')
    }
    await this.guard.requireOnRun(key, 'READ')
    return this.loaders.history.load({ backendId: key.backendId, query: { runId: key.nativeId, key: args.key, maxPoints, minStep: args.minStep, maxStep: args.maxStep } })
  }

  /** Every point of the series in the step range, unreduced (MLflow's get-history pages through all of them). */
  async wholeMetricHistory(run: RecordKey, args: { key: string; minStep: number | null; maxStep: number | null }): Promise<MetricSeries> {
    await this.guard.requireOnRun(run, 'READ')
    const [series] = await this.trackingFor(run).metricHistories([{ runId: run.nativeId, key: args.key, maxPoints: Number.MAX_SAFE_INTEGER, minStep: args.minStep, maxStep: args.maxStep }])
    return series
  }

  /** The datasets the runs of these experiments used (one call per backend), at most DATASET_SUMMARIES_LIMIT in all. */
  async datasetSummaries(experiments: readonly RecordKey[]): Promise<DatasetSummary[]> {
    const readable = await this.guard.readableOnly([...experiments], experimentRecord)
    const perBackend = await Promise.all(
      [...nativeIdsByBackend(readable.filter((key): key is RecordKey => key !== null))].map(([backendId, ids]) => this.backends.partOf(backendId, 'tracking').datasetSummaries(ids)),
    )
    return perBackend.flat().slice(0, DATASET_SUMMARIES_LIMIT)
  }

  // Writes: checked here, so every backend refuses the same input the same way.

  async createExperiment(input: { backendId: string | null; name: string; tags: KeyValue[]; artifactLocation?: string | null }): Promise<Experiment> {
    const name = checkExperimentName(input.name, this.limits)
    const tags = checkTags(input.tags)
    const backend = input.backendId ? this.backends.get(input.backendId) : this.backends.defaultWriteTarget('writer')
    const event = { operation: 'createExperiment', recordType: 'experiment', backendId: backend.id, summary: { name, tags: keysOf(tags) } }
    return this.guard.audited(
      event,
      async () => {
        await this.guard.requireOnBackend(backend.id, 'USE')
        const experiment = await this.backends.partOf(backend, 'writer').createExperiment({ name, tags, artifactLocation: input.artifactLocation ?? null })
        await this.guard.ownCreated(experimentRecord({ backendId: backend.id, nativeId: experiment.nativeId }))
        return experiment
      },
      (experiment) => experiment.nativeId,
    )
  }

  setExperimentTags(key: RecordKey, tags: KeyValue[]): Promise<Experiment> {
    const checked = checkTags(tags)
    return this.afterExperimentWrite(key, 'EDIT', 'setExperimentTags', { tags: keysOf(checked) }, () => this.writerFor(key).setExperimentTags(key.nativeId, checked))
  }

  deleteExperimentTag(key: RecordKey, tagKey: string): Promise<Experiment> {
    return this.afterExperimentWrite(key, 'EDIT', 'deleteExperimentTag', { tag: tagKey }, () => this.writerFor(key).deleteExperimentTag(key.nativeId, tagKey))
  }

  renameExperiment(key: RecordKey, name: string): Promise<Experiment> {
    const checked = checkExperimentName(name, this.limits)
    return this.afterExperimentWrite(key, 'EDIT', 'renameExperiment', { name: checked }, () => this.writerFor(key).renameExperiment(key.nativeId, checked))
  }

  /** MLflow's soft delete: the experiment and its runs; `restoreExperiment` undoes it. */
  deleteExperiment(key: RecordKey): Promise<Experiment> {
    return this.afterExperimentWrite(key, 'MANAGE', 'deleteExperiment', {}, () => this.writerFor(key).deleteExperiment(key.nativeId))
  }

  restoreExperiment(key: RecordKey): Promise<Experiment> {
    return this.afterExperimentWrite(key, 'MANAGE', 'restoreExperiment', {}, () => this.writerFor(key).restoreExperiment(key.nativeId))
  }

  async createRun(input: {
    experiment: RecordKey
    name: string | null
    userId?: string | null
    status: RunStatus | null
    startTime: Date | null
    tags: KeyValue[]
    params: KeyValue[]
  }): Promise<Run> {
    checkRunName(input.name, this.limits)
    const tags = checkTags(input.tags)
    checkParams(input.params)
    const event = { operation: 'createRun', recordType: 'run', backendId: input.experiment.backendId, summary: { experiment: input.experiment.nativeId, name: input.name, tags: keysOf(tags), params: keysOf(input.params) } }
    const run = await this.guard.audited(
      event,
      async () => {
        // MLflow's auth app: creating a run changes its experiment (EDIT).
        await this.guard.requireOnExperiment(input.experiment, 'EDIT')
        // A signed-in caller is the run's user on every backend (MLflow's user_id), whatever name the client sent.
        const signedIn = (await this.guard.permissions()).identity?.username
        return this.writerFor(input.experiment).createRun({
          experimentId: input.experiment.nativeId,
          name: input.name,
          userId: signedIn ?? input.userId ?? null,
          status: input.status ?? 'RUNNING',
          startTime: input.startTime ?? new Date(),
          // MLflow's clients name the run's user in this tag too: the signed-in user, where there is one.
          tags: signedIn === undefined ? tags : [...tags.filter((tag) => tag.key !== MLFLOW_USER_TAG), { key: MLFLOW_USER_TAG, value: signedIn }],
          params: input.params,
        })
      },
      (run) => run.nativeId,
    )
    await this.backends.events.publish([events.runCreated(run), ...(FINISHED_STATUSES.has(run.status) ? [events.runFinished(run)] : [])])
    return run
  }

  async updateRun(key: RecordKey, patch: UpdateRunInput): Promise<Run> {
    checkRunName(patch.name, this.limits)
    const run = await this.afterRunWrite(key, 'EDIT', 'updateRun', { fields: Object.keys(patch).sort() }, () => this.writerFor(key).updateRun(key.nativeId, patch))
    if (patch.status !== undefined && patch.status !== null && FINISHED_STATUSES.has(run.status)) await this.backends.events.publish([events.runFinished(run)])
    return run
  }

  deleteRun(key: RecordKey): Promise<Run> {
    return this.afterRunWrite(key, 'MANAGE', 'deleteRun', {}, () => this.writerFor(key).deleteRun(key.nativeId))
  }

  restoreRun(key: RecordKey): Promise<Run> {
    return this.afterRunWrite(key, 'MANAGE', 'restoreRun', {}, () => this.writerFor(key).restoreRun(key.nativeId))
  }

  async logMetrics(key: RecordKey, metrics: MetricWrite[]): Promise<Run> {
    await this.appendMetrics(key, metrics, 'logMetrics')
    return this.reloadRun(key)
  }

  /** Logs metric points without reading the run back: the hot path of training loops (logMetricSeries). */
  async appendMetrics(key: RecordKey, metrics: MetricWrite[], operation = 'logMetricSeries'): Promise<void> {
    checkMetrics(metrics)
    await this.writeRun(key, 'EDIT', operation, { points: metrics.length, metrics: keysOf(metrics) }, () => this.writerFor(key).logMetrics(key.nativeId, metrics))
  }

  async logParams(key: RecordKey, params: KeyValue[]): Promise<Run> {
    checkParams(params)
    return this.afterRunWrite(key, 'EDIT', 'logParams', { params: keysOf(params) }, () => this.writerFor(key).logParams(key.nativeId, params))
  }

  async setRunTags(key: RecordKey, tags: KeyValue[]): Promise<Run> {
    const checked = checkTags(tags)
    return this.afterRunWrite(key, 'EDIT', 'setRunTags', { tags: keysOf(checked) }, () => this.writerFor(key).setRunTags(key.nativeId, checked))
  }

  async logInputs(key: RecordKey, inputs: DatasetInput[], models: ModelInput[] = []): Promise<Run> {
    checkDatasetInputs(inputs)
    return this.afterRunWrite(key, 'EDIT', 'logInputs', { datasets: inputs.length, models: models.length }, () => this.writerFor(key).logInputs(key.nativeId, inputs, models))
  }

  deleteRunTag(key: RecordKey, tagKey: string): Promise<Run> {
    return this.afterRunWrite(key, 'EDIT', 'deleteRunTag', { tag: tagKey }, () => this.writerFor(key).deleteRunTag(key.nativeId, tagKey))
  }

  /**
   * Metrics, params and tags of one run in one atomic write (MLflow's
   * log-batch): checked whole first, so a refused batch writes nothing. Does
   * not read the run back (training loops call this in a hot loop).
   */
  async logBatch(key: RecordKey, batch: RunBatch): Promise<void> {
    const checked = this.checkBatch(batch)
    const summary = { points: checked.metrics.length, metrics: keysOf(checked.metrics), params: keysOf(checked.params), tags: keysOf(checked.tags) }
    await this.writeRun(key, 'EDIT', 'logBatch', summary, () => this.writerFor(key).logBatch(key.nativeId, checked))
  }

  /** MLflow's limits on one log-batch call; the batch as it is written (one entry per tag key). */
  checkBatch(batch: RunBatch): RunBatch {
    checkParams(batch.params)
    checkMetrics(batch.metrics)
    return { ...batch, tags: checkTags(batch.tags) }
  }

  private trackingFor(key: RecordKey) {
    return this.backends.partOf(key.backendId, 'tracking')
  }

  private writerFor(key: RecordKey) {
    return this.backends.partOf(key.backendId, 'writer')
  }

  /** Checks the caller's level on the experiment, then writes: a refused write never starts. */
  private async afterExperimentWrite(key: RecordKey, needed: Permission, operation: string, summary: Record<string, unknown>, write: () => Promise<Experiment>): Promise<Experiment> {
    const experiment = await this.guard.audited({ operation, recordType: 'experiment', backendId: key.backendId, recordId: key.nativeId, summary }, async () => {
      await this.guard.requireOnExperiment(key, needed)
      return write()
    })
    this.loaders.experiment.clear(key).prime(key, experiment)
    return experiment
  }

  /** After a write, the request's cached copy is stale: reload the run. */
  private async afterRunWrite(key: RecordKey, needed: Permission, operation: string, summary: Record<string, unknown>, write: () => Promise<unknown>): Promise<Run> {
    await this.writeRun(key, needed, operation, summary, write)
    return this.reloadRun(key)
  }

  /** Checks the caller's level on the run's experiment, then writes, audited; the request's cached copy of the run is dropped. */
  private async writeRun(key: RecordKey, needed: Permission, operation: string, summary: Record<string, unknown>, write: () => Promise<unknown>): Promise<void> {
    await this.guard.audited({ operation, recordType: 'run', backendId: key.backendId, recordId: key.nativeId, summary }, async () => {
      await this.guard.requireOnRun(key, needed)
      await write()
    })
    this.loaders.run.clear(key)
  }

  /** The run as a write left it, read without the read check: its caller just wrote it (EDIT includes READ). */
  async reloadRun(key: RecordKey): Promise<Run> {
    const run = await this.loaders.run.load(key)
    if (!run) throw notFound(`run ${key.nativeId}`, key.backendId)
    return run
  }
}
