import { datasetInputFromWire } from '../../mlflow-protocol/values.js'
import type { Experiment, LatestMetric, MetricPoint, ModelVersion, RegisteredModel, Run } from '../../domain.js'
import { modelVersionId } from '../../contract/model-version-id.js'
import type { WireExperiment, WireMetric, WireModelVersion, WireRegisteredModel, WireRun } from '../../mlflow-protocol/records.js'

/** MLflow's wire shapes → the gateway's records. */

const toRecord = (pairs: { key: string; value: string }[]) => Object.fromEntries(pairs.map((pair) => [pair.key, pair.value]))

/**
 * MLflow's SQL store keeps ±Infinity as ±Number.MAX_VALUE (not every
 * database can store infinities), and serves it back that way. No one logs
 * exactly MAX_VALUE, so it is read back as the infinity it was.
 */
export function metricValue(value: number): number {
  if (value === Number.MAX_VALUE) return Number.POSITIVE_INFINITY
  if (value === -Number.MAX_VALUE) return Number.NEGATIVE_INFINITY
  return value
}

export function toExperiment(backendId: string, wire: WireExperiment): Experiment {
  return {
    recordType: 'Experiment',
    backendId,
    nativeId: wire.experiment_id,
    name: wire.name,
    lifecycleStage: wire.lifecycle_stage,
    artifactLocation: wire.artifact_location ?? null,
    tags: toRecord(wire.tags),
    createdAt: new Date(wire.creation_time ?? 0),
    updatedAt: new Date(wire.last_update_time ?? wire.creation_time ?? 0),
  }
}

export function toRun(backendId: string, wire: WireRun): Run {
  const tags = toRecord(wire.data.tags)
  return {
    recordType: 'Run',
    backendId,
    nativeId: wire.info.run_id ?? wire.info.run_uuid ?? '',
    experimentNativeId: wire.info.experiment_id,
    name: wire.info.run_name ?? tags['mlflow.runName'] ?? '',
    status: wire.info.status,
    lifecycleStage: wire.info.lifecycle_stage,
    startTime: wire.info.start_time === undefined ? null : new Date(wire.info.start_time),
    endTime: wire.info.end_time === undefined ? null : new Date(wire.info.end_time),
    artifactUri: wire.info.artifact_uri ?? null,
    userId: wire.info.user_id ?? '',
    params: toRecord(wire.data.params),
    tags,
    metrics: wire.data.metrics.map(toLatestMetric).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    datasets: wire.inputs.dataset_inputs.map(datasetInputFromWire),
    modelInputs: wire.inputs.model_inputs.map((input) => ({ modelId: input.model_id })),
    modelOutputs: wire.outputs.model_outputs.map((output) => ({ modelId: output.model_id, step: output.step })),
  }
}

function toLatestMetric(wire: WireMetric): LatestMetric {
  return { key: wire.key, ...toMetricPoint(wire) }
}

export function toMetricPoint(wire: WireMetric): MetricPoint {
  return { step: wire.step, timestamp: new Date(wire.timestamp), value: metricValue(wire.value) }
}

/** A gateway value as MLflow's JSON wants it (non-finite values as strings). */
/** MLflow sends "" for a missing description or run id. */
const orNull = (value: string | undefined) => (value ? value : null)

export function toRegisteredModel(backendId: string, wire: WireRegisteredModel): RegisteredModel {
  return {
    recordType: 'RegisteredModel',
    backendId,
    nativeId: wire.name,
    name: wire.name,
    description: orNull(wire.description),
    tags: toRecord(wire.tags),
    aliases: wire.aliases
      .map((alias) => ({ alias: alias.alias, version: alias.version, versionNativeId: modelVersionId(wire.name, alias.version) }))
      .sort((a, b) => (a.alias < b.alias ? -1 : 1)),
    createdAt: new Date(wire.creation_timestamp ?? 0),
    updatedAt: new Date(wire.last_updated_timestamp ?? wire.creation_timestamp ?? 0),
  }
}

/**
 * `model-versions/get` carries a version's aliases; `model-versions/search`
 * leaves them out (`withAliases: false`), and the version's aliases are then
 * unknown (null) until read from its model.
 */
export function toModelVersion(backendId: string, wire: WireModelVersion, source: { aliasesFrom: 'version' | 'unknown' | RegisteredModel['aliases'] }): ModelVersion {
  const aliases =
    source.aliasesFrom === 'version'
      ? [...wire.aliases].sort()
      : source.aliasesFrom === 'unknown'
        ? null
        : source.aliasesFrom
            .filter((alias) => alias.version === wire.version)
            .map((alias) => alias.alias)
            .sort()
  return {
    recordType: 'ModelVersion',
    backendId,
    nativeId: modelVersionId(wire.name, wire.version),
    modelNativeId: wire.name,
    version: wire.version,
    stage: wire.current_stage,
    approvalStatus: null,
    status: orNull(wire.status),
    source: orNull(wire.source),
    runId: orNull(wire.run_id),
    description: orNull(wire.description),
    tags: toRecord(wire.tags),
    aliases,
    createdAt: new Date(wire.creation_timestamp ?? 0),
    updatedAt: new Date(wire.last_updated_timestamp ?? wire.creation_timestamp ?? 0),
    packageDetails: null,
  }
}
