/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** SageMaker Model Registry's approval states. */
export type ApprovalStatus =
  | 'APPROVED'
  | 'PENDING_MANUAL_APPROVAL'
  | 'REJECTED';

export type BackendKind =
  | 'MLFLOW'
  | 'NATIVE'
  | 'SAGEMAKER';

export type BackendState =
  /** Did not answer the last health check. */
  | 'DOWN'
  /** Answered the last health check. */
  | 'UP';

/** The backend's circuit breaker: OPEN fails fast after repeated failures, HALF_OPEN lets one probe through. */
export type CircuitState =
  | 'CLOSED'
  | 'HALF_OPEN'
  | 'OPEN';

export type CreateExperimentInput = {
  /** The backend id; default: the first native backend. */
  backend?: string | number | null | undefined;
  /** Unique among active experiments of the backend. */
  name: string;
  tags?: Array<TagInput> | null | undefined;
};

export type CreateModelVersionInput = {
  description?: string | null | undefined;
  modelId: string | number;
  /** The producing run: its global id, or its own id on the model's backend. */
  runId?: string | null | undefined;
  /** The model's artifact URI. */
  source: string;
  tags?: Array<TagInput> | null | undefined;
};

export type CreateRegisteredModelInput = {
  /** The backend id; default: the first native backend. */
  backend?: string | number | null | undefined;
  description?: string | null | undefined;
  /** Unique within the backend; no "/" or ":". */
  name: string;
  tags?: Array<TagInput> | null | undefined;
};

export type CreateRunInput = {
  experimentId: string | number;
  /** Default: generated from the run id. */
  name?: string | null | undefined;
  params?: Array<ParamInput> | null | undefined;
  /** Default: now. */
  startTime?: string | null | undefined;
  /** Default: RUNNING. */
  status?: RunStatus | null | undefined;
  tags?: Array<TagInput> | null | undefined;
};

export type DatasetInputInput = {
  /** training, evaluation, ... */
  context?: string | null | undefined;
  digest: string;
  name: string;
  profile?: string | null | undefined;
  schema?: string | null | undefined;
  source?: string | null | undefined;
  sourceType?: string | null | undefined;
};

export type ExperimentFilter = {
  lifecycle?: LifecycleFilter | null | undefined;
  name?: StringCondition | null | undefined;
  tags?: Array<KeyCondition> | null | undefined;
};

/** A condition on the param or tag named `key`; runs without that key never match. */
export type KeyCondition = {
  key: string;
  op?: StringOperator | null | undefined;
  value: string;
};

/** Which records a list includes; deleted ones stay restorable and are hidden by default. */
export type LifecycleFilter =
  | 'ACTIVE'
  | 'ALL'
  | 'DELETED';

export type LifecycleStage =
  | 'ACTIVE'
  | 'DELETED';

/** UPSTREAM: toward what a record came from; DOWNSTREAM: toward what came from it; BOTH: either way at every step. */
export type LineageDirection =
  | 'BOTH'
  | 'DOWNSTREAM'
  | 'UPSTREAM';

export type LineageEdgeKind =
  | 'CHILD_OF'
  | 'IN_EXPERIMENT'
  | 'PRODUCED_BY'
  | 'SAME_MODEL'
  | 'USED_DATASET'
  | 'VERSION_OF';

/** A condition on a metric's latest value; runs without that metric never match. */
export type MetricCondition = {
  key: string;
  op: NumberOperator;
  value: number;
};

export type MetricInput = {
  key: string;
  /** Default: 0. */
  step?: number | null | undefined;
  /** Default: now. */
  timestamp?: string | null | undefined;
  value: number | "NaN" | "Infinity" | "-Infinity";
};

/** MLflow's stages (the native registry's too). */
export type ModelStage =
  | 'ARCHIVED'
  | 'NONE'
  | 'PRODUCTION'
  | 'STAGING';

export type ModelVersionEventKind =
  | 'ALIAS_CHANGED'
  | 'APPROVAL_CHANGED'
  | 'CREATED'
  | 'STAGE_CHANGED'
  | 'STATUS_CHANGED';

/** Every condition given must hold (AND). A list condition matches versions whose value is in the list. */
export type ModelVersionFilter = {
  /** Only SageMaker versions have one; others never match. */
  approvalStatus?: Array<ApprovalStatus> | null | undefined;
  modelName?: StringCondition | null | undefined;
  /** Works on every backend: "what is in production, everywhere". */
  promotion?: Array<Promotion> | null | undefined;
  /** The producing run's own id (not its global id). */
  runId?: string | null | undefined;
  source?: StringCondition | null | undefined;
  /** SageMaker versions have no stage and never match. */
  stage?: Array<ModelStage> | null | undefined;
  /** On SageMaker: the package’s CustomerMetadataProperties. */
  tags?: Array<KeyCondition> | null | undefined;
};

export type NumberOperator =
  | 'EQ'
  | 'GT'
  | 'GTE'
  | 'LT'
  | 'LTE'
  | 'NEQ';

/** A param: at most 250 characters of key, 6,000 of value. Params are write-once. */
export type ParamInput = {
  key: string;
  value: string;
};

/** Where a version stands, in one vocabulary for every backend. MLflow and native stages: NONE→NONE, STAGING→CANDIDATE, PRODUCTION→PRODUCTION, ARCHIVED→RETIRED. SageMaker approvals: PENDING_MANUAL_APPROVAL→CANDIDATE, APPROVED→PRODUCTION, REJECTED→RETIRED. */
export type Promotion =
  | 'CANDIDATE'
  | 'NONE'
  | 'PRODUCTION'
  | 'RETIRED';

/** Every condition given must hold (AND). */
export type RegisteredModelFilter = {
  name?: StringCondition | null | undefined;
  tags?: Array<KeyCondition> | null | undefined;
};

export type RunEventKind =
  | 'CREATED'
  | 'DELETED'
  | 'FINISHED'
  | 'UPDATED';

/** Every condition given must hold (AND). */
export type RunFilter = {
  lifecycle?: LifecycleFilter | null | undefined;
  metrics?: Array<MetricCondition> | null | undefined;
  name?: StringCondition | null | undefined;
  params?: Array<KeyCondition> | null | undefined;
  startTime?: TimeRange | null | undefined;
  /** The run has one of these statuses. */
  status?: Array<RunStatus> | null | undefined;
  tags?: Array<KeyCondition> | null | undefined;
};

/** Sort key. Missing values sort last either way; ties are broken by id. METRIC sorts by a metric's latest value, PARAM and TAG by the value as a string (as MLflow orders them). */
export type RunOrder = {
  direction?: SortDirection | null | undefined;
  field: RunOrderField;
  /** The metric, param or tag key: required when field is METRIC, PARAM or TAG. */
  key?: string | null | undefined;
  /**
   * The metric key when field is METRIC.
   * @deprecated Use `key`, which also serves PARAM and TAG.
   */
  metricKey?: string | null | undefined;
};

export type RunOrderField =
  | 'END_TIME'
  | 'METRIC'
  | 'NAME'
  | 'PARAM'
  | 'START_TIME'
  | 'STATUS'
  | 'TAG';

export type RunStatus =
  | 'FAILED'
  | 'FINISHED'
  | 'KILLED'
  | 'RUNNING'
  | 'SCHEDULED';

export type SortDirection =
  | 'ASC'
  | 'DESC';

export type StringCondition = {
  op?: StringOperator | null | undefined;
  value: string;
};

/** LIKE and ILIKE take SQL patterns: % matches any run of characters, _ one character. LIKE is case-sensitive. */
export type StringOperator =
  | 'EQ'
  | 'ILIKE'
  | 'LIKE'
  | 'NEQ';

/** A tag: at most 250 characters of key, 8,000 of value. Setting a tag again replaces its value. */
export type TagInput = {
  key: string;
  value: string;
};

/** From (inclusive) to (exclusive); either end may be open. */
export type TimeRange = {
  from?: string | null | undefined;
  to?: string | null | undefined;
};

/** Moving a run to FINISHED, FAILED or KILLED without an endTime stamps it with now. */
export type UpdateRunInput = {
  endTime?: string | null | undefined;
  id: string | number;
  name?: string | null | undefined;
  status?: RunStatus | null | undefined;
};

/** PENDING: queued or being retried; DONE: the receiver answered 2xx; FAILED: given up (redeliverable). */
export type WebhookDeliveryState =
  | 'DONE'
  | 'FAILED'
  | 'PENDING';

