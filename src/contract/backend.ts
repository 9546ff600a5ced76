import type {
  ApprovalStatus,
  BackendKind,
  DatasetInput,
  DatasetSummary,
  Experiment,
  KeyValue,
  LinkedMetric,
  LoggedModel,
  LoggedModelStatus,
  MetricPoint,
  MetricSeries,
  MetricWrite,
  ModelInput,
  ModelOutput,
  ModelStage,
  ModelVersion,
  RegisteredModel,
  Run,
  RunStatus,
} from '../domain.js'
import type { IdentityStore } from './identity-store.js'
import type { AutomationStore } from './automation-store.js'
import type { Page, PageRequest } from './page.js'
import type { AuditLog } from './audit-log.js'
import type { ExperimentFilter, LifecycleView, ModelVersionFilter, RegisteredModelFilter, RunFilter } from './filter.js'

/**
 * The contract every adapter implements. The federation layer reads which
 * parts a backend has (`tracking`, `writer`, `modelRegistry`, ...) and its
 * `capabilities`, never its `kind`, to decide what it may ask.
 */
export interface Capabilities {
  /** Can sort runs by a metric's latest value. */
  orderByMetric: boolean
  /** How new metric points become visible: pushed by the store, polled, or not at all. */
  liveMetrics: 'push' | 'poll' | 'none'
  /** The gateway's own store: writes that name no backend go to the first one that is. */
  ownStore: boolean
  /**
   * Its model versions are model packages named by ARN, which versions on
   * other registries may carry in a `sagemaker.model_package_arn` tag (lineage's SAME_MODEL).
   */
  packageArns: boolean
}

export type { Page, PageRequest } from './page.js'

export const RUN_ORDER_FIELDS = ['startTime', 'endTime', 'name', 'status', 'metric', 'param', 'tag'] as const
export type RunOrderField = (typeof RUN_ORDER_FIELDS)[number]
/** The orders by a metric's, param's or tag's value, which name their key. */
export const KEYED_RUN_ORDER_FIELDS: ReadonlySet<RunOrderField> = new Set(['metric', 'param', 'tag'])
export const SORT_DIRECTIONS = ['asc', 'desc'] as const
export type SortDirection = (typeof SORT_DIRECTIONS)[number]

export interface RunOrder {
  field: RunOrderField
  /** The metric's, param's or tag's key: required when `field` is `metric`, `param` or `tag`. */
  key?: string
  direction: SortDirection
}

export interface ExperimentQuery {
  filter: ExperimentFilter
  lifecycle: LifecycleView
}

export interface RunQuery {
  /** Native experiment ids of this backend; null means every experiment. */
  experimentIds: string[] | null
  filter: RunFilter
  lifecycle: LifecycleView
  /**
   * Most significant first, already ending in the tie-breakers the
   * federation layer adds (start time, newest first); the adapter adds only
   * the final one, run id ascending. See federation/ordering.ts.
   */
  orderBy: RunOrder[]
}

export interface MetricHistoryQuery {
  runId: string
  key: string
  /** Reduce longer series to at most this many shape-keeping points. */
  maxPoints: number
  minStep: number | null
  maxStep: number | null
}

/** What a backend can push down of a filter; the gateway evaluates the residual on what it returns. */
export interface FilterPlan<F> {
  pushed: F
  residual: F
}

export interface TrackingReader {
  /** Splits a run filter into what this backend evaluates and what the gateway must. */
  planRunFilter(filter: RunFilter): FilterPlan<RunFilter>
  planExperimentFilter(filter: ExperimentFilter): FilterPlan<ExperimentFilter>
  listExperiments(query: ExperimentQuery, page: PageRequest): Promise<Page<Experiment>>
  /** Counts what `listExperiments` would list; null when the backend cannot count cheaply. */
  countExperiments(query: ExperimentQuery): Promise<number | null>
  /** Batch lookup: one result per id, in order, null where missing. */
  getExperiments(ids: readonly string[]): Promise<(Experiment | null)[]>
  listRuns(query: RunQuery, page: PageRequest): Promise<Page<Run>>
  countRuns(query: RunQuery): Promise<number | null>
  getRuns(ids: readonly string[]): Promise<(Run | null)[]>
  /** One series per query, in order (a series with no points is empty); a backend that can reads them together. */
  metricHistories(queries: readonly MetricHistoryQuery[]): Promise<MetricSeries[]>
  /** The distinct datasets (name, digest, context) the runs of these experiments used, at most DATASET_SUMMARIES_LIMIT. */
  datasetSummaries(experimentIds: readonly string[]): Promise<DatasetSummary[]>
}

