import type { Backend, ExperimentQuery, RunOrder, RunQuery, UpdateRunInput } from '../contract/backend.js'
import type { DatasetInput, Experiment, KeyValue, MetricSeries, MetricWrite, Run, RunStatus } from '../domain.js'
import { badInput, notFound } from '../errors.js'
import type { ExperimentFilter, LifecycleView, RunFilter } from '../contract/filter.js'
import { type Loaders, type RecordKey, createLoaders } from './loaders.js'
import { type ListArgs, type ListPage, keepMatching, mergedList } from './merged-list.js'
import { compareExperiments, runComparator, withRunTieBreakers } from './ordering.js'
import { matchesExperimentFilter, matchesRunFilter } from '../contract/filter-matching.js'
import type { BackendRegistry } from './registry.js'
import type { Limits } from '../config.js'
import { DEFAULT_LIMITS, checkListShape } from './query-limits.js'
import { checkDatasetInputs, checkExperimentName, checkMetrics, checkParams, checkRunName, checkTags } from './write-limits.js'

export const HISTORY_POINTS = { default: 1000, min: 10, max: 10_000 } as const

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

  constructor(
    readonly registry: BackendRegistry,
    readonly limits: Limits = DEFAULT_LIMITS,
  ) {
    this.loaders = createLoaders(registry)
  }

  experiment(key: RecordKey): Promise<Experiment | null> {
    this.registry.get(key.backendId)
    return this.loaders.experiment.load(key)
  }

  run(key: RecordKey): Promise<Run | null> {
    this.registry.get(key.backendId)
    return this.loaders.run.load(key)
  }

  listExperiments(args: ExperimentListArgs): Promise<ListPage<Experiment>> {
    checkListShape(this.limits, args)
    const backends = this.registry.select(args.backends, 'tracking')
    const plans = new Map(backends.map((backend) => [backend.id, this.registry.trackingOf(backend).planExperimentFilter(args.filter)]))
    const queryFor = (backend: Backend): ExperimentQuery => ({ filter: plans.get(backend.id)!.pushed, lifecycle: args.lifecycle })
    const identity = { list: 'experiments', filter: args.filter, lifecycle: args.lifecycle }
    return mergedList(args, identity, backends, compareExperiments, {
      fetch: async (backend, page) => keepMatching(await this.registry.trackingOf(backend).listExperiments(queryFor(backend), page), (experiment) =>
        matchesExperimentFilter(experiment, plans.get(backend.id)!.residual),
      ),
      count: (backend) => (plans.get(backend.id)!.residual.all.length > 0 ? Promise.resolve(null) : this.registry.trackingOf(backend).countExperiments(queryFor(backend))),
    })
  }

  listRuns(args: RunListArgs): Promise<ListPage<Run>> {
    checkListShape(this.limits, args)
    const orderBy = withRunTieBreakers(args.orderBy.length > 0 ? args.orderBy : DEFAULT_RUN_ORDER)
    for (const order of orderBy) {
      if (order.field === 'metric' && !order.metricKey) throw badInput('orderBy: a METRIC order needs metricKey')
    }
    let backends = this.registry.select(args.backends, 'tracking')
    const experimentsByBackend = new Map<string, string[]>()
    if (args.experiments) {
      for (const key of args.experiments) {
        this.registry.get(key.backendId)
        experimentsByBackend.set(key.backendId, [...(experimentsByBackend.get(key.backendId) ?? []), key.nativeId])
      }
      backends = backends.filter((backend) => experimentsByBackend.has(backend.id))
    }
    const plans = new Map(backends.map((backend) => [backend.id, this.registry.trackingOf(backend).planRunFilter(args.filter)]))
    const queryFor = (backend: Backend): RunQuery => ({
      experimentIds: args.experiments ? (experimentsByBackend.get(backend.id) ?? []) : null,
      filter: plans.get(backend.id)!.pushed,
      lifecycle: args.lifecycle,
      orderBy,
    })
    const identity = { list: 'runs', experiments: args.experiments, filter: args.filter, lifecycle: args.lifecycle, orderBy }
    return mergedList(args, identity, backends, runComparator(orderBy), {
      fetch: async (backend, page) =>
        keepMatching(await this.registry.trackingOf(backend).listRuns(queryFor(backend), page), (run) => matchesRunFilter(run, plans.get(backend.id)!.residual)),
      count: (backend) => (plans.get(backend.id)!.residual.all.length > 0 ? Promise.resolve(null) : this.registry.trackingOf(backend).countRuns(queryFor(backend))),
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
    return this.registry.trackingOf(this.registry.get(key.backendId)).metricHistory({
      runId: key.nativeId,
      key: args.key,
      maxPoints,
      minStep: args.minStep,
      maxStep: args.maxStep,
    })
  }

  // Writes: checked here, so every backend refuses the same input the same way.

  async createExperiment(input: { backendId: string | null; name: string; tags: KeyValue[] }): Promise<Experiment> {
    const name = checkExperimentName(input.name, this.limits)
    const tags = checkTags(input.tags)
    const backend = input.backendId ? this.registry.get(input.backendId) : this.registry.defaultWriteTarget('writer')
    return this.registry.writerOf(backend).createExperiment({ name, tags })
  }

  async setExperimentTags(key: RecordKey, tags: KeyValue[]): Promise<Experiment> {
    const experiment = await this.writerFor(key).setExperimentTags(key.nativeId, checkTags(tags))
    this.loaders.experiment.clear(key)
    return experiment
  }

  async createRun(input: {
    experiment: RecordKey
    name: string | null
    status: RunStatus | null
    startTime: Date | null
    tags: KeyValue[]
    params: KeyValue[]
  }): Promise<Run> {
    checkRunName(input.name, this.limits)
    const tags = checkTags(input.tags)
    checkParams(input.params)
    return this.writerFor(input.experiment).createRun({
      experimentId: input.experiment.nativeId,
      name: input.name,
      status: input.status ?? 'RUNNING',
      startTime: input.startTime ?? new Date(),
      tags,
      params: input.params,
    })
  }

  updateRun(key: RecordKey, patch: UpdateRunInput): Promise<Run> {
    checkRunName(patch.name, this.limits)
    return this.afterRunWrite(key, this.writerFor(key).updateRun(key.nativeId, patch))
  }

  deleteRun(key: RecordKey): Promise<Run> {
    return this.afterRunWrite(key, this.writerFor(key).deleteRun(key.nativeId))
  }

  restoreRun(key: RecordKey): Promise<Run> {
    return this.afterRunWrite(key, this.writerFor(key).restoreRun(key.nativeId))
  }

  async logMetrics(key: RecordKey, metrics: MetricWrite[]): Promise<Run> {
    checkMetrics(metrics)
    return this.afterRunWrite(key, this.writerFor(key).logMetrics(key.nativeId, metrics))
  }

  async logParams(key: RecordKey, params: KeyValue[]): Promise<Run> {
    checkParams(params)
    return this.afterRunWrite(key, this.writerFor(key).logParams(key.nativeId, params))
  }

  async setRunTags(key: RecordKey, tags: KeyValue[]): Promise<Run> {
    return this.afterRunWrite(key, this.writerFor(key).setRunTags(key.nativeId, checkTags(tags)))
  }

  async logInputs(key: RecordKey, inputs: DatasetInput[]): Promise<Run> {
    checkDatasetInputs(inputs)
    return this.afterRunWrite(key, this.writerFor(key).logInputs(key.nativeId, inputs))
  }

  private writerFor(key: RecordKey) {
    return this.registry.writerOf(this.registry.get(key.backendId))
  }

  /** After a write, the request's cached copy is stale: reload the run. */
  private async afterRunWrite(key: RecordKey, write: Promise<unknown>): Promise<Run> {
    await write
    this.loaders.run.clear(key)
    const run = await this.loaders.run.load(key)
    if (!run) throw notFound(`run ${key.nativeId}`, key.backendId)
    return run
  }
}