/** What a webhook is told of: MLflow 3's registry events, and mlgate's own from every backend. */
export type WebhookEvent =
  | 'METRIC_THRESHOLD_CROSSED'
  | 'MODEL_VERSION_ALIAS_CREATED'
  | 'MODEL_VERSION_ALIAS_DELETED'
  | 'MODEL_VERSION_CREATED'
  | 'MODEL_VERSION_PROMOTED'
  | 'MODEL_VERSION_TAG_DELETED'
  | 'MODEL_VERSION_TAG_SET'
  | 'REGISTERED_MODEL_CREATED'
  | 'REGISTRY_SYNC_CONFLICT'
  | 'RUN_CREATED'
  | 'RUN_FINISHED';

export type WebhookInput = {
  description?: string | null | undefined;
  events: Array<WebhookEvent>;
  /** Letters, digits, dots, underscores and hyphens; at most 63. */
  name: string;
  /** Signs deliveries; stored encrypted (webhooks.secretKey). */
  secret?: string | null | undefined;
  status?: WebhookStatus | null | undefined;
  /** http(s); private and loopback targets only when webhooks.allowedTargets names them. */
  url: string;
};

export type WebhookPatchInput = {
  description?: string | null | undefined;
  events?: Array<WebhookEvent> | null | undefined;
  name?: string | null | undefined;
  /** '' removes the secret (deliveries go unsigned). */
  secret?: string | null | undefined;
  status?: WebhookStatus | null | undefined;
  url?: string | null | undefined;
};

export type WebhookStatus =
  | 'ACTIVE'
  | 'DISABLED';

export type WebhookFieldsFragment = { id: string, name: string, description: string | null, url: string, events: Array<WebhookEvent>, status: WebhookStatus, signed: boolean, createdAt: string, updatedAt: string };

export type WebhooksQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type WebhooksQuery = { webhooks: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string, description: string | null, url: string, events: Array<WebhookEvent>, status: WebhookStatus, signed: boolean, createdAt: string, updatedAt: string }> } };

export type WebhookDeliveriesQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
}>;


export type WebhookDeliveriesQuery = { webhook: { id: string, deliveries: { nodes: Array<{ id: string, deliveryId: string, event: WebhookEvent, status: WebhookDeliveryState, attempts: number, lastStatus: number | null, lastError: string | null, createdAt: string, finishedAt: string | null, nextAttemptAt: string | null }> } } };

export type CreateWebhookMutationVariables = Exact<{
  input: WebhookInput;
}>;


export type CreateWebhookMutation = { createWebhook: { id: string, name: string, description: string | null, url: string, events: Array<WebhookEvent>, status: WebhookStatus, signed: boolean, createdAt: string, updatedAt: string } };

export type UpdateWebhookMutationVariables = Exact<{
  id: string | number;
  input: WebhookPatchInput;
}>;


export type UpdateWebhookMutation = { updateWebhook: { id: string, name: string, description: string | null, url: string, events: Array<WebhookEvent>, status: WebhookStatus, signed: boolean, createdAt: string, updatedAt: string } };

export type DeleteWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteWebhookMutation = { deleteWebhook: boolean };

export type TestWebhookMutationVariables = Exact<{
  id: string | number;
  event?: WebhookEvent | null | undefined;
}>;


export type TestWebhookMutation = { testWebhook: { success: boolean, responseStatus: number | null, responseBody: string | null, errorMessage: string | null } };

export type RedeliverWebhookDeliveryMutationVariables = Exact<{
  id: string | number;
}>;


export type RedeliverWebhookDeliveryMutation = { redeliverWebhookDelivery: { id: string, status: WebhookDeliveryState, attempts: number } };

export type PromoteModelVersionMutationVariables = Exact<{
  id: string | number;
  to: Promotion;
  archiveExisting?: boolean | null | undefined;
}>;


export type PromoteModelVersionMutation = { promoteModelVersion: { id: string, version: string, stage: ModelStage | null, approvalStatus: ApprovalStatus | null, promotion: Promotion, tags: Array<{ key: string, value: string }> } };

export type RegistrySyncStatusQueryVariables = Exact<{ [key: string]: never; }>;


export type RegistrySyncStatusQuery = { registrySyncStatus: Array<{ rule: string, from: string, to: string, models: string, pending: number, lastError: string | null, lastSyncedAt: string | null, conflicts: number }> };

export type DashboardCompareRunsQueryVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type DashboardCompareRunsQuery = { nodes: Array<
    | { __typename: 'Dataset', id: string }
    | { __typename: 'Experiment', id: string }
    | { __typename: 'ModelVersion', id: string }
    | { __typename: 'RegisteredModel', id: string }
    | { __typename: 'Run', name: string, status: RunStatus, startTime: string | null, id: string, backend: { id: string }, params: Array<{ key: string, value: string }>, metrics: Array<{ key: string }> }
    | { __typename: 'UnresolvedRef', id: string }
   | null> };

export type DashboardSeriesQueryVariables = Exact<{
  ids: Array<string | number> | string | number;
  key: string;
  maxPoints?: number | null | undefined;
  minStep?: number | null | undefined;
  maxStep?: number | null | undefined;
}>;


export type DashboardSeriesQuery = { nodes: Array<
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string, metricHistory: { totalPoints: number, sampled: boolean, steps: Array<number>, values: Array<number | "NaN" | "Infinity" | "-Infinity">, timestamps: Array<string> } }
    | { id: string }
   | null> };

export type DashboardMetricUpdatesSubscriptionVariables = Exact<{
  runIds: Array<string | number> | string | number;
  since?: string | null | undefined;
}>;


export type DashboardMetricUpdatesSubscription = { metricUpdates: { key: string, cursor: string, droppedPoints: number, run: { id: string, status: RunStatus } | null, points: Array<{ step: number, timestamp: string, value: number | "NaN" | "Infinity" | "-Infinity" }> } };

export type DashboardLineageQueryVariables = Exact<{
  id: string | number;
  depth?: number | null | undefined;
}>;


export type DashboardLineageQuery = { lineage: { truncated: boolean, root:
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
    , edges: Array<{ kind: LineageEdgeKind, from: string, to: string, evidence: string }>, nodes: Array<
      | { __typename: 'Dataset', name: string, digest: string, id: string }
      | { __typename: 'Experiment', name: string, id: string }
      | { __typename: 'ModelVersion', version: string, promotion: Promotion, id: string, model: { name: string } | null }
      | { __typename: 'RegisteredModel', name: string, id: string }
      | { __typename: 'Run', name: string, status: RunStatus, id: string }
      | { __typename: 'UnresolvedRef', uri: string, reason: string, id: string }
    > } };

export type DashboardModelVersionsQueryVariables = Exact<{
  backends?: Array<string | number> | string | number | null | undefined;
  filter?: ModelVersionFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type DashboardModelVersionsQuery = { modelVersions: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, version: string, promotion: Promotion, stage: ModelStage | null, approvalStatus: ApprovalStatus | null, createdAt: string, model: { id: string, name: string } | null, backend: { id: string, kind: BackendKind } }> } };

export type DashboardModelVersionQueryVariables = Exact<{
  id: string | number;
}>;


export type DashboardModelVersionQuery = { modelVersion: { id: string, nativeId: string, version: string, promotion: Promotion, stage: ModelStage | null, approvalStatus: ApprovalStatus | null, status: string | null, source: string | null, description: string | null, createdAt: string, aliases: Array<string>, tags: Array<{ key: string, value: string }>, backend: { id: string, kind: BackendKind, readOnly: boolean }, model: { id: string, name: string, aliases: Array<{ alias: string, versionNumber: string }> } | null, sourceRun: { id: string, name: string, backend: { id: string } } | null, metrics: Array<{ key: string, value: number | "NaN" | "Infinity" | "-Infinity" }>, package: { repository: string | null, commitId: string | null, generatedBy: string | null, projectId: string | null, containers: Array<{ image: string | null, modelDataUrl: string | null }>, modelMetrics: Array<{ kind: string, contentType: string | null, s3Uri: string }> } | null } | null };

export type DashboardPromoteMutationVariables = Exact<{
  id: string | number;
  to: Promotion;
  archiveExisting?: boolean | null | undefined;
}>;


export type DashboardPromoteMutation = { promoteModelVersion: { id: string, stage: ModelStage | null, approvalStatus: ApprovalStatus | null, promotion: Promotion } };

export type DashboardSetAliasMutationVariables = Exact<{
  modelId: string | number;
  alias: string;
  versionId: string | number;
}>;


export type DashboardSetAliasMutation = { setModelAlias: { id: string, aliases: Array<{ alias: string, versionNumber: string }> } };