/** MLflow's cap on dataset summaries (its SQL store's MAX_DATASET_SUMMARIES_RESULTS). */
export const DATASET_SUMMARIES_LIMIT = 1000

export interface CreateExperimentInput {
  name: string
  tags: KeyValue[]
  /** Where its runs' artifacts go (an MLflow URI); null: the backend's default place. */
  artifactLocation: string | null
}

export interface CreateRunInput {
  experimentId: string
  name: string | null
  /** MLflow's `user_id`; null: none named. */
  userId: string | null
  status: RunStatus
  startTime: Date
  tags: KeyValue[]
  params: KeyValue[]
}

export interface UpdateRunInput {
  status?: RunStatus
  endTime?: Date | null
  name?: string
  /**
   * False: a move to a finished status without `endTime` leaves the end time
   * as it is (MLflow's runs/update); true or absent: it stamps now, when the
   * run has none (see run-end-time.ts).
   */
  stampEndTime?: boolean
}

/** MLflow's log-batch: metrics, params and tags of one run, written together. */
export interface RunBatch {
  metrics: MetricWrite[]
  params: KeyValue[]
  tags: KeyValue[]
}

/** Writes. Every call is atomic: it applies whole or not at all. */
export interface TrackingWriter {
  createExperiment(input: CreateExperimentInput): Promise<Experiment>
  setExperimentTags(experimentId: string, tags: KeyValue[]): Promise<Experiment>
  deleteExperimentTag(experimentId: string, key: string): Promise<Experiment>
  renameExperiment(experimentId: string, name: string): Promise<Experiment>
  /** Marks the experiment and its runs deleted (MLflow's soft delete); `restoreExperiment` undoes it. */
  deleteExperiment(experimentId: string): Promise<Experiment>
  restoreExperiment(experimentId: string): Promise<Experiment>
  createRun(input: CreateRunInput): Promise<Run>
  updateRun(runId: string, patch: UpdateRunInput): Promise<Run>
  deleteRun(runId: string): Promise<Run>
  restoreRun(runId: string): Promise<Run>
  logMetrics(runId: string, metrics: MetricWrite[]): Promise<void>
  /** Params are write-once: a different value for a logged key is a CONFLICT. */
  logParams(runId: string, params: KeyValue[]): Promise<void>
  setRunTags(runId: string, tags: KeyValue[]): Promise<void>
  deleteRunTag(runId: string, key: string): Promise<void>
  /** Metrics, params and tags in one atomic write; a param conflict writes nothing. */
  logBatch(runId: string, batch: RunBatch): Promise<void>
  /** Records datasets and logged models the run used (MLflow's log-inputs), in one write; a dataset the run already lists keeps its first input. */
  logInputs(runId: string, inputs: DatasetInput[], models: ModelInput[]): Promise<void>
}

/** New points of one metric of one run, as one write committed them. */
export interface MetricBatch {
  runId: string
  key: string
  points: MetricPoint[]
  /** Increases with every batch of the run; batches arrive in this order. */
  order: number
  /** Where a subscriber resumes after this batch (opaque to everyone but the backend). */
  position: string
}

/** Live metric points. Positions are per run; a backend defines what they mean. */
export interface LiveMetrics {
  /** Resolves once the backend is listening for new points (call after `watch`). */
  ready(): Promise<void>
  /** Batches after `position` (exclusive), oldest first, read from the store; `keys` null means all. */
  replay(runId: string, keys: readonly string[] | null, position: string): Promise<MetricBatch[]>
  /** The position now: resuming from it yields only what comes later. */
  currentPosition(runId: string): Promise<string>
  /** Calls `listener` with each commit's batches for the run until the returned function is called. */
  watch(runId: string, listener: (batches: MetricBatch[]) => void): () => void
  /** Calls `listener` for each change to a run of the experiment until the returned function is called. */
  watchRuns(experimentId: string, listener: (event: RunEvent) => void): () => void
  /** How many listeners are watching runs or experiments right now. */
  watcherCount(): number
}

