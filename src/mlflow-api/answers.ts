import type { Experiment, KeyValue, LoggedModel, MetricPoint, ModelVersion, RegisteredModel, Run, Tags } from '../domain.js'
import type { z } from 'zod'
import type { experimentSchema, metricSchema, modelVersionSchema, registeredModelSchema, runSchema } from '../mlflow-protocol/records.js'
import { WIRE_STAGES, datasetInputToWire, wireDouble } from '../mlflow-protocol/values.js'

/**
 * The gateway's records in MLflow's JSON, field for field as MLflow's
 * server writes them (protobuf JSON: int64 times as numbers, NaN and
 * infinities as strings, empty lists and unset fields left out). Typed by
 * the schemas the MLflow adapter parses a server's answers with
 * (mlflow-protocol/records.ts): what this API writes, that adapter reads.
 */

/** Every MLflow API answer is in the default workspace. */
const WORKSPACE = 'default'

const keyValuesOf = (record: Tags): KeyValue[] => Object.entries(record).map(([key, value]) => ({ key, value }))

/** Leaves out empty lists, as protobuf JSON does (an empty search answers `{}`). */
export function nonEmpty<T>(name: string, items: T[]): Record<string, T[]> {
  return items.length > 0 ? { [name]: items } : {}
}

export function experimentJson(experiment: Experiment): z.input<typeof experimentSchema> {
  return {
    experiment_id: experiment.nativeId,
    name: experiment.name,
    ...(experiment.artifactLocation !== null && { artifact_location: experiment.artifactLocation }),
    lifecycle_stage: experiment.lifecycleStage,
    last_update_time: experiment.updatedAt.getTime(),
    creation_time: experiment.createdAt.getTime(),
    ...nonEmpty('tags', keyValuesOf(experiment.tags)),
    workspace: WORKSPACE,
  }
}

export function runInfoJson(run: Run): z.input<typeof runSchema>['info'] {
  return {
    run_uuid: run.nativeId,
    experiment_id: run.experimentNativeId,
    run_name: run.name,
    user_id: run.userId,
    status: run.status,
    ...(run.startTime && { start_time: run.startTime.getTime() }),
    ...(run.endTime && { end_time: run.endTime.getTime() }),
    ...(run.artifactUri !== null && { artifact_uri: run.artifactUri }),
    lifecycle_stage: run.lifecycleStage,
    run_id: run.nativeId,
  }
}

export function metricJson(key: string, point: MetricPoint): z.input<typeof metricSchema> {
  return { key, value: wireDouble(point.value), timestamp: point.timestamp.getTime(), step: point.step }
}

/** `justCreated`: MLflow's runs/create answer has no `outputs` until the run has some; its reads always have them. */
export function runJson(run: Run, options: { justCreated?: boolean } = {}): z.input<typeof runSchema> {
  return {
    info: runInfoJson(run),
    data: {
      ...nonEmpty('metrics', run.metrics.map((metric) => metricJson(metric.key, metric))),
      ...nonEmpty('params', keyValuesOf(run.params)),
      ...nonEmpty('tags', keyValuesOf(run.tags)),
    },
    inputs: {
      ...nonEmpty('dataset_inputs', run.datasets.map(datasetInputToWire)),
      ...nonEmpty('model_inputs', run.modelInputs.map((input) => ({ model_id: input.modelId }))),
    },
    ...((run.modelOutputs.length > 0 || !options.justCreated) && {
      outputs: nonEmpty('model_outputs', run.modelOutputs.map((output) => ({ model_id: output.modelId, step: output.step }))),
    }),
  }
}

/** `withAliases`: MLflow lists a version's aliases in get answers, not in searches or a model's latest versions. */
export function modelVersionJson(version: ModelVersion, options: { withAliases: boolean }): z.input<typeof modelVersionSchema> {
  return {
    name: version.modelNativeId,
    version: String(version.version),
    creation_timestamp: version.createdAt.getTime(),
    last_updated_timestamp: version.updatedAt.getTime(),
    current_stage: WIRE_STAGES[version.stage ?? 'NONE'],
    description: version.description ?? '',
    ...(version.source !== null && { source: version.source }),
    // MLflow writes an empty run id for a version registered without one.
    run_id: version.runId ?? '',
    status: version.status ?? 'READY',
    ...nonEmpty('tags', keyValuesOf(version.tags)),
    run_link: '',
    ...(options.withAliases && nonEmpty('aliases', version.aliases ?? [])),
  }
}

export function registeredModelJson(model: RegisteredModel, latestVersions: ModelVersion[] | null): z.input<typeof registeredModelSchema> {
  return {
    name: model.name,
    creation_timestamp: model.createdAt.getTime(),
    last_updated_timestamp: model.updatedAt.getTime(),
    ...(model.description !== null && { description: model.description }),
    ...nonEmpty('latest_versions', (latestVersions ?? []).map((version) => modelVersionJson(version, { withAliases: false }))),
    ...nonEmpty('tags', keyValuesOf(model.tags)),
    ...nonEmpty('aliases', model.aliases.map((alias) => ({ alias: alias.alias, version: String(alias.version) }))),
  }
}

export function loggedModelJson(model: LoggedModel) {
  return {
    info: {
      model_id: model.nativeId,
      experiment_id: model.experimentNativeId,
      name: model.name,
      creation_timestamp_ms: model.createdAt.getTime(),
      last_updated_timestamp_ms: model.updatedAt.getTime(),
      artifact_uri: model.artifactLocation,
      status: model.status,
      ...(model.statusMessage !== null && { status_message: model.statusMessage }),
      model_type: model.modelType ?? '',
      source_run_id: model.sourceRunId ?? '',
      ...nonEmpty('tags', keyValuesOf(model.tags)),
    },
    data: {
      ...nonEmpty('params', keyValuesOf(model.params)),
      ...nonEmpty(
        'metrics',
        model.metrics.map((metric) => ({
          ...metricJson(metric.key, metric),
          ...(metric.datasetName !== null && { dataset_name: metric.datasetName }),
          ...(metric.datasetDigest !== null && { dataset_digest: metric.datasetDigest }),
          model_id: model.nativeId,
          run_id: metric.runId,
        })),
      ),
    },
  }
}