export type DashboardRunQueryVariables = Exact<{
  id: string | number;
}>;


export type DashboardRunQuery = { run: { id: string, nativeId: string, name: string, status: RunStatus, startTime: string | null, endTime: string | null, artifactUri: string | null, backend: { id: string, kind: BackendKind }, experiment: { id: string, nativeId: string, name: string } | null, params: Array<{ key: string, value: string }>, tags: Array<{ key: string, value: string }>, metrics: Array<{ key: string, value: number | "NaN" | "Infinity" | "-Infinity", step: number, timestamp: string }>, datasets: Array<{ context: string | null, dataset: { id: string, name: string, digest: string, sourceType: string | null, source: string | null } }>, parent: { id: string, name: string } | null, modelVersions: Array<{ id: string, version: string, promotion: Promotion, model: { id: string, name: string } | null, backend: { id: string } }> } | null, lineage: { edges: Array<{ kind: LineageEdgeKind, from: string, to: string }>, nodes: Array<
      | { __typename: 'Dataset', id: string }
      | { __typename: 'Experiment', id: string }
      | { __typename: 'ModelVersion', id: string }
      | { __typename: 'RegisteredModel', id: string }
      | { __typename: 'Run', name: string, status: RunStatus, id: string }
      | { __typename: 'UnresolvedRef', id: string }
    > } };

export type DashboardRunsQueryVariables = Exact<{
  experimentIds?: Array<string | number> | string | number | null | undefined;
  mlflowFilter?: string | null | undefined;
  orderBy?: Array<RunOrder> | RunOrder | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  paramKeys?: Array<string> | string | null | undefined;
  metricKeys?: Array<string> | string | null | undefined;
}>;


export type DashboardRunsQuery = { runs: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string, status: RunStatus, startTime: string | null, backend: { id: string }, experiment: { id: string, name: string } | null, params: Array<{ key: string, value: string }>, metrics: Array<{ key: string, value: number | "NaN" | "Infinity" | "-Infinity", step: number }>, paramKeys: Array<{ key: string }>, metricKeys: Array<{ key: string }> }> } };

export type DashboardBackendsQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardBackendsQuery = { backends: Array<{ id: string, kind: BackendKind, health: { state: BackendState, circuit: CircuitState, lastError: string | null } }> };

export type DashboardExperimentsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type DashboardExperimentsQuery = { experiments: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string, backend: { id: string } }> } };

export type ExperimentsQueryVariables = Exact<{
  backends?: Array<string | number> | string | number | null | undefined;
  filter?: ExperimentFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ExperimentsQuery = { experiments: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, nativeId: string, name: string, lifecycleStage: LifecycleStage, artifactLocation: string | null, createdAt: string, updatedAt: string, backend: { id: string, kind: BackendKind }, tags: Array<{ key: string, value: string }> } }> } };

export type ExperimentQueryVariables = Exact<{
  id: string | number;
}>;


export type ExperimentQuery = { experiment: { id: string, nativeId: string, name: string, lifecycleStage: LifecycleStage, artifactLocation: string | null, createdAt: string, updatedAt: string, backend: { id: string, kind: BackendKind }, tags: Array<{ key: string, value: string }> } | null };

export type CreateExperimentMutationVariables = Exact<{
  input: CreateExperimentInput;
}>;


export type CreateExperimentMutation = { createExperiment: { id: string, nativeId: string, name: string, lifecycleStage: LifecycleStage, artifactLocation: string | null, createdAt: string, updatedAt: string, backend: { id: string, kind: BackendKind }, tags: Array<{ key: string, value: string }> } };

export type ExperimentFieldsFragment = { id: string, nativeId: string, name: string, lifecycleStage: LifecycleStage, artifactLocation: string | null, createdAt: string, updatedAt: string, backend: { id: string, kind: BackendKind }, tags: Array<{ key: string, value: string }> };

export type LineageQueryVariables = Exact<{
  id: string | number;
  depth?: number | null | undefined;
  direction?: LineageDirection | null | undefined;
  maxNodes?: number | null | undefined;
}>;


export type LineageQuery = { lineage: { truncated: boolean, root:
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
    , edges: Array<{ from: string, to: string, kind: LineageEdgeKind, evidence: string }>, nodes: Array<
      | { __typename: 'Dataset', name: string, digest: string, source: string | null, id: string }
      | { __typename: 'Experiment', name: string, id: string }
      | { __typename: 'ModelVersion', version: string, id: string }
      | { __typename: 'RegisteredModel', name: string, id: string }
      | { __typename: 'Run', name: string, id: string, backend: { id: string } }
      | { __typename: 'UnresolvedRef', uri: string, reason: string, id: string }
    > } };

export type RunLineageFieldsQueryVariables = Exact<{
  id: string | number;
}>;


export type RunLineageFieldsQuery = { run: { id: string, datasets: Array<{ context: string | null, dataset: { id: string, name: string, digest: string, sourceType: string | null, source: string | null } }>, modelVersions: Array<{ id: string, version: string }> } | null };

export type LogInputsMutationVariables = Exact<{
  runId: string | number;
  datasets: Array<DatasetInputInput> | DatasetInputInput;
}>;


export type LogInputsMutation = { logInputs: { id: string, datasets: Array<{ context: string | null, dataset: { id: string, name: string, digest: string } }> } };

export type MetricUpdatesSubscriptionVariables = Exact<{
  runIds: Array<string | number> | string | number;
  keys?: Array<string> | string | null | undefined;
  since?: string | null | undefined;
}>;


export type MetricUpdatesSubscription = { metricUpdates: { key: string, cursor: string, droppedPoints: number, run: { id: string, status: RunStatus } | null, points: Array<{ step: number, value: number | "NaN" | "Infinity" | "-Infinity", timestamp: string }> } };

export type RunUpdatesSubscriptionVariables = Exact<{
  experimentId: string | number;
}>;


export type RunUpdatesSubscription = { runUpdates: { kind: RunEventKind, run: { id: string, name: string, status: RunStatus, lifecycleStage: LifecycleStage } | null } };

export type ModelVersionEventsSubscriptionVariables = Exact<{
  modelId?: string | number | null | undefined;
}>;


export type ModelVersionEventsSubscription = { modelVersionEvents: { kind: ModelVersionEventKind, version: { id: string, version: string, stage: ModelStage | null, approvalStatus: ApprovalStatus | null, promotion: Promotion, aliases: Array<string>, backend: { id: string } } | null } };

export type RegisteredModelFieldsFragment = { id: string, nativeId: string, name: string, description: string | null, createdAt: string, updatedAt: string, backend: { id: string, kind: BackendKind }, tags: Array<{ key: string, value: string }>, aliases: Array<{ alias: string, versionNumber: string, version: { id: string } | null }> };

export type ModelVersionFieldsFragment = { id: string, nativeId: string, version: string, stage: ModelStage | null, approvalStatus: ApprovalStatus | null, promotion: Promotion, status: string | null, source: string | null, runId: string | null, description: string | null, aliases: Array<string>, createdAt: string, updatedAt: string, tags: Array<{ key: string, value: string }>, backend: { id: string, kind: BackendKind }, model: { id: string, name: string } | null };

export type RegisteredModelsQueryVariables = Exact<{
  backends?: Array<string | number> | string | number | null | undefined;
  filter?: RegisteredModelFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type RegisteredModelsQuery = { registeredModels: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, name: string, backend: { id: string } } }> } };

export type RegisteredModelQueryVariables = Exact<{
  id: string | number;
}>;


export type RegisteredModelQuery = { registeredModel: { id: string, nativeId: string, name: string, description: string | null, createdAt: string, updatedAt: string, latestVersions: Array<{ id: string, version: string, stage: ModelStage | null, approvalStatus: ApprovalStatus | null }>, backend: { id: string, kind: BackendKind }, tags: Array<{ key: string, value: string }>, aliases: Array<{ alias: string, versionNumber: string, version: { id: string } | null }> } | null };

export type ModelVersionsQueryVariables = Exact<{
  modelIds?: Array<string | number> | string | number | null | undefined;
  backends?: Array<string | number> | string | number | null | undefined;
  filter?: ModelVersionFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ModelVersionsQuery = { modelVersions: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, version: string, promotion: Promotion, stage: ModelStage | null, approvalStatus: ApprovalStatus | null, model: { name: string } | null, backend: { id: string } } }> } };

export type ModelVersionQueryVariables = Exact<{
  id: string | number;
}>;


