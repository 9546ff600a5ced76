/**
 * The filter AST. Typed GraphQL filters and MLflow filter strings both parse
 * into it; each adapter compiles what it can push down to its backend.
 */
import type { ApprovalStatus, ModelStage, Promotion } from '../domain.js'

export const STRING_OPS = ['EQ', 'NEQ', 'LIKE', 'ILIKE'] as const
export type StringOp = (typeof STRING_OPS)[number]

export const NUMBER_OPS = ['EQ', 'NEQ', 'GT', 'GTE', 'LT', 'LTE'] as const
export type NumberOp = (typeof NUMBER_OPS)[number]

export const SET_OPS = ['IN', 'NOT_IN'] as const
export type SetOp = (typeof SET_OPS)[number]

/** Run attributes compared as strings. */
export type RunStringAttribute = 'status' | 'name' | 'runId' | 'artifactUri'
/** Run attributes compared as numbers (times are epoch milliseconds). */
export type RunTimeAttribute = 'startTime' | 'endTime'

export type RunPredicate =
  | { field: RunStringAttribute; op: StringOp; value: string }
  | { field: RunStringAttribute; op: SetOp; values: string[] }
  | { field: RunTimeAttribute; op: NumberOp; value: number }
  | { field: 'param' | 'tag'; key: string; op: StringOp; value: string }
  /** MLflow's `IS NULL` (present: false) and `IS NOT NULL` (present: true) on a run's params and tags. */
  | { field: 'paramPresence' | 'tagPresence'; key: string; present: boolean }
  | { field: 'metric'; key: string; op: NumberOp; value: number }
  /** In (or not in) these experiments (native ids): what the caller may read (src/auth/). */
  | { field: 'experimentId'; op: SetOp; values: string[] }

/** Every predicate must hold (AND): the typed filter and MLflow's syntax have no OR. */
export interface RunFilter {
  all: RunPredicate[]
}

export type ExperimentPredicate =
  | { field: 'name'; op: StringOp; value: string }
  | { field: 'tag'; key: string; op: StringOp; value: string }
  /** One of (or none of) these experiments (native ids): what the caller may read (src/auth/). */
  | { field: 'experimentId'; op: SetOp; values: string[] }

export interface ExperimentFilter {
  all: ExperimentPredicate[]
}

/** Which lifecycle stages a list includes (MLflow's view type). */
export const LIFECYCLE_VIEWS = ['active', 'deleted', 'all'] as const
export type LifecycleView = (typeof LIFECYCLE_VIEWS)[number]

/**
 * `lacksTag`: the record has no tag `key` with this value (missing or
 * different). A tag predicate needs the tag (MLflow's `!=` does not match a
 * record without it); this one matches that record too. MLflow's searches
 * use it to hide prompts.
 */
export type LacksTagPredicate = { field: 'lacksTag'; key: string; value: string }

export type RegisteredModelPredicate =
  | { field: 'name'; op: StringOp; value: string }
  /** Named (or not named) one of these: what the caller may read (src/auth/). */
  | { field: 'names'; op: SetOp; values: string[] }
  | { field: 'tag'; key: string; op: StringOp; value: string }
  | LacksTagPredicate

export interface RegisteredModelFilter {
  all: RegisteredModelPredicate[]
}

/** Set predicates match versions whose value is one of `values`; a version without the field (a stage on SageMaker) never matches. */
export type ModelVersionPredicate =
  | { field: 'modelName' | 'runId' | 'source'; op: StringOp; value: string }
  | { field: 'promotion'; values: Promotion[] }
  | { field: 'stage'; values: ModelStage[] }
  | { field: 'approvalStatus'; values: ApprovalStatus[] }
  /** Produced by one of these runs (their own ids). */
  | { field: 'runIds'; values: string[] }
  /** Versions of (or not of) these models (native ids): what the caller may read (src/auth/). */
  | { field: 'modelNames'; op: SetOp; values: string[] }
  | { field: 'tag'; key: string; op: StringOp; value: string }
  | LacksTagPredicate

/**
 * MLflow 3's logged models: attributes, tags, params and metrics. A metric
 * predicate matches a model that logged any point of that metric satisfying
 * it (at any step, on any dataset the filter's `datasets` allow), as MLflow's
 * SQL store joins its metric rows.
 */
export type LoggedModelPredicate =
  | { field: 'name' | 'modelId' | 'modelType' | 'status' | 'sourceRunId'; op: StringOp; value: string }
  | { field: 'createdAt' | 'updatedAt'; op: NumberOp; value: number }
  | { field: 'tag' | 'param'; key: string; op: StringOp; value: string }
  | { field: 'metric'; key: string; op: NumberOp; value: number }

/** A dataset a logged model's metrics were computed on: its name, and its digest (null: metrics logged without one). */
export interface LoggedModelDataset {
  name: string
  digest: string | null
}

export interface LoggedModelFilter {
  all: LoggedModelPredicate[]
  /**
   * MLflow's `datasets` clause: metric predicates count only points on one of
   * these datasets, and without a metric predicate a model needs a metric on one of them.
   */
  datasets?: LoggedModelDataset[]
}

export interface ModelVersionFilter {
  all: ModelVersionPredicate[]
}
