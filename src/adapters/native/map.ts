import type { Selectable } from 'kysely'
import type { Experiment, LatestMetric, MetricPoint, Run } from '../../domain.js'
import type { ExperimentTable, RunTable } from './db/schema.js'

/** Row shapes as the queries in this folder select them: the table plus JSON aggregates. */
export type ExperimentRow = Selectable<ExperimentTable> & { tags: Record<string, string> | null }

/** `[key, value, step, timestamp]`; PostgreSQL's JSON writes non-finite floats as strings. */
export type LatestMetricJson = [string, number | string, number, number]

export type RunRow = Selectable<RunTable> & {
  params: Record<string, string> | null
  tags: Record<string, string> | null
  metrics: LatestMetricJson[] | null
}

export function toExperiment(backendId: string, row: ExperimentRow): Experiment {
  return {
    backendId,
    nativeId: String(row.id),
    name: row.name,
    lifecycleStage: row.lifecycle_stage,
    artifactLocation: row.artifact_location,
    tags: row.tags ?? {},
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}

export function toRun(backendId: string, row: RunRow): Run {
  return {
    backendId,
    nativeId: row.id,
    experimentNativeId: String(row.experiment_id),
    name: row.name,
    status: row.status,
    lifecycleStage: row.lifecycle_stage,
    startTime: row.start_time === null ? null : new Date(row.start_time),
    endTime: row.end_time === null ? null : new Date(row.end_time),
    artifactUri: row.artifact_uri,
    params: row.params ?? {},
    tags: row.tags ?? {},
    metrics: (row.metrics ?? []).map(toLatestMetric).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  }
}

function toLatestMetric([key, value, step, timestamp]: LatestMetricJson): LatestMetric {
  return { key, value: Number(value), step: Number(step), timestamp: new Date(Number(timestamp)) }
}

export function toMetricPoint(row: { step: number; timestamp: number; value: number }): MetricPoint {
  return { step: Number(row.step), timestamp: new Date(Number(row.timestamp)), value: row.value }
}
