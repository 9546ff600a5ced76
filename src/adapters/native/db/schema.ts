import type { ColumnType, Generated } from 'kysely'
import type { LifecycleStage, LoggedModelStatus, ModelStage, RunStatus } from '../../../domain.js'

/**
 * The native store's tables: the one source of their types. Times are
 * milliseconds since the epoch in `int8` (MLflow's convention, and cheap to
 * index); both drivers are configured to return `int8` as a JS number.
 */
type Millis = ColumnType<number, number, number>

export interface ExperimentTable {
  id: Generated<number>
  name: string
  lifecycle_stage: ColumnType<LifecycleStage, LifecycleStage | undefined, LifecycleStage>
  artifact_location: string | null
  created_at: Millis
  updated_at: Millis
}

export interface ExperimentTagTable {
  experiment_id: number
  key: string
  value: string
}

export interface RunTable {
  /** 32 lowercase hex characters, like MLflow's run ids. */
  id: string
  experiment_id: number
  name: string
  status: RunStatus
  lifecycle_stage: ColumnType<LifecycleStage, LifecycleStage | undefined, LifecycleStage>
  start_time: Millis | null
  end_time: Millis | null
  artifact_uri: string | null
  /** MLflow's `user_id`: '' when the creator named none. */
  user_id: ColumnType<string, string | undefined, string>
}

/** Datasets, one row per (name, digest), shared by the runs that use them. */
export interface DatasetTable {
  id: Generated<number>
  name: string
  digest: string
  source_type: string | null
  source: string | null
  schema: string | null
  profile: string | null
}

export interface RunInputTable {
  run_id: string
  dataset_id: number
  /** Superseded by `tags` (its `mlflow.data.context`); kept for older readers. */
  context: string | null
  /** Every tag of the input, JSON. */
  tags: ColumnType<Record<string, string>, string | undefined, string>
}

/** Logged models a run used as inputs (MLflow 3's log-inputs `models`). */
export interface RunModelInputTable {
  run_id: string
  model_id: string
}

export interface RunParamTable {
  run_id: string
  key: string
  value: string
}

export interface RunTagTable {
  run_id: string
  key: string
  value: string
}

/** Every point ever logged: the full history, and the log live subscribers read by `seq`. */
export interface MetricTable {
  seq: Generated<number>
  run_id: string
  key: string
  step: number
  timestamp: Millis
  value: number
}

/** The latest point per (run, key): what run lists show, filter and sort by. */
export interface LatestMetricTable {
  run_id: string
  key: string
  step: number
  timestamp: Millis
  value: number
}

/**
 * Min/max summaries of fixed-width step buckets, maintained at write time for
 * a small pyramid of widths (see `metric-rollups.ts`), so a downsampled
 * history of a long series reads a few thousand rows instead of scanning it.
 */
export interface MetricRollupTable {
  run_id: string
  key: string
  width: number
  bucket: number
  count: number
  min_step: number
  min_timestamp: Millis
  min_value: number
  max_step: number
  max_timestamp: Millis
  max_value: number
}

/** A registered model; its name is its id, as in MLflow. */
export interface RegisteredModelTable {
  name: string
  description: string | null
  created_at: Millis
  updated_at: Millis
}

export interface RegisteredModelTagTable {
  model_name: string
  key: string
  value: string
}

/** Versions number from 1 within their model. */
export interface ModelVersionTable {
  model_name: string
  version: number
  stage: ColumnType<ModelStage, ModelStage | undefined, ModelStage>
  status: ColumnType<string, string | undefined, string>
  source: string
  /** The producing run's id as the client gave it; it may live on another backend. */
  run_id: string | null
  description: string | null
  created_at: Millis
  updated_at: Millis
}

export interface ModelVersionTagTable {
  model_name: string
  version: number
  key: string
  value: string
}

export interface ModelAliasTable {
  model_name: string
  alias: string
  version: number
}

