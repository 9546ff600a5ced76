import type { Selectable } from 'kysely'
import type { DatasetInput, Experiment, LatestMetric, LoggedModel, MetricPoint, ModelAlias, ModelInput, ModelOutput, ModelVersion, RegisteredModel, Run } from '../../domain.js'
import { modelVersionId } from '../../contract/model-version-id.js'
import type { ExperimentTable, LoggedModelTable, ModelVersionTable, RegisteredModelTable, RunTable } from './db/schema.js'

/** Row shapes as the queries in this folder select them: the table plus JSON aggregates. */
export type ExperimentRow = Selectable<ExperimentTable> & { tags: Record<string, string> | null }

/** `[key, value, step, timestamp]`; PostgreSQL's JSON writes non-finite floats as strings. */
export type LatestMetricJson = [string, number | string, number, number]

export type RunRow = Selectable<RunTable> & {
  params: Record<string, string> | null
  tags: Record<string, string> | null
  metrics: LatestMetricJson[] | null
  datasets: DatasetInput[] | null
  model_inputs: ModelInput[] | null
  model_outputs: ModelOutput[] | null
}

export function toExperiment(backendId: string, row: ExperimentRow): Experiment {
  return {
    recordType: 'Experiment',
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
    recordType: 'Run',
    backendId,
    nativeId: row.id,
    experimentNativeId: String(row.experiment_id),
    name: row.name,
    status: row.status,
    lifecycleStage: row.lifecycle_stage,
    startTime: row.start_time === null ? null : new Date(row.start_time),
    endTime: row.end_time === null ? null : new Date(row.end_time),
    artifactUri: row.artifact_uri,
    userId: row.user_id,
    params: row.params ?? {},
    tags: row.tags ?? {},
    metrics: (row.metrics ?? []).map(toLatestMetric).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    datasets: row.datasets ?? [],
    modelInputs: row.model_inputs ?? [],
    modelOutputs: (row.model_outputs ?? []).map((output) => ({ modelId: output.modelId, step: Number(output.step) })),
  }
}

/** `[key, value, step, timestamp, run id, dataset name, dataset digest]`. */
type LoggedModelMetricJson = [string, number | string, number, number, string, string | null, string | null]

export type LoggedModelRow = Selectable<LoggedModelTable> & {
  tags: Record<string, string> | null
  params: Record<string, string> | null
  metrics: LoggedModelMetricJson[] | null
}

export function toLoggedModel(backendId: string, row: LoggedModelRow): LoggedModel {
  return {
    recordType: 'LoggedModel',
    backendId,
    nativeId: row.id,
    experimentNativeId: String(row.experiment_id),
    name: row.name,
    sourceRunId: row.source_run_id,
    status: row.status,
    statusMessage: row.status_message,
    modelType: row.model_type,
    artifactLocation: row.artifact_location,
    lifecycleStage: row.lifecycle_stage,
    tags: row.tags ?? {},
    params: row.params ?? {},
    metrics: (row.metrics ?? []).map(([key, value, step, timestamp, runId, datasetName, datasetDigest]) => ({
      key,
      value: Number(value),
      step: Number(step),
      timestamp: new Date(Number(timestamp)),
      runId,
      datasetName,
      datasetDigest,
    })),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}

function toLatestMetric([key, value, step, timestamp]: LatestMetricJson): LatestMetric {
  return { key, value: Number(value), step: Number(step), timestamp: new Date(Number(timestamp)) }
}

export function toMetricPoint(row: { step: number; timestamp: number; value: number }): MetricPoint {
  return { step: Number(row.step), timestamp: new Date(Number(row.timestamp)), value: row.value }
}

export type RegisteredModelRow = Selectable<RegisteredModelTable> & { tags: Record<string, string> | null; aliases: Pick<ModelAlias, 'alias' | 'version'>[] | null }

export type ModelVersionRow = Selectable<ModelVersionTable> & { tags: Record<string, string> | null; aliases: string[] | null }

export function toRegisteredModel(backendId: string, row: RegisteredModelRow): RegisteredModel {
  return {
    recordType: 'RegisteredModel',
    backendId,
    nativeId: row.name,
    name: row.name,
    description: row.description,
    tags: row.tags ?? {},
    aliases: (row.aliases ?? [])
      .map((alias) => ({ alias: alias.alias, version: Number(alias.version), versionNativeId: modelVersionId(row.name, Number(alias.version)) }))
      .sort((a, b) => (a.alias < b.alias ? -1 : 1)),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}

export function toModelVersion(backendId: string, row: ModelVersionRow): ModelVersion {
  return {
    recordType: 'ModelVersion',
    backendId,
    nativeId: modelVersionId(row.model_name, row.version),
    modelNativeId: row.model_name,
    version: row.version,
    stage: row.stage,
    approvalStatus: null,
    status: row.status,
    source: row.source,
    runId: row.run_id,
    description: row.description,
    tags: row.tags ?? {},
    aliases: (row.aliases ?? []).sort(),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    packageDetails: null,
  }
}
