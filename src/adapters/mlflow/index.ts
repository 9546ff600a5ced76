import type { MlflowBackendConfig } from '../../config.js'
import type { UpstreamObserver } from '../../telemetry/metrics.js'
import type { DatasetSummary, Experiment, KeyValue, MetricPoint, MetricSeries, MetricWrite, Run } from '../../domain.js'
import { endTimeAfterUpdate } from '../../contract/run-end-time.js'
import { GatewayError } from '../../errors.js'
import type {
  Backend,
  Capabilities,
  CreateExperimentInput,
  CreateRunInput,
  ExperimentQuery,
  MetricHistoryQuery,
  Page,
  PageRequest,
  ModelRegistryWriter,
  RunQuery,
  TrackingReader,
  TrackingWriter,
  UpdateRunInput,
} from '../../contract/backend.js'
import { downsample } from '../downsample.js'
import { authenticator, regionOfArn, sagemakerMlflowUrl } from './auth.js'
import { MlflowClient } from './client.js'
import { compileExperimentFilter, compileRunFilter, compileRunOrder } from './filter.js'
import { MlflowLiveMetrics } from './live.js'
import { PolledModelVersionEvents } from '../model-version-poller.js'
import { MlflowModelRegistry } from './model-registry.js'
import { datasetInputToWire, wireDouble } from '../../mlflow-protocol/values.js'
import { toExperiment, toMetricPoint, toRun } from './map.js'
import {
  VIEW_TYPE_OF,
  createExperimentResponse,
  getExperimentResponse,
  getRunResponse,
  metricHistoryResponse,
  searchDatasetsResponse,
  searchExperimentsResponse,
  searchRunsResponse,
} from '../../mlflow-protocol/records.js'

/** MLflow's own ceilings: runs/search pages and log-batch sizes. */
// runIdsPerSearch: a POST body carries the ids (no URL limit) and runs/search answers up to 50,000 a page; at 100, a 700-run lineage level took 7 searches.
const LIMITS = { runsPage: 1000, experimentsPage: 1000, historyPage: 25_000, runIdsPerSearch: 1000, metricsPerBatch: 1000 } as const


export async function createMlflowBackend(config: MlflowBackendConfig, observe?: UpstreamObserver): Promise<Backend> {
  const sigv4 = config.auth && 'sigv4' in config.auth ? config.auth.sigv4 : undefined
  const baseUrl = config.url ?? sagemakerMlflowUrl(sigv4?.region ?? regionOfArn(sigv4?.trackingServerArn ?? ''))
  const url = new URL(baseUrl)
  // user:password@ in the URL is basic auth; the client strips it from the URL itself.
  const auth = config.auth ?? (url.username ? { basic: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } } : undefined)
  const client = new MlflowClient({
    backendId: config.id,
    baseUrl,
    authenticate: authenticator(auth),
    timeoutMs: config.timeoutMs,
    maxConcurrency: config.maxConcurrency,
    cacheTtlMs: config.cacheTtlMs,
    observe,
  })
  return new MlflowBackend(config.id, client, config.readOnly, config.poll.intervalMs)
}

/** A remote MLflow tracking server, read (and, unless read-only, written) through its REST API 2.0. */
export class MlflowBackend implements Backend, TrackingReader {
  readonly kind = 'mlflow' as const
  readonly capabilities: Capabilities
  readonly tracking: TrackingReader = this
  readonly writer: TrackingWriter | null
  readonly modelRegistry: MlflowModelRegistry
  readonly modelRegistryWriter: ModelRegistryWriter | null
  readonly modelEvents: PolledModelVersionEvents
  readonly live: MlflowLiveMetrics
  readonly loggedModels = null
  readonly identities = null
  readonly auditLog = null
  readonly automation = null

