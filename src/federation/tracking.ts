import type { Backend, ExperimentQuery, Page, PageRequest, RunOrder, RunQuery, UpdateRunInput } from '../adapters/backend.js'
import type { Experiment, KeyValue, MetricSeries, MetricWrite, Run, RunStatus } from '../domain.js'
import { badInput, notFound } from '../errors.js'
import { decodeCursor, fingerprint } from './cursor.js'
import type { ExperimentFilter, LifecycleView, RunFilter } from './filter.js'
import { type Loaders, type RecordKey, createLoaders } from './loaders.js'
import { type MergedPage, mergeSortedPages } from './merge.js'
import { compareExperiments, runComparator, withRunTieBreakers } from './ordering.js'
import { matchesExperimentFilter, matchesRunFilter } from './residual.js'
import type { BackendRegistry } from './registry.js'
import { checkMetrics, checkParams, checkTags } from './write-limits.js'

export const PAGE_SIZE = { default: 100, max: 1000 } as const

/**
 * A backend page with the residual filter applied. The page may shrink or
 * empty; the merge keeps following the backend's tokens to fill the page
 * (over-fetching), and cursor offsets index this filtered page.
 */
function keepMatching<T>(page: Page<T>, matches: (item: T) => boolean): Page<T> {
  return { items: page.items.filter(matches), nextToken: page.nextToken }
}
export const HISTORY_POINTS = { default: 1000, min: 10, max: 10_000 } as const

/** The runs order when a caller gives none: MLflow's, newest first. */
const DEFAULT_RUN_ORDER: RunOrder[] = [{ field: 'startTime', direction: 'desc' }]

export interface ListPage<T> extends MergedPage<T> {
  /** Sums the backends' counts; null when any backend cannot count cheaply. */
  totalCount(): Promise<number | null>
}

export interface ListArgs {
  backends: readonly string[] | null
  first: number | null
  after: string | null
}

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

  constructor(readonly registry: BackendRegistry) {
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
    const backends = this.registry.select(args.backends, 'runs')
    const plans = new Map(backends.map((backend) => [backend.id, backend.planExperimentFilter(args.filter)]))
    const queryFor = (backend: Backend): ExperimentQuery => ({ filter: plans.get(backend.id)!.pushed, lifecycle: args.lifecycle })
    const identity = { list: 'experiments', filter: args.filter, lifecycle: args.lifecycle }
    return this.mergedList(args, identity, backends, compareExperiments, {
      fetch: async (backend, page) => keepMatching(await backend.listExperiments(queryFor(backend), page), (experiment) =>
        matchesExperimentFilter(experiment, plans.get(backend.id)!.residual),
      ),
      count: (backend) => (plans.get(backend.id)!.residual.all.length > 0 ? Promise.resolve(null) : backend.countExperiments(queryFor(backend))),
    })
  }

  listRuns(args: RunListArgs): Promise<ListPage<Run>> {
    const orderBy = withRunTieBreakers(args.orderBy.length > 0 ? args.orderBy : DEFAULT_RUN_ORDER)
    for (const order of orderBy) {
      if (order.field === 'metric' && !order.metricKey) throw badInput('orderBy: a METRIC order needs metricKey')
    }
    let backends = this.registry.select(args.backends, 'runs')
    const experimentsByBackend = new Map<string, string[]>()
    if (args.experiments) {
      for (const key of args.experiments) {
        this.registry.get(key.backendId)
        experimentsByBackend.set(key.backendId, [...(experimentsByBackend.get(key.backendId) ?? []), key.nativeId])
      }
      backends = backends.filter((backend) => experimentsByBackend.has(backend.id))
    }
    const plans = new Map(backends.map((backend) => [backend.id, backend.planRunFilter(args.filter)]))
    const queryFor = (backend: Backend): RunQuery => ({
      experimentIds: args.experiments ? (experimentsByBackend.get(backend.id) ?? []) : null,
      filter: plans.get(backend.id)!.pushed,
      lifecycle: args.lifecycle,
      orderBy,
    })
    const identity = { list: 'runs', experiments: args.experiments, filter: args.filter, lifecycle: args.lifecycle, orderBy }
    return this.mergedList(args, identity, backends, runComparator(orderBy), {
      fetch: async (backend, page) =>
        keepMatching(await backend.listRuns(queryFor(backend), page), (run) => matchesRunFilter(run, plans.get(backend.id)!.residual)),
      count: (backend) => (plans.get(backend.id)!.residual.all.length > 0 ? Promise.resolve(null) : backend.countRuns(queryFor(backend))),
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
    return this.registry.get(key.backendId).metricHistory({
      runId: key.nativeId,
      key: args.key,
      maxPoints,
      minStep: args.minStep,
      maxStep: args.maxStep,
    })
  }

  // Writes: checked here, so every backend refuses the same input the same way.

  async createExperiment(input: { backendId: string | null; name: string; tags: KeyValue[] }): Promise<Experiment> {
    const name = input.name.trim()
    if (name.length === 0) throw badInput('experiment name must not be empty')
    checkTags(input.tags)
    const backend = input.backendId ? this.registry.get(input.backendId) : this.registry.defaultWriteTarget()
    return this.registry.writerOf(backend).createExperiment({ name, tags: input.tags })
  }

  async setExperimentTags(key: RecordKey, tags: KeyValue[]): Promise<Experiment> {
    checkTags(tags)
    const experiment = await this.writerFor(key).setExperimentTags(key.nativeId, tags)
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
    checkTags(input.tags)
    checkParams(input.params)
    return this.writerFor(input.experiment).createRun({
      experimentId: input.experiment.nativeId,
      name: input.name,
      status: input.status ?? 'RUNNING',
      startTime: input.startTime ?? new Date(),
      tags: input.tags,
      params: input.params,
    })
  }

  updateRun(key: RecordKey, patch: UpdateRunInput): Promise<Run> {
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
    checkTags(tags)
    return this.afterRunWrite(key, this.writerFor(key).setRunTags(key.nativeId, tags))
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

  private async mergedList<T>(
    args: ListArgs,
    identity: unknown,
    backends: Backend[],
    compare: (a: T, b: T) => number,
    ops: {
      fetch: (backend: Backend, page: PageRequest) => Promise<Page<T>>
      count: (backend: Backend) => Promise<number | null>
    },
  ): Promise<ListPage<T>> {
    const first = args.first ?? PAGE_SIZE.default
    if (!Number.isInteger(first) || first < 0 || first > PAGE_SIZE.max) {
      throw badInput(`first must be between 0 and ${PAGE_SIZE.max}`)
    }
    const queryFingerprint = fingerprint({ identity, backends: backends.map((backend) => backend.id) })
    const page = await mergeSortedPages<T>({
      sources: backends.map((backend) => ({ backendId: backend.id, fetchPage: (request) => ops.fetch(backend, request) })),
      compare,
      first,
      after: args.after ? decodeCursor(args.after, queryFingerprint) : null,
      queryFingerprint,
    })
    return {
      ...page,
      totalCount: async () => {
        if (page.failures.length > 0) return null // a count without the failed backends would be a guess
        const counts = await Promise.all(backends.map((backend) => ops.count(backend).catch(() => null)))
        return counts.some((count) => count === null) ? null : counts.reduce<number>((sum, count) => sum + (count ?? 0), 0)
      },
    }
  }
}