export const RUN_EVENT_KINDS = ['CREATED', 'UPDATED', 'FINISHED', 'DELETED'] as const
export type RunEventKind = (typeof RUN_EVENT_KINDS)[number]

export interface RunEvent {
  kind: RunEventKind
  runId: string
}

export interface RegisteredModelQuery {
  filter: RegisteredModelFilter
}

export interface ModelVersionQuery {
  /** Native ids of this backend's registered models; null means every model. */
  modelIds: string[] | null
  filter: ModelVersionFilter
}

/**
 * Registered models list by name (ascending, by UTF-16 code units);
 * versions by model name ascending, then version number descending. Both
 * orders are total within a backend; the federation layer breaks ties
 * between backends by global id (see federation/ordering.ts).
 */
export interface ModelRegistryReader {
  planModelFilter(filter: RegisteredModelFilter): FilterPlan<RegisteredModelFilter>
  planVersionFilter(filter: ModelVersionFilter): FilterPlan<ModelVersionFilter>
  listRegisteredModels(query: RegisteredModelQuery, page: PageRequest): Promise<Page<RegisteredModel>>
  countRegisteredModels(query: RegisteredModelQuery): Promise<number | null>
  getRegisteredModels(ids: readonly string[]): Promise<(RegisteredModel | null)[]>
  listModelVersions(query: ModelVersionQuery, page: PageRequest): Promise<Page<ModelVersion>>
  countModelVersions(query: ModelVersionQuery): Promise<number | null>
  getModelVersions(ids: readonly string[]): Promise<(ModelVersion | null)[]>
  /** The newest version in each stage (each approval status on SageMaker) of one model. */
  latestVersions(modelId: string): Promise<ModelVersion[]>
}

export interface CreateRegisteredModelInput {
  name: string
  description: string | null
  tags: KeyValue[]
}

export interface CreateModelVersionInput {
  modelId: string
  source: string
  runId: string | null
  description: string | null
  tags: KeyValue[]
  /** What a registry of deployable packages (SageMaker) needs beside: refused there without it, not used elsewhere. */
  package?: PackageSpec
}

/** A deployable package's inference container, where its model files are, and the approval it starts with. */
export interface PackageSpec {
  image: string
  environment: Record<string, string>
  framework: string | null
  /** The model's files in S3 (`s3://...`); null when they are elsewhere. */
  modelDataUrl: string | null
  approval: ApprovalStatus
}

/**
 * Registry writes. A backend that cannot honour one (a stage on SageMaker,
 * an approval on MLflow) throws UNSUPPORTED naming itself.
 */
export interface ModelRegistryWriter {
  createRegisteredModel(input: CreateRegisteredModelInput): Promise<RegisteredModel>
  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion>
  /** With `archiveExisting`, the model's other versions in `stage` move to ARCHIVED in the same transaction. */
  transitionModelVersion(versionId: string, stage: ModelStage, archiveExisting: boolean): Promise<ModelVersion>
  setModelVersionApproval(versionId: string, status: ApprovalStatus, description: string | null): Promise<ModelVersion>
  setModelAlias(modelId: string, alias: string, versionId: string): Promise<RegisteredModel>
  deleteModelAlias(modelId: string, alias: string): Promise<RegisteredModel>
  setRegisteredModelTags(modelId: string, tags: KeyValue[]): Promise<RegisteredModel>
  setModelVersionTags(versionId: string, tags: KeyValue[]): Promise<ModelVersion>
  deleteRegisteredModelTag(modelId: string, key: string): Promise<RegisteredModel>
  deleteModelVersionTag(versionId: string, key: string): Promise<ModelVersion>
  updateRegisteredModel(modelId: string, patch: { description: string | null }): Promise<RegisteredModel>
  updateModelVersion(versionId: string, patch: { description: string | null }): Promise<ModelVersion>
  /** Renames the model; its versions and aliases follow (their ids change with it). */
  renameRegisteredModel(modelId: string, newName: string): Promise<RegisteredModel>
  /** Deletes the model with its versions, tags and aliases. */
  deleteRegisteredModel(modelId: string): Promise<void>
  deleteModelVersion(versionId: string): Promise<void>
}