  constructor(
    readonly id: string,
    private readonly client: MlflowClient,
    readOnly: boolean,
    pollIntervalMs: number,
  ) {
    this.capabilities = { orderByMetric: true, liveMetrics: 'poll', ownStore: false, packageArns: false }
    this.writer = readOnly ? null : this.createWriter()
    this.modelRegistry = new MlflowModelRegistry(id, client)
    this.modelRegistryWriter = readOnly ? null : this.modelRegistry.writer()
    this.modelEvents = new PolledModelVersionEvents(this.modelRegistry, pollIntervalMs)
    this.live = new MlflowLiveMetrics(
      {
        getRun: (runId) => this.getRun(runId),
        history: (runId, key) => this.fullHistory(runId, key),
        recentRuns: async (experimentId) =>
          (
            await this.listRuns(
              { experimentIds: [experimentId], filter: { all: [] }, lifecycle: 'all', orderBy: [{ field: 'startTime', direction: 'desc' }] },
              { first: LIMITS.runsPage, token: null },
            )
          ).items,
      },
      pollIntervalMs,
      id,
    )
  }

  planRunFilter: TrackingReader['planRunFilter'] = (filter) => compileRunFilter(filter)
  planExperimentFilter: TrackingReader['planExperimentFilter'] = (filter) => compileExperimentFilter(filter)

  async ping(): Promise<void> {
    await this.client.post('experiments/search', { max_results: 1 })
  }

  async close(): Promise<void> {
    this.modelEvents.close()
    this.live.close()
    await this.client.close()
  }

  async listExperiments(query: ExperimentQuery, page: PageRequest): Promise<Page<Experiment>> {
    const response = searchExperimentsResponse.parse(
      await this.client.post('experiments/search', {
        max_results: Math.min(Math.max(page.first, 1), LIMITS.experimentsPage),
        page_token: page.token ?? undefined,
        filter: compileExperimentFilter(query.filter).text || undefined,
        // The gateway's experiment order: newest first, then id.
        order_by: ['creation_time DESC', 'experiment_id ASC'],
        view_type: VIEW_TYPE_OF[query.lifecycle],
      }),
    )
    return { items: response.experiments.map((wire) => toExperiment(this.id, wire)), nextToken: response.next_page_token || null }
  }

  async countExperiments(): Promise<null> {
    return null // MLflow has no count; paging through every experiment to count is not cheap.
  }