export type ModelVersionQuery = { modelVersion: { id: string, nativeId: string, version: string, stage: ModelStage | null, approvalStatus: ApprovalStatus | null, promotion: Promotion, status: string | null, source: string | null, runId: string | null, description: string | null, aliases: Array<string>, createdAt: string, updatedAt: string, sourceRun: { id: string, name: string } | null, metrics: Array<{ key: string, value: number | "NaN" | "Infinity" | "-Infinity" }>, package: { commitId: string | null, repository: string | null, generatedBy: string | null, projectId: string | null, containers: Array<{ image: string | null, modelDataUrl: string | null }>, modelMetrics: Array<{ kind: string, contentType: string | null, s3Uri: string }> } | null, tags: Array<{ key: string, value: string }>, backend: { id: string, kind: BackendKind }, model: { id: string, name: string } | null } | null };

export type ModelVersionsOfModelQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: ModelVersionFilter | null | undefined;
}>;


export type ModelVersionsOfModelQuery = { registeredModel: { id: string, versions: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, version: string, stage: ModelStage | null }> } } | null };

export type CreateRegisteredModelMutationVariables = Exact<{
  input: CreateRegisteredModelInput;
}>;


export type CreateRegisteredModelMutation = { createRegisteredModel: { id: string, nativeId: string, name: string, description: string | null, createdAt: string, updatedAt: string, backend: { id: string, kind: BackendKind }, tags: Array<{ key: string, value: string }>, aliases: Array<{ alias: string, versionNumber: string, version: { id: string } | null }> } };

export type CreateModelVersionMutationVariables = Exact<{
  input: CreateModelVersionInput;
}>;


export type CreateModelVersionMutation = { createModelVersion: { id: string, nativeId: string, version: string, stage: ModelStage | null, approvalStatus: ApprovalStatus | null, promotion: Promotion, status: string | null, source: string | null, runId: string | null, description: string | null, aliases: Array<string>, createdAt: string, updatedAt: string, tags: Array<{ key: string, value: string }>, backend: { id: string, kind: BackendKind }, model: { id: string, name: string } | null } };

export type TransitionModelVersionMutationVariables = Exact<{
  id: string | number;
  stage: ModelStage;
  archiveExisting?: boolean | null | undefined;
}>;


export type TransitionModelVersionMutation = { transitionModelVersion: { id: string, nativeId: string, version: string, stage: ModelStage | null, approvalStatus: ApprovalStatus | null, promotion: Promotion, status: string | null, source: string | null, runId: string | null, description: string | null, aliases: Array<string>, createdAt: string, updatedAt: string, tags: Array<{ key: string, value: string }>, backend: { id: string, kind: BackendKind }, model: { id: string, name: string } | null } };

export type SetModelVersionApprovalMutationVariables = Exact<{
  id: string | number;
  status: ApprovalStatus;
  description?: string | null | undefined;
}>;


export type SetModelVersionApprovalMutation = { setModelVersionApproval: { id: string, nativeId: string, version: string, stage: ModelStage | null, approvalStatus: ApprovalStatus | null, promotion: Promotion, status: string | null, source: string | null, runId: string | null, description: string | null, aliases: Array<string>, createdAt: string, updatedAt: string, tags: Array<{ key: string, value: string }>, backend: { id: string, kind: BackendKind }, model: { id: string, name: string } | null } };

export type SetModelAliasMutationVariables = Exact<{
  modelId: string | number;
  alias: string;
  versionId: string | number;
}>;


export type SetModelAliasMutation = { setModelAlias: { id: string, nativeId: string, name: string, description: string | null, createdAt: string, updatedAt: string, backend: { id: string, kind: BackendKind }, tags: Array<{ key: string, value: string }>, aliases: Array<{ alias: string, versionNumber: string, version: { id: string } | null }> } };

export type DeleteModelAliasMutationVariables = Exact<{
  modelId: string | number;
  alias: string;
}>;


export type DeleteModelAliasMutation = { deleteModelAlias: { id: string, nativeId: string, name: string, description: string | null, createdAt: string, updatedAt: string, backend: { id: string, kind: BackendKind }, tags: Array<{ key: string, value: string }>, aliases: Array<{ alias: string, versionNumber: string, version: { id: string } | null }> } };

export type ModelVersionsByIdsQueryVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type ModelVersionsByIdsQuery = { nodes: Array<
    | { id: string }
    | { id: string }
    | { version: string, stage: ModelStage | null, aliases: Array<string>, id: string, tags: Array<{ key: string, value: string }>, model: { name: string } | null }
    | { id: string }
    | { id: string }
    | { id: string }
   | null> };

export type RunsQueryVariables = Exact<{
  experimentIds?: Array<string | number> | string | number | null | undefined;
  backends?: Array<string | number> | string | number | null | undefined;
  filter?: RunFilter | null | undefined;
  mlflowFilter?: string | null | undefined;
  orderBy?: Array<RunOrder> | RunOrder | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type RunsQuery = { runs: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, nativeId: string, name: string } }> } };

export type RunQueryVariables = Exact<{
  id: string | number;
}>;


export type RunQuery = { run: { id: string, nativeId: string, name: string, status: RunStatus, lifecycleStage: LifecycleStage, startTime: string | null, endTime: string | null, artifactUri: string | null, backend: { id: string }, experiment: { id: string, name: string } | null, params: Array<{ key: string, value: string }>, tags: Array<{ key: string, value: string }>, metrics: Array<{ key: string, value: number | "NaN" | "Infinity" | "-Infinity", step: number, timestamp: string }>, parent: { id: string } | null } | null };

export type ExperimentRunsQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
  orderBy?: Array<RunOrder> | RunOrder | null | undefined;
}>;


export type ExperimentRunsQuery = { experiment: { id: string, runs: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string }> } } | null };

export type MetricHistoryQueryVariables = Exact<{
  id: string | number;
  key: string;
  maxPoints?: number | null | undefined;
  minStep?: number | null | undefined;
  maxStep?: number | null | undefined;
}>;


export type MetricHistoryQuery = { run: { id: string, metricHistory: { key: string, totalPoints: number, sampled: boolean, steps: Array<number>, values: Array<number | "NaN" | "Infinity" | "-Infinity">, timestamps: Array<string>, points: Array<{ step: number, timestamp: string, value: number | "NaN" | "Infinity" | "-Infinity" }> } } | null };

export type NodeQueryVariables = Exact<{
  id: string | number;
}>;


export type NodeQuery = { node:
    | { __typename: 'Dataset', id: string }
    | { __typename: 'Experiment', name: string, id: string }
    | { __typename: 'ModelVersion', id: string }
    | { __typename: 'RegisteredModel', id: string }
    | { __typename: 'Run', name: string, id: string }
    | { __typename: 'UnresolvedRef', id: string }
   | null };

export type NodesQueryVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type NodesQuery = { nodes: Array<
    | { __typename: 'Dataset', id: string }
    | { __typename: 'Experiment', id: string }
    | { __typename: 'ModelVersion', id: string }
    | { __typename: 'RegisteredModel', id: string }
    | { __typename: 'Run', id: string }
    | { __typename: 'UnresolvedRef', id: string }
   | null> };

export type BackendsQueryVariables = Exact<{ [key: string]: never; }>;


export type BackendsQuery = { backends: Array<{ id: string, kind: BackendKind, capabilities: Array<string>, readOnly: boolean, health: { state: BackendState, latencyMs: number | null, lastError: string | null, checkedAt: string } }> };

export type CreateRunMutationVariables = Exact<{
  input: CreateRunInput;
}>;


export type CreateRunMutation = { createRun: { id: string, nativeId: string, name: string, status: RunStatus, lifecycleStage: LifecycleStage, startTime: string | null, endTime: string | null, artifactUri: string | null, backend: { id: string }, experiment: { id: string, name: string } | null, params: Array<{ key: string, value: string }>, tags: Array<{ key: string, value: string }>, metrics: Array<{ key: string, value: number | "NaN" | "Infinity" | "-Infinity", step: number, timestamp: string }>, parent: { id: string } | null } };

export type UpdateRunMutationVariables = Exact<{
  input: UpdateRunInput;
}>;


export type UpdateRunMutation = { updateRun: { id: string, nativeId: string, name: string, status: RunStatus, lifecycleStage: LifecycleStage, startTime: string | null, endTime: string | null, artifactUri: string | null, backend: { id: string }, experiment: { id: string, name: string } | null, params: Array<{ key: string, value: string }>, tags: Array<{ key: string, value: string }>, metrics: Array<{ key: string, value: number | "NaN" | "Infinity" | "-Infinity", step: number, timestamp: string }>, parent: { id: string } | null } };