export const MODEL_VERSION_EVENT_KINDS = ['CREATED', 'STAGE_CHANGED', 'APPROVAL_CHANGED', 'STATUS_CHANGED', 'ALIAS_CHANGED'] as const
export type ModelVersionEventKind = (typeof MODEL_VERSION_EVENT_KINDS)[number]

export interface ModelVersionEvent {
  kind: ModelVersionEventKind
  /** The version's native id. */
  versionId: string
}

/** Changes to registered models' versions, as they are noticed. */
export interface ModelVersionEvents {
  /** Calls `listener` for each change to a version of `modelId` (null: of every model) until the returned function is called. */
  watch(modelId: string | null, listener: (event: ModelVersionEvent) => void): () => void
  /** How many watches are in place and reporting (their starting state read). */
  watcherCount(): number
  close(): void
}

export interface CreateLoggedModelInput {
  experimentId: string
  name: string | null
  sourceRunId: string | null
  modelType: string | null
  tags: KeyValue[]
  params: KeyValue[]
}

/** MLflow 3's logged models: what `mlflow.<flavor>.log_model` creates before uploading the model's files. */
export interface LoggedModelStore {
  create(input: CreateLoggedModelInput): Promise<LoggedModel>
  /** Batch lookup: one result per id, in order, null where missing. */
  getMany(ids: readonly string[]): Promise<(LoggedModel | null)[]>
  /** Newest first. */
  list(experimentIds: readonly string[], page: PageRequest): Promise<Page<LoggedModel>>
  finalize(id: string, status: LoggedModelStatus): Promise<LoggedModel>
  setTags(id: string, tags: KeyValue[]): Promise<LoggedModel>
  deleteTag(id: string, key: string): Promise<LoggedModel>
  logParams(id: string, params: KeyValue[]): Promise<LoggedModel>
  delete(id: string): Promise<void>
  /** Records models a run produced. */
  logOutputs(runId: string, outputs: ModelOutput[]): Promise<void>
  /** Links metric points a run logged to the model. */
  linkMetrics(modelId: string, runId: string, metrics: LinkedMetric[]): Promise<void>
}

export interface Backend {
  readonly id: string
  readonly kind: BackendKind
  readonly capabilities: Capabilities
  /** Null when the backend keeps no experiments or runs (SageMaker Model Registry). */
  readonly tracking: TrackingReader | null
  /** Null when the backend is read-only or keeps no runs. */
  readonly writer: TrackingWriter | null
  /** Null when the backend has no model registry. */
  readonly modelRegistry: ModelRegistryReader | null
  /** Null when the registry is read-only. */
  readonly modelRegistryWriter: ModelRegistryWriter | null
  /** Null when the backend has no model registry. */
  readonly modelEvents: ModelVersionEvents | null
  /** Null when the backend cannot stream new metric points. */
  readonly live: LiveMetrics | null
  /** Null when the backend keeps no logged models (only the native store does, for the MLflow API). */
  readonly loggedModels: LoggedModelStore | null
  /** The gateway's users and API tokens; null but on the native store. */
  readonly identities: IdentityStore | null
  /** The audit trail; null but on the native store. */
  readonly auditLog: AuditLog | null
  /** Webhooks, the shared outbox and the registry sync's links; null but on the native store. */
  readonly automation: AutomationStore | null
  /** Resolves when the backend answers a trivial request; rejects with a GatewayError otherwise. */
  ping(): Promise<void>
  /** A database-backed backend's connections in use and waiting (for /metrics); absent elsewhere. */
  poolStats?(): { inUse: number; waiting: number }
  close(): Promise<void>
}
