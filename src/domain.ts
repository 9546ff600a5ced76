/**
 * Normalized records every adapter returns. Adapters map their wire shapes
 * into these; resolvers read only these. Times are `Date`s; metric values are
 * plain JS numbers, where NaN and ±Infinity are ordinary values.
 */

export const BACKEND_KINDS = ['native', 'mlflow', 'sagemaker'] as const
export type BackendKind = (typeof BACKEND_KINDS)[number]

export const LIFECYCLE_STAGES = ['active', 'deleted'] as const
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number]

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** Statuses after which a run no longer changes; entering one stamps `endTime`. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['FINISHED', 'FAILED', 'KILLED']

/** The tag MLflow uses to link a nested run to its parent; the native store follows it. */
export const PARENT_RUN_TAG = 'mlflow.parentRunId'

/**
 * Every record says what it is (`recordType`, the GraphQL type's name), so
 * a field that can hold several kinds (a Node, a lineage node) tells them
 * apart by that, not by which fields happen to be present.
 */
export const RECORD_TYPES = ['Experiment', 'Run', 'LoggedModel', 'RegisteredModel', 'ModelVersion', 'Dataset', 'UnresolvedRef'] as const
export type RecordType = (typeof RECORD_TYPES)[number]

const isRecordOf =
  <T extends { recordType: RecordType }>(type: T['recordType']) =>
  (record: unknown): record is T =>
    typeof record === 'object' && record !== null && (record as { recordType?: unknown }).recordType === type

export type Tags = Record<string, string>
export type Params = Record<string, string>

export interface Experiment {
  recordType: 'Experiment'
  backendId: string
  nativeId: string
  name: string
  lifecycleStage: LifecycleStage
  artifactLocation: string | null
  tags: Tags
  createdAt: Date
  updatedAt: Date
}

export interface MetricPoint {
  step: number
  timestamp: Date
  value: number
}

/** The latest value of one metric of a run (highest step, then latest timestamp). */
export interface LatestMetric extends MetricPoint {
  key: string
}

/** A dataset as MLflow describes one: its name and content digest identify it. */
export interface Dataset {
  name: string
  digest: string
  sourceType: string | null
  /** Where the data lives, as the logging client wrote it (often JSON such as {"uri": "s3://..."}). */
  source: string | null
  schema: string | null
  profile: string | null
}

/** A dataset a run used, and how (MLflow's `mlflow.data.context` tag: training, evaluation, ...). */
/** The input tag MLflow records a dataset's role under. */
export const DATASET_CONTEXT_TAG = 'mlflow.data.context'

export interface DatasetInput {
  dataset: Dataset
  /** Every tag of the input, as the logging client wrote them; its role is `mlflow.data.context` (see datasetContextOf). */
  tags: Tags
}

export function datasetContextOf(input: DatasetInput): string | null {
  return input.tags[DATASET_CONTEXT_TAG] ?? null
}

/** One dataset an experiment's runs used, in one role (MLflow's search-datasets summaries). */
export interface DatasetSummary {
  experimentNativeId: string
  name: string
  digest: string
  /** The inputs' `mlflow.data.context` tag; null where they have none. */
  context: string | null
}

/** A logged model a run used as an input (MLflow 3's log-inputs `models`). */
export interface ModelInput {
  modelId: string
}

export interface Run {
  recordType: 'Run'
  backendId: string
  nativeId: string
  experimentNativeId: string
  name: string
  status: RunStatus
  lifecycleStage: LifecycleStage
  startTime: Date | null
  endTime: Date | null
  artifactUri: string | null
  /** The user the run belongs to (MLflow's `user_id`); '' when its creator named none. */
  userId: string
  params: Params
  tags: Tags
  metrics: LatestMetric[]
  /** Datasets logged as inputs (MLflow's log-inputs). */
  datasets: DatasetInput[]
  /** Logged models the run used (MLflow 3's log-inputs `models`), by id. */
  modelInputs: ModelInput[]
  /** Logged models the run produced (MLflow 3's log-outputs), oldest first. */
  modelOutputs: ModelOutput[]
}

/** A logged model a run produced, and at which step. */
export interface ModelOutput {
  modelId: string
  step: number
}

// MLflow 3's logged models: a model's artifacts and metadata, before (or without) registration.

export const LOGGED_MODEL_STATUSES = ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'] as const
export type LoggedModelStatus = (typeof LOGGED_MODEL_STATUSES)[number]

export interface LoggedModel {
  recordType: 'LoggedModel'
  backendId: string
  /** `m-` and 32 hex characters, as MLflow makes them. */
  nativeId: string
  experimentNativeId: string
  name: string
  sourceRunId: string | null
  status: LoggedModelStatus
  statusMessage: string | null
  modelType: string | null
  artifactLocation: string
  lifecycleStage: LifecycleStage
  tags: Tags
  params: Params
  /** Metric points logged against the model (MLflow links them when a run logs them after the model). */
  metrics: (LinkedMetric & { runId: string })[]
  createdAt: Date
  updatedAt: Date
}

export interface MetricSeries {
  key: string
  points: MetricPoint[]
  /** Points in the requested step range before any downsampling. */
  totalPoints: number
  /** True when `points` is a shape-keeping reduction of a longer series. */
  sampled: boolean
}

/** A metric point linked to a logged model, with the dataset it was computed on (MLflow's `dataset_name`, `dataset_digest`). */
export interface LinkedMetric extends MetricWrite {
  datasetName: string | null
  datasetDigest: string | null
}

/** One metric point as written by a client. */
export interface MetricWrite {
  key: string
  value: number
  step: number
  timestamp: Date
}