  async getExperiments(ids: readonly string[]): Promise<(Experiment | null)[]> {
    if (ids.length === 1) return [await this.getExperiment(ids[0])]
    // MLflow cannot search experiments by id: list them all (usually far fewer than runs) in one pass.
    const byId = new Map((await this.allExperiments()).map((experiment) => [experiment.nativeId, experiment]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  async listRuns(query: RunQuery, page: PageRequest): Promise<Page<Run>> {
    const experimentIds = query.experimentIds ?? (await this.allExperiments()).map((experiment) => experiment.nativeId)
    if (experimentIds.length === 0) return { items: [], nextToken: null }
    const response = searchRunsResponse.parse(
      await this.client.post('runs/search', {
        experiment_ids: experimentIds,
        filter: compileRunFilter(query.filter).text || undefined,
        run_view_type: VIEW_TYPE_OF[query.lifecycle],
        max_results: Math.min(Math.max(page.first, 1), LIMITS.runsPage),
        order_by: compileRunOrder(query.orderBy, this.id),
        page_token: page.token ?? undefined,
      }),
    )
    return { items: response.runs.map((wire) => toRun(this.id, wire)), nextToken: response.next_page_token || null }
  }

  async countRuns(): Promise<null> {
    return null
  }

  /**
   * One run: `runs/get`. Several: one `runs/search` per 1,000 ids with
   * `attributes.run_id IN (...)`, over every experiment (runs/search needs
   * experiment ids, so one `experiments/search` pass first).
   */
  async getRuns(ids: readonly string[]): Promise<(Run | null)[]> {
    if (ids.length === 1) return [await this.getRun(ids[0])]
    const experimentIds = (await this.allExperiments()).map((experiment) => experiment.nativeId)
    const found = new Map<string, Run>()
    const valid = [...new Set(ids)].filter(isRunId)
    for (let i = 0; i < valid.length; i += LIMITS.runIdsPerSearch) {
      const chunk = valid.slice(i, i + LIMITS.runIdsPerSearch)
      const response = searchRunsResponse.parse(
        await this.client.post('runs/search', {
          experiment_ids: experimentIds,
          filter: `attributes.run_id IN (${chunk.map((id) => `'${id}'`).join(', ')})`,
          run_view_type: 'ALL',
          max_results: chunk.length,
        }),
      )
      for (const wire of response.runs) {
        const run = toRun(this.id, wire)
        found.set(run.nativeId, run)
      }
    }
    return ids.map((id) => found.get(id) ?? null)
  }

  /** Each series on its own: MLflow reads one (run, key) history per call. */
  metricHistories: TrackingReader['metricHistories'] = (queries) => Promise.all(queries.map((query) => this.metricHistory(query)))

  /**
   * `metrics/get-history`, every page, then the gateway's downsampling rule
   * in memory, so `totalPoints` is exact and spikes survive. (MLflow's
   * get-history-bulk-interval samples evenly spaced steps: it can drop a
   * spike and reports no total, so it is not used.)
   */
  private async metricHistory(query: MetricHistoryQuery): Promise<MetricSeries> {
    const inRange = (await this.fullHistory(query.runId, query.key)).filter(
      (point) => (query.minStep === null || point.step >= query.minStep) && (query.maxStep === null || point.step <= query.maxStep),
    )
    const sampled = downsample(inRange, query.maxPoints)
    return { key: query.key, points: sampled, totalPoints: inRange.length, sampled: sampled.length < inRange.length }
  }

  /** MLflow's own summaries (experiments/search-datasets, a UI route under ajax-api), for experiment ids MLflow can take. */
  async datasetSummaries(experimentIds: readonly string[]): Promise<DatasetSummary[]> {
    const ids = experimentIds.filter((id) => /^[\w-]+$/.test(id))
    if (ids.length === 0) return []
    const response = searchDatasetsResponse.parse(await this.client.postUiRead('experiments/search-datasets', { experiment_ids: ids }))
    return response.dataset_summaries.map((summary) => ({ experimentNativeId: summary.experiment_id, name: summary.name, digest: summary.digest, context: summary.context ?? null }))
  }

  /** Every point of a metric: `metrics/get-history`, page after page. */
  private async fullHistory(runId: string, key: string): Promise<MetricPoint[]> {
    const points: MetricPoint[] = []
    let token: string | undefined
    do {
      const response = metricHistoryResponse.parse(
        await this.client.get('metrics/get-history', { run_id: runId, metric_key: key, max_results: LIMITS.historyPage, page_token: token }),
      )
      points.push(...response.metrics.map(toMetricPoint))
      token = response.next_page_token || undefined
    } while (token)
    return points
  }

  private async getExperiment(id: string): Promise<Experiment | null> {
    if (!/^[\w-]+$/.test(id)) return null
    try {
      const response = getExperimentResponse.parse(await this.client.get('experiments/get', { experiment_id: id }))
      return toExperiment(this.id, response.experiment)
    } catch (error) {
      if (error instanceof GatewayError && (error.code === 'NOT_FOUND' || error.code === 'BAD_USER_INPUT')) return null
      throw error
    }
  }

  private async getRun(id: string): Promise<Run | null> {
    if (!isRunId(id)) return null
    try {
      return toRun(this.id, getRunResponse.parse(await this.client.get('runs/get', { run_id: id })).run)
    } catch (error) {
      if (error instanceof GatewayError && (error.code === 'NOT_FOUND' || error.code === 'BAD_USER_INPUT')) return null
      throw error
    }
  }

  private async allExperiments(): Promise<Experiment[]> {
    const experiments: Experiment[] = []
    let token: string | null = null
    do {
      const page = await this.listExperiments({ filter: { all: [] }, lifecycle: 'all' }, { first: LIMITS.experimentsPage, token })
      experiments.push(...page.items)
      token = page.nextToken
    } while (token)
    return experiments
  }

  private async requireRun(id: string): Promise<Run> {
    const run = await this.getRun(id)
    if (!run) throw new GatewayError('NOT_FOUND', `run ${id} does not exist`, { backend: this.id })
    return run
  }

  private async requireExperiment(experimentId: string): Promise<Experiment> {
    const experiment = await this.getExperiment(experimentId)
    if (!experiment) throw new GatewayError('NOT_FOUND', `experiment ${experimentId} does not exist`, { backend: this.id })
    return experiment
  }

  private async logBatch(runId: string, batch: { metrics?: MetricWrite[]; params?: KeyValue[]; tags?: KeyValue[] }): Promise<void> {
    await this.client.post('runs/log-batch', {
      run_id: runId,
      metrics: (batch.metrics ?? []).map((m) => ({ key: m.key, value: wireDouble(m.value), step: m.step, timestamp: m.timestamp.getTime() })),
      params: batch.params ?? [],
      tags: batch.tags ?? [],
    })
  }

  /**
   * Writes pass through. MLflow has no transactions across calls: a run
   * created with params is `runs/create` then one `log-batch`, and tags on
   * an experiment are one call per tag.
   */
  private createWriter(): TrackingWriter {
    return {
      createExperiment: async (input: CreateExperimentInput) => {
        const { experiment_id } = createExperimentResponse.parse(await this.client.post('experiments/create', { name: input.name, tags: input.tags, ...(input.artifactLocation !== null && { artifact_location: input.artifactLocation }) }))
        const experiment = await this.getExperiment(experiment_id)
        if (!experiment) throw new GatewayError('BACKEND_UNAVAILABLE', `backend "${this.id}" lost experiment ${experiment_id}`, { backend: this.id })
        return experiment
      },
      setExperimentTags: async (experimentId, tags) => {
        for (const tag of tags) {
          await this.client.post('experiments/set-experiment-tag', { experiment_id: experimentId, key: tag.key, value: tag.value })
        }
        return this.requireExperiment(experimentId)
      },
      createRun: async (input: CreateRunInput) => {
        const created = getRunResponse.parse(
          await this.client.post('runs/create', {
            experiment_id: input.experimentId,
            run_name: input.name ?? undefined,
            user_id: input.userId ?? undefined,
            start_time: input.startTime.getTime(),
            tags: input.tags,
          }),
        )
        const runId = toRun(this.id, created.run).nativeId
        if (input.params.length > 0) await this.logBatch(runId, { params: input.params })
        if (input.status !== 'RUNNING') await this.client.post('runs/update', { run_id: runId, status: input.status })
        return this.requireRun(runId)
      },
      updateRun: async (runId, patch: UpdateRunInput) => {
        await this.client.post('runs/update', {
          run_id: runId,
          status: patch.status,
          // MLflow cannot clear an end time (null is left out), nor tell cheaply whether the run has one.
          end_time: endTimeAfterUpdate(patch, undefined)?.getTime(),
          run_name: patch.name,
        })
        return this.requireRun(runId)
      },
      deleteRun: async (runId) => {
        await this.client.post('runs/delete', { run_id: runId })
        return this.requireRun(runId)
      },
      restoreRun: async (runId) => {
        await this.client.post('runs/restore', { run_id: runId })
        return this.requireRun(runId)
      },
      logMetrics: async (runId, metrics) => {
        for (let i = 0; i < metrics.length; i += LIMITS.metricsPerBatch) {
          await this.logBatch(runId, { metrics: metrics.slice(i, i + LIMITS.metricsPerBatch) })
        }
      },
      logParams: (runId, params) => this.logBatch(runId, { params }),
      setRunTags: (runId, tags) => this.logBatch(runId, { tags }),
      deleteRunTag: async (runId, key) => {
        await this.client.post('runs/delete-tag', { run_id: runId, key })
      },
      logBatch: (runId, batch) => this.logBatch(runId, batch),
      deleteExperimentTag: async (experimentId, key) => {
        await this.client.post('experiments/delete-experiment-tag', { experiment_id: experimentId, key })
        return this.requireExperiment(experimentId)
      },
      renameExperiment: async (experimentId, name) => {
        await this.client.post('experiments/update', { experiment_id: experimentId, new_name: name })
        return this.requireExperiment(experimentId)
      },
      deleteExperiment: async (experimentId) => {
        await this.client.post('experiments/delete', { experiment_id: experimentId })
        return this.requireExperiment(experimentId)
      },
      restoreExperiment: async (experimentId) => {
        await this.client.post('experiments/restore', { experiment_id: experimentId })
        return this.requireExperiment(experimentId)
      },
      logInputs: async (runId, inputs, models) => {
        await this.client.post('runs/log-inputs', {
          run_id: runId,
          datasets: inputs.map(datasetInputToWire),
          models: models.map((model) => ({ model_id: model.modelId })),
        })
      },
    }
  }
}

/** MLflow run ids are hex strings; anything else names no run (and must not reach a filter string). */
function isRunId(id: string): boolean {
  return /^[0-9a-fA-F-]{1,64}$/.test(id)
}
