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

export type Tags = Record<string, string>
export type Params = Record<string, string>

export interface Experiment {
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

export interface Run {
  backendId: string
  nativeId: string
  experimentNativeId: string
  name: string
  status: RunStatus
  lifecycleStage: LifecycleStage
  startTime: Date | null
  endTime: Date | null
  artifactUri: string | null
  params: Params
  tags: Tags
  metrics: LatestMetric[]
}

export interface MetricSeries {
  key: string
  points: MetricPoint[]
  /** Points in the requested step range before any downsampling. */
  totalPoints: number
  /** True when `points` is a shape-keeping reduction of a longer series. */
  sampled: boolean
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

/** Tells records apart where one field can hold either (the `Node` interface). */
export function isRun(record: unknown): record is Run {
  return typeof record === 'object' && record !== null && 'experimentNativeId' in record
}

export function isExperiment(record: unknown): record is Experiment {
  return typeof record === 'object' && record !== null && 'artifactLocation' in record && !isRun(record)
}