export interface KeyValue {
  key: string
  value: string
}

export const isRun = isRecordOf<Run>('Run')
export const isExperiment = isRecordOf<Experiment>('Experiment')

// The model registry.

/** MLflow's stages; the native registry uses them too. */
export const MODEL_STAGES = ['NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED'] as const
export type ModelStage = (typeof MODEL_STAGES)[number]

/** SageMaker Model Registry's approval states. */
export const APPROVAL_STATUSES = ['PENDING_MANUAL_APPROVAL', 'APPROVED', 'REJECTED'] as const
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number]

/** One vocabulary for where a version stands, whatever the backend calls it. */
export const PROMOTIONS = ['NONE', 'CANDIDATE', 'PRODUCTION', 'RETIRED'] as const
export type Promotion = (typeof PROMOTIONS)[number]

export const PROMOTION_OF_STAGE: Record<ModelStage, Promotion> = {
  NONE: 'NONE',
  STAGING: 'CANDIDATE',
  PRODUCTION: 'PRODUCTION',
  ARCHIVED: 'RETIRED',
}

export const PROMOTION_OF_APPROVAL: Record<ApprovalStatus, Promotion> = {
  PENDING_MANUAL_APPROVAL: 'CANDIDATE',
  APPROVED: 'PRODUCTION',
  REJECTED: 'RETIRED',
}

/** What each promotion is written as: a stage on MLflow and the native store, ... */
export const STAGE_OF_PROMOTION: Record<Promotion, ModelStage> = {
  NONE: 'NONE',
  CANDIDATE: 'STAGING',
  PRODUCTION: 'PRODUCTION',
  RETIRED: 'ARCHIVED',
}

/** ... and an approval status on SageMaker, which has none for NONE (every package has a status). */
export const APPROVAL_OF_PROMOTION: Record<Promotion, ApprovalStatus | null> = {
  NONE: null,
  CANDIDATE: 'PENDING_MANUAL_APPROVAL',
  PRODUCTION: 'APPROVED',
  RETIRED: 'REJECTED',
}

export interface ModelAlias {
  alias: string
  /** The version number the alias points at. */
  version: number
  /** That version's native id. */
  versionNativeId: string
}

export interface RegisteredModel {
  recordType: 'RegisteredModel'
  backendId: string
  /** The model's name on MLflow and the native store; the model package group's name on SageMaker. */
  nativeId: string
  name: string
  description: string | null
  tags: Tags
  aliases: ModelAlias[]
  createdAt: Date
  updatedAt: Date
}

/** What SageMaker keeps about a model package beyond the common fields. */
export interface ModelPackageDetails {
  metadata: { commitId: string | null; repository: string | null; generatedBy: string | null; projectId: string | null }
  containers: { image: string | null; modelDataUrl: string | null }[]
  /** ModelMetrics reports: which kind (e.g. `ModelQuality.Statistics`) and where the report lives. */
  modelMetrics: { kind: string; contentType: string | null; s3Uri: string }[]
}

export interface ModelVersion {
  recordType: 'ModelVersion'
  backendId: string
  /** `<model name>/<version>` on MLflow and the native store; the model package ARN on SageMaker. */
  nativeId: string
  modelNativeId: string
  version: number
  /** MLflow's and the native store's state; null on SageMaker. */
  stage: ModelStage | null
  /** SageMaker's state; null elsewhere. */
  approvalStatus: ApprovalStatus | null
  /** The backend's own status word (MLflow: READY…, SageMaker: Completed…). */
  status: string | null
  source: string | null
  runId: string | null
  description: string | null
  tags: Tags
  /** Null when the backend's answer left them out (MLflow's version search): they are then read from the model. */
  aliases: string[] | null
  createdAt: Date
  updatedAt: Date
  /** SageMaker's package metadata; null elsewhere. */
  packageDetails: ModelPackageDetails | null
}

export function promotionOf(version: Pick<ModelVersion, 'stage' | 'approvalStatus'>): Promotion {
  if (version.approvalStatus) return PROMOTION_OF_APPROVAL[version.approvalStatus]
  return PROMOTION_OF_STAGE[version.stage ?? 'NONE']
}

export const isRegisteredModel = isRecordOf<RegisteredModel>('RegisteredModel')
export const isModelVersion = isRecordOf<ModelVersion>('ModelVersion')

// Lineage.

/** The tag SageMaker's automatic registration of MLflow models writes on the MLflow version. */
export const SAGEMAKER_PACKAGE_TAG = 'sagemaker.model_package_arn'
/** The CustomerMetadataProperty of a SageMaker package that names the MLflow run that produced it. */
export const MLFLOW_RUN_ID_PROPERTY = 'mlflow.run_id'

/** A dataset as a node of a lineage graph: seen on a backend, named by digest and name. */
export interface DatasetNode {
  recordType: 'Dataset'
  backendId: string
  /** `<digest>/<name>`. */
  nativeId: string
  dataset: Dataset
}

/** A link that leads nowhere: the reference, and why it could not be followed. */
export interface UnresolvedRef {
  recordType: 'UnresolvedRef'
  /** The backend of the record that made the reference. */
  backendId: string
  nativeId: string
  uri: string
  reason: string
}

export const isDatasetNode = isRecordOf<DatasetNode>('Dataset')

/** A dataset seen on a backend, as a lineage node: its id is `<digest>/<name>`. */
export function datasetNode(backendId: string, dataset: Dataset): DatasetNode {
  return { recordType: 'Dataset', backendId, nativeId: `${dataset.digest}/${dataset.name}`, dataset }
}
export const isUnresolvedRef = isRecordOf<UnresolvedRef>('UnresolvedRef')