export type DeleteRunMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteRunMutation = { deleteRun: { id: string, lifecycleStage: LifecycleStage } };

export type RestoreRunMutationVariables = Exact<{
  id: string | number;
}>;


export type RestoreRunMutation = { restoreRun: { id: string, lifecycleStage: LifecycleStage } };

export type LogMetricsMutationVariables = Exact<{
  runId: string | number;
  metrics: Array<MetricInput> | MetricInput;
}>;


export type LogMetricsMutation = { logMetrics: { id: string, metrics: Array<{ key: string, value: number | "NaN" | "Infinity" | "-Infinity", step: number, timestamp: string }> } };

export type LogMetricSeriesMutationVariables = Exact<{
  runId: string | number;
  key: string;
  steps: Array<number> | number;
  values: Array<number | "NaN" | "Infinity" | "-Infinity"> | number | "NaN" | "Infinity" | "-Infinity";
  timestamps?: Array<string> | string | null | undefined;
}>;


export type LogMetricSeriesMutation = { logMetricSeries: { points: number, run: { id: string, metrics: Array<{ key: string, value: number | "NaN" | "Infinity" | "-Infinity", step: number, timestamp: string }> } } };

export type LogMetricSeriesCountMutationVariables = Exact<{
  runId: string | number;
  key: string;
  steps: Array<number> | number;
  values: Array<number | "NaN" | "Infinity" | "-Infinity"> | number | "NaN" | "Infinity" | "-Infinity";
  timestamps?: Array<string> | string | null | undefined;
}>;


export type LogMetricSeriesCountMutation = { logMetricSeries: { points: number } };

export type LogParamsMutationVariables = Exact<{
  runId: string | number;
  params: Array<ParamInput> | ParamInput;
}>;


export type LogParamsMutation = { logParams: { id: string, params: Array<{ key: string, value: string }> } };

export type SetTagsMutationVariables = Exact<{
  id: string | number;
  tags: Array<TagInput> | TagInput;
}>;


export type SetTagsMutation = { setTags:
    | { __typename: 'Dataset', id: string }
    | { __typename: 'Experiment', id: string, tags: Array<{ key: string, value: string }> }
    | { __typename: 'ModelVersion', id: string }
    | { __typename: 'RegisteredModel', id: string }
    | { __typename: 'Run', id: string, tags: Array<{ key: string, value: string }> }
    | { __typename: 'UnresolvedRef', id: string }
   };

export type RunFieldsFragment = { id: string, nativeId: string, name: string, status: RunStatus, lifecycleStage: LifecycleStage, startTime: string | null, endTime: string | null, artifactUri: string | null, backend: { id: string }, experiment: { id: string, name: string } | null, params: Array<{ key: string, value: string }>, tags: Array<{ key: string, value: string }>, metrics: Array<{ key: string, value: number | "NaN" | "Infinity" | "-Infinity", step: number, timestamp: string }>, parent: { id: string } | null };

export type RunDetailsQueryVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type RunDetailsQuery = { nodes: Array<
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { name: string, status: RunStatus, id: string, params: Array<{ key: string, value: string }>, tags: Array<{ key: string, value: string }>, metrics: Array<{ key: string, value: number | "NaN" | "Infinity" | "-Infinity", step: number }>, experiment: { id: string, name: string } | null }
    | { id: string }
   | null> };

export type LiveWatchersQueryVariables = Exact<{ [key: string]: never; }>;


export type LiveWatchersQuery = { backends: Array<{ id: string, liveWatchers: number }> };

export type BackendCircuitsQueryVariables = Exact<{ [key: string]: never; }>;


export type BackendCircuitsQuery = { backends: Array<{ id: string, health: { state: BackendState, circuit: CircuitState, lastError: string | null } }> };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const WebhookFieldsFragmentDoc = new TypedDocumentString(`
    fragment WebhookFields on Webhook {
  id
  name
  description
  url
  events
  status
  signed
  createdAt
  updatedAt
}
    `, {"fragmentName":"WebhookFields"}) as unknown as TypedDocumentString<WebhookFieldsFragment, unknown>;
export const ExperimentFieldsFragmentDoc = new TypedDocumentString(`
    fragment ExperimentFields on Experiment {
  id
  nativeId
  name
  lifecycleStage
  artifactLocation
  createdAt
  updatedAt
  backend {
    id
    kind
  }
  tags {
    key
    value
  }
}
    `, {"fragmentName":"ExperimentFields"}) as unknown as TypedDocumentString<ExperimentFieldsFragment, unknown>;
export const RegisteredModelFieldsFragmentDoc = new TypedDocumentString(`
    fragment RegisteredModelFields on RegisteredModel {
  id
  nativeId
  name
  description
  backend {
    id
    kind
  }
  tags {
    key
    value
  }
  aliases {
    alias
    versionNumber
    version {
      id
    }
  }
  createdAt
  updatedAt
}
    `, {"fragmentName":"RegisteredModelFields"}) as unknown as TypedDocumentString<RegisteredModelFieldsFragment, unknown>;
export const ModelVersionFieldsFragmentDoc = new TypedDocumentString(`
    fragment ModelVersionFields on ModelVersion {
  id
  nativeId
  version
  stage
  approvalStatus
  promotion
  status
  source
  runId
  description
  tags {
    key
    value
  }
  aliases
  backend {
    id
    kind
  }
  model {
    id
    name
  }
  createdAt
  updatedAt
}
    `, {"fragmentName":"ModelVersionFields"}) as unknown as TypedDocumentString<ModelVersionFieldsFragment, unknown>;
export const RunFieldsFragmentDoc = new TypedDocumentString(`
    fragment RunFields on Run {
  id
  nativeId
  name
  status
  lifecycleStage
  startTime
  endTime
  artifactUri
  backend {
    id
  }
  experiment {
    id
    name
  }
  params {
    key
    value
  }
  tags {
    key
    value
  }
  metrics {
    key
    value
    step
    timestamp
  }
  parent {
    id
  }
}
    `, {"fragmentName":"RunFields"}) as unknown as TypedDocumentString<RunFieldsFragment, unknown>;