/** MLflow 3's logged models; ids are `m-` and 32 hex characters. */
export interface LoggedModelTable {
  id: string
  experiment_id: number
  name: string
  source_run_id: string | null
  status: LoggedModelStatus
  status_message: string | null
  model_type: string | null
  artifact_location: string
  lifecycle_stage: ColumnType<LifecycleStage, LifecycleStage | undefined, LifecycleStage>
  created_at: Millis
  updated_at: Millis
}

export interface LoggedModelKeyValueTable {
  model_id: string
  key: string
  value: string
}

export interface LoggedModelMetricTable {
  model_id: string
  run_id: string
  key: string
  step: number
  timestamp: Millis
  value: number
  dataset_name: string | null
  dataset_digest: string | null
}

/** Models a run produced (MLflow's log-outputs). */
export interface RunOutputTable {
  run_id: string
  model_id: string
  step: number
}

export interface AuthUserTable {
  id: Generated<number>
  username: string
  password_hash: string | null
  is_admin: ColumnType<boolean, boolean | undefined, boolean>
  created_at: Millis
}

export interface AuthTokenTable {
  id: string
  user_id: number
  name: string
  secret_hash: string
  created_at: Millis
  expires_at: number | null
  last_used_at: ColumnType<number | null, number | null | undefined, number | null>
  revoked_at: ColumnType<number | null, number | null | undefined, number | null>
}

export interface AuthRoleTable {
  id: Generated<number>
  name: string
  workspace: string
  description: string | null
}

export interface AuthRolePermissionTable {
  id: Generated<number>
  role_id: number
  resource_type: string
  resource_pattern: string
  permission: string
}

export interface AuthUserRoleTable {
  id: Generated<number>
  user_id: number
  role_id: number
}

export interface AuditEventTable {
  id: Generated<number>
  at: Millis
  actor: string
  door: string
  operation: string
  record_type: string
  backend_id: string | null
  record_id: string | null
  summary: ColumnType<Record<string, unknown>, string, never>
  result: string
}

export interface Database {
  experiments: ExperimentTable
  experiment_tags: ExperimentTagTable
  runs: RunTable
  run_params: RunParamTable
  run_tags: RunTagTable
  metrics: MetricTable
  latest_metrics: LatestMetricTable
  metric_rollups: MetricRollupTable
  registered_models: RegisteredModelTable
  registered_model_tags: RegisteredModelTagTable
  model_versions: ModelVersionTable
  model_version_tags: ModelVersionTagTable
  model_aliases: ModelAliasTable
  datasets: DatasetTable
  run_inputs: RunInputTable
  logged_models: LoggedModelTable
  logged_model_tags: LoggedModelKeyValueTable
  logged_model_params: LoggedModelKeyValueTable
  logged_model_metrics: LoggedModelMetricTable
  run_outputs: RunOutputTable
  run_model_inputs: RunModelInputTable
  auth_users: AuthUserTable
  auth_tokens: AuthTokenTable
  auth_roles: AuthRoleTable
  auth_role_permissions: AuthRolePermissionTable
  auth_user_roles: AuthUserRoleTable
  audit_events: AuditEventTable
  webhooks: WebhookTable
  outbox: OutboxTable
  registry_sync_links: RegistrySyncLinkTable
}

export interface WebhookTable {
  id: string
  name: string
  description: string | null
  url: string
  events: string[]
  encrypted_secret: string | null
  status: string
  created_at: Millis
  updated_at: Millis
}

export interface OutboxTable {
  id: Generated<number>
  topic: string
  ordering_key: string
  dedupe_key: string | null
  /** JSON text in, parsed JSON out. */
  payload: ColumnType<unknown, string, string>
  state: ColumnType<string, string | undefined, string>
  attempts: ColumnType<number, number | undefined, number>
  next_attempt_at: Millis
  leased_until: Millis | null
  last_status: number | null
  last_error: string | null
  created_at: Millis
  finished_at: Millis | null
}

export interface RegistrySyncLinkTable {
  rule: string
  source_backend: string
  source_version: string
  target_backend: string
  target_version: string
  source_promotion: string
  target_promotion: string
  conflict: string | null
  synced_at: Millis
}