export const WebhooksDocument = new TypedDocumentString(`
    query Webhooks($first: Int, $after: String) {
  webhooks(first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      ...WebhookFields
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  name
  description
  url
  events
  status
  signed
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<WebhooksQuery, WebhooksQueryVariables>;
export const WebhookDeliveriesDocument = new TypedDocumentString(`
    query WebhookDeliveries($id: ID!, $first: Int) {
  webhook(id: $id) {
    id
    deliveries(first: $first) {
      nodes {
        id
        deliveryId
        event
        status
        attempts
        lastStatus
        lastError
        createdAt
        finishedAt
        nextAttemptAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<WebhookDeliveriesQuery, WebhookDeliveriesQueryVariables>;
export const CreateWebhookDocument = new TypedDocumentString(`
    mutation CreateWebhook($input: WebhookInput!) {
  createWebhook(input: $input) {
    ...WebhookFields
  }
}
    fragment WebhookFields on Webhook {
  id
  name
  description
  url
  events
  status
  signed
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CreateWebhookMutation, CreateWebhookMutationVariables>;
export const UpdateWebhookDocument = new TypedDocumentString(`
    mutation UpdateWebhook($id: ID!, $input: WebhookPatchInput!) {
  updateWebhook(id: $id, input: $input) {
    ...WebhookFields
  }
}
    fragment WebhookFields on Webhook {
  id
  name
  description
  url
  events
  status
  signed
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<UpdateWebhookMutation, UpdateWebhookMutationVariables>;
export const DeleteWebhookDocument = new TypedDocumentString(`
    mutation DeleteWebhook($id: ID!) {
  deleteWebhook(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteWebhookMutation, DeleteWebhookMutationVariables>;
export const TestWebhookDocument = new TypedDocumentString(`
    mutation TestWebhook($id: ID!, $event: WebhookEvent) {
  testWebhook(id: $id, event: $event) {
    success
    responseStatus
    responseBody
    errorMessage
  }
}
    `) as unknown as TypedDocumentString<TestWebhookMutation, TestWebhookMutationVariables>;
export const RedeliverWebhookDeliveryDocument = new TypedDocumentString(`
    mutation RedeliverWebhookDelivery($id: ID!) {
  redeliverWebhookDelivery(id: $id) {
    id
    status
    attempts
  }
}
    `) as unknown as TypedDocumentString<RedeliverWebhookDeliveryMutation, RedeliverWebhookDeliveryMutationVariables>;
export const PromoteModelVersionDocument = new TypedDocumentString(`
    mutation PromoteModelVersion($id: ID!, $to: Promotion!, $archiveExisting: Boolean) {
  promoteModelVersion(id: $id, to: $to, archiveExisting: $archiveExisting) {
    id
    version
    stage
    approvalStatus
    promotion
    tags {
      key
      value
    }
  }
}
    `) as unknown as TypedDocumentString<PromoteModelVersionMutation, PromoteModelVersionMutationVariables>;
export const RegistrySyncStatusDocument = new TypedDocumentString(`
    query RegistrySyncStatus {
  registrySyncStatus {
    rule
    from
    to
    models
    pending
    lastError
    lastSyncedAt
    conflicts
  }
}
    `) as unknown as TypedDocumentString<RegistrySyncStatusQuery, RegistrySyncStatusQueryVariables>;
export const DashboardCompareRunsDocument = new TypedDocumentString(`
    query DashboardCompareRuns($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    id
    ... on Run {
      name
      status
      startTime
      backend {
        id
      }
      params {
        key
        value
      }
      metrics {
        key
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardCompareRunsQuery, DashboardCompareRunsQueryVariables>;
export const DashboardSeriesDocument = new TypedDocumentString(`
    query DashboardSeries($ids: [ID!]!, $key: String!, $maxPoints: Int, $minStep: Int, $maxStep: Int) {
  nodes(ids: $ids) {
    id
    ... on Run {
      metricHistory(
        key: $key
        maxPoints: $maxPoints
        minStep: $minStep
        maxStep: $maxStep
      ) {
        totalPoints
        sampled
        steps
        values
        timestamps
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardSeriesQuery, DashboardSeriesQueryVariables>;
export const DashboardMetricUpdatesDocument = new TypedDocumentString(`
    subscription DashboardMetricUpdates($runIds: [ID!]!, $since: String) {
  metricUpdates(runIds: $runIds, since: $since) {
    key
    cursor
    droppedPoints
    run {
      id
      status
    }
    points {
      step
      timestamp
      value
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardMetricUpdatesSubscription, DashboardMetricUpdatesSubscriptionVariables>;
export const DashboardLineageDocument = new TypedDocumentString(`
    query DashboardLineage($id: ID!, $depth: Int) {
  lineage(id: $id, depth: $depth, direction: BOTH) {
    truncated
    root {
      id
    }
    edges {
      kind
      from
      to
      evidence
    }
    nodes {
      __typename
      id
      ... on Run {
        name
        status
      }
      ... on Experiment {
        name
      }
      ... on RegisteredModel {
        name
      }
      ... on ModelVersion {
        version
        model {
          name
        }
        promotion
      }
      ... on Dataset {
        name
        digest
      }
      ... on UnresolvedRef {
        uri
        reason
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardLineageQuery, DashboardLineageQueryVariables>;
export const DashboardModelVersionsDocument = new TypedDocumentString(`
    query DashboardModelVersions($backends: [ID!], $filter: ModelVersionFilter, $first: Int, $after: String) {
  modelVersions(
    backends: $backends
    filter: $filter
    first: $first
    after: $after
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      version
      promotion
      stage
      approvalStatus
      createdAt
      model {
        id
        name
      }
      backend {
        id
        kind
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardModelVersionsQuery, DashboardModelVersionsQueryVariables>;
export const DashboardModelVersionDocument = new TypedDocumentString(`
    query DashboardModelVersion($id: ID!) {
  modelVersion(id: $id) {
    id
    nativeId
    version
    promotion
    stage
    approvalStatus
    status
    source
    description
    createdAt
    aliases
    tags {
      key
      value
    }
    backend {
      id
      kind
      readOnly
    }
    model {
      id
      name
      aliases {
        alias
        versionNumber
      }
    }
    sourceRun {
      id
      name
      backend {
        id
      }
    }
    metrics {
      key
      value
    }
    package {
      repository
      commitId
      generatedBy
      projectId
      containers {
        image
        modelDataUrl
      }
      modelMetrics {
        kind
        contentType
        s3Uri
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardModelVersionQuery, DashboardModelVersionQueryVariables>;
export const DashboardPromoteDocument = new TypedDocumentString(`
    mutation DashboardPromote($id: ID!, $to: Promotion!, $archiveExisting: Boolean) {
  promoteModelVersion(id: $id, to: $to, archiveExisting: $archiveExisting) {
    id
    stage
    approvalStatus
    promotion
  }
}
    `) as unknown as TypedDocumentString<DashboardPromoteMutation, DashboardPromoteMutationVariables>;
export const DashboardSetAliasDocument = new TypedDocumentString(`
    mutation DashboardSetAlias($modelId: ID!, $alias: String!, $versionId: ID!) {
  setModelAlias(modelId: $modelId, alias: $alias, versionId: $versionId) {
    id
    aliases {
      alias
      versionNumber
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardSetAliasMutation, DashboardSetAliasMutationVariables>;
export const DashboardRunDocument = new TypedDocumentString(`
    query DashboardRun($id: ID!) {
  run(id: $id) {
    id
    nativeId
    name
    status
    startTime
    endTime
    artifactUri
    backend {
      id
      kind
    }
    experiment {
      id
      nativeId
      name
    }
    params {
      key
      value
    }
    tags {
      key
      value
    }
    metrics {
      key
      value
      step
      timestamp
    }
    datasets {
      context
      dataset {
        id
        name
        digest
        sourceType
        source
      }
    }
    parent {
      id
      name
    }
    modelVersions {
      id
      version
      promotion
      model {
        id
        name
      }
      backend {
        id
      }
    }
  }
  lineage(id: $id, depth: 1, direction: DOWNSTREAM) {
    edges {
      kind
      from
      to
    }
    nodes {
      __typename
      id
      ... on Run {
        name
        status
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardRunQuery, DashboardRunQueryVariables>;
export const DashboardRunsDocument = new TypedDocumentString(`
    query DashboardRuns($experimentIds: [ID!], $mlflowFilter: String, $orderBy: [RunOrder!], $first: Int, $after: String, $paramKeys: [String!], $metricKeys: [String!]) {
  runs(
    experimentIds: $experimentIds
    mlflowFilter: $mlflowFilter
    orderBy: $orderBy
    first: $first
    after: $after
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      name
      status
      startTime
      backend {
        id
      }
      experiment {
        id
        name
      }
      params(keys: $paramKeys) {
        key
        value
      }
      metrics(keys: $metricKeys) {
        key
        value
        step
      }
      paramKeys: params {
        key
      }
      metricKeys: metrics {
        key
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardRunsQuery, DashboardRunsQueryVariables>;
export const DashboardBackendsDocument = new TypedDocumentString(`
    query DashboardBackends {
  backends {
    id
    kind
    health {
      state
      circuit
      lastError
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardBackendsQuery, DashboardBackendsQueryVariables>;
export const DashboardExperimentsDocument = new TypedDocumentString(`
    query DashboardExperiments($first: Int, $after: String) {
  experiments(first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      name
      backend {
        id
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardExperimentsQuery, DashboardExperimentsQueryVariables>;
export const ExperimentsDocument = new TypedDocumentString(`
    query Experiments($backends: [ID!], $filter: ExperimentFilter, $first: Int, $after: String) {
  experiments(backends: $backends, filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        ...ExperimentFields
      }
    }
  }
}
    fragment ExperimentFields on Experiment {
  id
  nativeId
  name
  lifecycleStage
  artifactLocation
  createdAt
  updatedAt
  backend {
    id
    kind
  }
  tags {
    key
    value
  }
}`) as unknown as TypedDocumentString<ExperimentsQuery, ExperimentsQueryVariables>;
export const ExperimentDocument = new TypedDocumentString(`
    query Experiment($id: ID!) {
  experiment(id: $id) {
    ...ExperimentFields
  }
}
    fragment ExperimentFields on Experiment {
  id
  nativeId
  name
  lifecycleStage
  artifactLocation
  createdAt
  updatedAt
  backend {
    id
    kind
  }
  tags {
    key
    value
  }
}`) as unknown as TypedDocumentString<ExperimentQuery, ExperimentQueryVariables>;
export const CreateExperimentDocument = new TypedDocumentString(`
    mutation CreateExperiment($input: CreateExperimentInput!) {
  createExperiment(input: $input) {
    ...ExperimentFields
  }
}
    fragment ExperimentFields on Experiment {
  id
  nativeId
  name
  lifecycleStage
  artifactLocation
  createdAt
  updatedAt
  backend {
    id
    kind
  }
  tags {
    key
    value
  }
}`) as unknown as TypedDocumentString<CreateExperimentMutation, CreateExperimentMutationVariables>;
export const LineageDocument = new TypedDocumentString(`
    query Lineage($id: ID!, $depth: Int, $direction: LineageDirection, $maxNodes: Int) {
  lineage(id: $id, depth: $depth, direction: $direction, maxNodes: $maxNodes) {
    root {
      id
    }
    truncated
    edges {
      from
      to
      kind
      evidence
    }
    nodes {
      __typename
      id
      ... on Run {
        name
        backend {
          id
        }
      }
      ... on Experiment {
        name
      }
      ... on ModelVersion {
        version
      }
      ... on RegisteredModel {
        name
      }
      ... on Dataset {
        name
        digest
        source
      }
      ... on UnresolvedRef {
        uri
        reason
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LineageQuery, LineageQueryVariables>;
export const RunLineageFieldsDocument = new TypedDocumentString(`
    query RunLineageFields($id: ID!) {
  run(id: $id) {
    id
    datasets {
      context
      dataset {
        id
        name
        digest
        sourceType
        source
      }
    }
    modelVersions {
      id
      version
    }
  }
}
    `) as unknown as TypedDocumentString<RunLineageFieldsQuery, RunLineageFieldsQueryVariables>;
export const LogInputsDocument = new TypedDocumentString(`
    mutation LogInputs($runId: ID!, $datasets: [DatasetInputInput!]!) {
  logInputs(runId: $runId, datasets: $datasets) {
    id
    datasets {
      context
      dataset {
        id
        name
        digest
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LogInputsMutation, LogInputsMutationVariables>;
export const MetricUpdatesDocument = new TypedDocumentString(`
    subscription MetricUpdates($runIds: [ID!]!, $keys: [String!], $since: String) {
  metricUpdates(runIds: $runIds, keys: $keys, since: $since) {
    key
    cursor
    droppedPoints
    run {
      id
      status
    }
    points {
      step
      value
      timestamp
    }
  }
}
    `) as unknown as TypedDocumentString<MetricUpdatesSubscription, MetricUpdatesSubscriptionVariables>;
export const RunUpdatesDocument = new TypedDocumentString(`
    subscription RunUpdates($experimentId: ID!) {
  runUpdates(experimentId: $experimentId) {
    kind
    run {
      id
      name
      status
      lifecycleStage
    }
  }
}
    `) as unknown as TypedDocumentString<RunUpdatesSubscription, RunUpdatesSubscriptionVariables>;
export const ModelVersionEventsDocument = new TypedDocumentString(`
    subscription ModelVersionEvents($modelId: ID) {
  modelVersionEvents(modelId: $modelId) {
    kind
    version {
      id
      version
      stage
      approvalStatus
      promotion
      aliases
      backend {
        id
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ModelVersionEventsSubscription, ModelVersionEventsSubscriptionVariables>;
export const RegisteredModelsDocument = new TypedDocumentString(`
    query RegisteredModels($backends: [ID!], $filter: RegisteredModelFilter, $first: Int, $after: String) {
  registeredModels(
    backends: $backends
    filter: $filter
    first: $first
    after: $after
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        name
        backend {
          id
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<RegisteredModelsQuery, RegisteredModelsQueryVariables>;
export const RegisteredModelDocument = new TypedDocumentString(`
    query RegisteredModel($id: ID!) {
  registeredModel(id: $id) {
    ...RegisteredModelFields
    latestVersions {
      id
      version
      stage
      approvalStatus
    }
  }
}
    fragment RegisteredModelFields on RegisteredModel {
  id
  nativeId
  name
  description
  backend {
    id
    kind
  }
  tags {
    key
    value
  }
  aliases {
    alias
    versionNumber
    version {
      id
    }
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<RegisteredModelQuery, RegisteredModelQueryVariables>;
export const ModelVersionsDocument = new TypedDocumentString(`
    query ModelVersions($modelIds: [ID!], $backends: [ID!], $filter: ModelVersionFilter, $first: Int, $after: String) {
  modelVersions(
    modelIds: $modelIds
    backends: $backends
    filter: $filter
    first: $first
    after: $after
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        version
        promotion
        stage
        approvalStatus
        model {
          name
        }
        backend {
          id
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ModelVersionsQuery, ModelVersionsQueryVariables>;
export const ModelVersionDocument = new TypedDocumentString(`
    query ModelVersion($id: ID!) {
  modelVersion(id: $id) {
    ...ModelVersionFields
    sourceRun {
      id
      name
    }
    metrics {
      key
      value
    }
    package {
      commitId
      repository
      generatedBy
      projectId
      containers {
        image
        modelDataUrl
      }
      modelMetrics {
        kind
        contentType
        s3Uri
      }
    }
  }
}
    fragment ModelVersionFields on ModelVersion {
  id
  nativeId
  version
  stage
  approvalStatus
  promotion
  status
  source
  runId
  description
  tags {
    key
    value
  }
  aliases
  backend {
    id
    kind
  }
  model {
    id
    name
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<ModelVersionQuery, ModelVersionQueryVariables>;
export const ModelVersionsOfModelDocument = new TypedDocumentString(`
    query ModelVersionsOfModel($id: ID!, $first: Int, $after: String, $filter: ModelVersionFilter) {
  registeredModel(id: $id) {
    id
    versions(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        version
        stage
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ModelVersionsOfModelQuery, ModelVersionsOfModelQueryVariables>;
export const CreateRegisteredModelDocument = new TypedDocumentString(`
    mutation CreateRegisteredModel($input: CreateRegisteredModelInput!) {
  createRegisteredModel(input: $input) {
    ...RegisteredModelFields
  }
}
    fragment RegisteredModelFields on RegisteredModel {
  id
  nativeId
  name
  description
  backend {
    id
    kind
  }
  tags {
    key
    value
  }
  aliases {
    alias
    versionNumber
    version {
      id
    }
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CreateRegisteredModelMutation, CreateRegisteredModelMutationVariables>;
export const CreateModelVersionDocument = new TypedDocumentString(`
    mutation CreateModelVersion($input: CreateModelVersionInput!) {
  createModelVersion(input: $input) {
    ...ModelVersionFields
  }
}
    fragment ModelVersionFields on ModelVersion {
  id
  nativeId
  version
  stage
  approvalStatus
  promotion
  status
  source
  runId
  description
  tags {
    key
    value
  }
  aliases
  backend {
    id
    kind
  }
  model {
    id
    name
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CreateModelVersionMutation, CreateModelVersionMutationVariables>;
export const TransitionModelVersionDocument = new TypedDocumentString(`
    mutation TransitionModelVersion($id: ID!, $stage: ModelStage!, $archiveExisting: Boolean) {
  transitionModelVersion(
    id: $id
    stage: $stage
    archiveExisting: $archiveExisting
  ) {
    ...ModelVersionFields
  }
}
    fragment ModelVersionFields on ModelVersion {
  id
  nativeId
  version
  stage
  approvalStatus
  promotion
  status
  source
  runId
  description
  tags {
    key
    value
  }
  aliases
  backend {
    id
    kind
  }
  model {
    id
    name
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<TransitionModelVersionMutation, TransitionModelVersionMutationVariables>;
export const SetModelVersionApprovalDocument = new TypedDocumentString(`
    mutation SetModelVersionApproval($id: ID!, $status: ApprovalStatus!, $description: String) {
  setModelVersionApproval(id: $id, status: $status, description: $description) {
    ...ModelVersionFields
  }
}
    fragment ModelVersionFields on ModelVersion {
  id
  nativeId
  version
  stage
  approvalStatus
  promotion
  status
  source
  runId
  description
  tags {
    key
    value
  }
  aliases
  backend {
    id
    kind
  }
  model {
    id
    name
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<SetModelVersionApprovalMutation, SetModelVersionApprovalMutationVariables>;
export const SetModelAliasDocument = new TypedDocumentString(`
    mutation SetModelAlias($modelId: ID!, $alias: String!, $versionId: ID!) {
  setModelAlias(modelId: $modelId, alias: $alias, versionId: $versionId) {
    ...RegisteredModelFields
  }
}
    fragment RegisteredModelFields on RegisteredModel {
  id
  nativeId
  name
  description
  backend {
    id
    kind
  }
  tags {
    key
    value
  }
  aliases {
    alias
    versionNumber
    version {
      id
    }
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<SetModelAliasMutation, SetModelAliasMutationVariables>;
export const DeleteModelAliasDocument = new TypedDocumentString(`
    mutation DeleteModelAlias($modelId: ID!, $alias: String!) {
  deleteModelAlias(modelId: $modelId, alias: $alias) {
    ...RegisteredModelFields
  }
}
    fragment RegisteredModelFields on RegisteredModel {
  id
  nativeId
  name
  description
  backend {
    id
    kind
  }
  tags {
    key
    value
  }
  aliases {
    alias
    versionNumber
    version {
      id
    }
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<DeleteModelAliasMutation, DeleteModelAliasMutationVariables>;
export const ModelVersionsByIdsDocument = new TypedDocumentString(`
    query ModelVersionsByIds($ids: [ID!]!) {
  nodes(ids: $ids) {
    id
    ... on ModelVersion {
      version
      stage
      aliases
      tags {
        key
        value
      }
      model {
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ModelVersionsByIdsQuery, ModelVersionsByIdsQueryVariables>;
export const RunsDocument = new TypedDocumentString(`
    query Runs($experimentIds: [ID!], $backends: [ID!], $filter: RunFilter, $mlflowFilter: String, $orderBy: [RunOrder!], $first: Int, $after: String) {
  runs(
    experimentIds: $experimentIds
    backends: $backends
    filter: $filter
    mlflowFilter: $mlflowFilter
    orderBy: $orderBy
    first: $first
    after: $after
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        nativeId
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<RunsQuery, RunsQueryVariables>;
export const RunDocument = new TypedDocumentString(`
    query Run($id: ID!) {
  run(id: $id) {
    ...RunFields
  }
}
    fragment RunFields on Run {
  id
  nativeId
  name
  status
  lifecycleStage
  startTime
  endTime
  artifactUri
  backend {
    id
  }
  experiment {
    id
    name
  }
  params {
    key
    value
  }
  tags {
    key
    value
  }
  metrics {
    key
    value
    step
    timestamp
  }
  parent {
    id
  }
}`) as unknown as TypedDocumentString<RunQuery, RunQueryVariables>;
export const ExperimentRunsDocument = new TypedDocumentString(`
    query ExperimentRuns($id: ID!, $first: Int, $after: String, $orderBy: [RunOrder!]) {
  experiment(id: $id) {
    id
    runs(first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ExperimentRunsQuery, ExperimentRunsQueryVariables>;
export const MetricHistoryDocument = new TypedDocumentString(`
    query MetricHistory($id: ID!, $key: String!, $maxPoints: Int, $minStep: Int, $maxStep: Int) {
  run(id: $id) {
    id
    metricHistory(
      key: $key
      maxPoints: $maxPoints
      minStep: $minStep
      maxStep: $maxStep
    ) {
      key
      totalPoints
      sampled
      points {
        step
        timestamp
        value
      }
      steps
      values
      timestamps
    }
  }
}
    `) as unknown as TypedDocumentString<MetricHistoryQuery, MetricHistoryQueryVariables>;
export const NodeDocument = new TypedDocumentString(`
    query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Run {
      name
    }
    ... on Experiment {
      name
    }
  }
}
    `) as unknown as TypedDocumentString<NodeQuery, NodeQueryVariables>;
export const NodesDocument = new TypedDocumentString(`
    query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    id
  }
}
    `) as unknown as TypedDocumentString<NodesQuery, NodesQueryVariables>;
export const BackendsDocument = new TypedDocumentString(`
    query Backends {
  backends {
    id
    kind
    capabilities
    readOnly
    health {
      state
      latencyMs
      lastError
      checkedAt
    }
  }
}
    `) as unknown as TypedDocumentString<BackendsQuery, BackendsQueryVariables>;
export const CreateRunDocument = new TypedDocumentString(`
    mutation CreateRun($input: CreateRunInput!) {
  createRun(input: $input) {
    ...RunFields
  }
}
    fragment RunFields on Run {
  id
  nativeId
  name
  status
  lifecycleStage
  startTime
  endTime
  artifactUri
  backend {
    id
  }
  experiment {
    id
    name
  }
  params {
    key
    value
  }
  tags {
    key
    value
  }
  metrics {
    key
    value
    step
    timestamp
  }
  parent {
    id
  }
}`) as unknown as TypedDocumentString<CreateRunMutation, CreateRunMutationVariables>;
export const UpdateRunDocument = new TypedDocumentString(`
    mutation UpdateRun($input: UpdateRunInput!) {
  updateRun(input: $input) {
    ...RunFields
  }
}
    fragment RunFields on Run {
  id
  nativeId
  name
  status
  lifecycleStage
  startTime
  endTime
  artifactUri
  backend {
    id
  }
  experiment {
    id
    name
  }
  params {
    key
    value
  }
  tags {
    key
    value
  }
  metrics {
    key
    value
    step
    timestamp
  }
  parent {
    id
  }
}`) as unknown as TypedDocumentString<UpdateRunMutation, UpdateRunMutationVariables>;
export const DeleteRunDocument = new TypedDocumentString(`
    mutation DeleteRun($id: ID!) {
  deleteRun(id: $id) {
    id
    lifecycleStage
  }
}
    `) as unknown as TypedDocumentString<DeleteRunMutation, DeleteRunMutationVariables>;
export const RestoreRunDocument = new TypedDocumentString(`
    mutation RestoreRun($id: ID!) {
  restoreRun(id: $id) {
    id
    lifecycleStage
  }
}
    `) as unknown as TypedDocumentString<RestoreRunMutation, RestoreRunMutationVariables>;
export const LogMetricsDocument = new TypedDocumentString(`
    mutation LogMetrics($runId: ID!, $metrics: [MetricInput!]!) {
  logMetrics(runId: $runId, metrics: $metrics) {
    id
    metrics {
      key
      value
      step
      timestamp
    }
  }
}
    `) as unknown as TypedDocumentString<LogMetricsMutation, LogMetricsMutationVariables>;
export const LogMetricSeriesDocument = new TypedDocumentString(`
    mutation LogMetricSeries($runId: ID!, $key: String!, $steps: [Int!]!, $values: [MetricValue!]!, $timestamps: [DateTime!]) {
  logMetricSeries(
    runId: $runId
    key: $key
    steps: $steps
    values: $values
    timestamps: $timestamps
  ) {
    points
    run {
      id
      metrics {
        key
        value
        step
        timestamp
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LogMetricSeriesMutation, LogMetricSeriesMutationVariables>;
export const LogMetricSeriesCountDocument = new TypedDocumentString(`
    mutation LogMetricSeriesCount($runId: ID!, $key: String!, $steps: [Int!]!, $values: [MetricValue!]!, $timestamps: [DateTime!]) {
  logMetricSeries(
    runId: $runId
    key: $key
    steps: $steps
    values: $values
    timestamps: $timestamps
  ) {
    points
  }
}
    `) as unknown as TypedDocumentString<LogMetricSeriesCountMutation, LogMetricSeriesCountMutationVariables>;
export const LogParamsDocument = new TypedDocumentString(`
    mutation LogParams($runId: ID!, $params: [ParamInput!]!) {
  logParams(runId: $runId, params: $params) {
    id
    params {
      key
      value
    }
  }
}
    `) as unknown as TypedDocumentString<LogParamsMutation, LogParamsMutationVariables>;
export const SetTagsDocument = new TypedDocumentString(`
    mutation SetTags($id: ID!, $tags: [TagInput!]!) {
  setTags(id: $id, tags: $tags) {
    __typename
    id
    ... on Run {
      tags {
        key
        value
      }
    }
    ... on Experiment {
      tags {
        key
        value
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SetTagsMutation, SetTagsMutationVariables>;
export const RunDetailsDocument = new TypedDocumentString(`
    query RunDetails($ids: [ID!]!) {
  nodes(ids: $ids) {
    id
    ... on Run {
      name
      status
      params {
        key
        value
      }
      tags {
        key
        value
      }
      metrics {
        key
        value
        step
      }
      experiment {
        id
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<RunDetailsQuery, RunDetailsQueryVariables>;
export const LiveWatchersDocument = new TypedDocumentString(`
    query LiveWatchers {
  backends {
    id
    liveWatchers
  }
}
    `) as unknown as TypedDocumentString<LiveWatchersQuery, LiveWatchersQueryVariables>;
export const BackendCircuitsDocument = new TypedDocumentString(`
    query BackendCircuits {
  backends {
    id
    health {
      state
      circuit
      lastError
    }
  }
}
    `) as unknown as TypedDocumentString<BackendCircuitsQuery, BackendCircuitsQueryVariables>;