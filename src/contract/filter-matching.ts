import { type Experiment, type LoggedModel, type ModelVersion, type RegisteredModel, type Run, promotionOf } from '../domain.js'
import type {
  ExperimentFilter,
  ExperimentPredicate,
  LoggedModelFilter,
  ModelVersionFilter,
  ModelVersionPredicate,
  NumberOp,
  RegisteredModelFilter,
  RunFilter,
  RunPredicate,
  StringOp,
} from './filter.js'

/**
 * Evaluates filter predicates in memory: the part of a filter a backend
 * could not push down, applied to what it returned. The semantics are the
 * pushed-down ones (MLflow's, which the native SQL follows too): a missing
 * key or time matches nothing; LIKE is case-sensitive, ILIKE not, `%` and `_`
 * are the wildcards; numbers compare as IEEE doubles, so NaN matches only `NEQ`.
 */
export function matchesRunFilter(run: Run, filter: RunFilter): boolean {
  return filter.all.every((predicate) => matchesRunPredicate(run, predicate))
}

export function matchesExperimentFilter(experiment: Experiment, filter: ExperimentFilter): boolean {
  return filter.all.every((predicate) => matchesExperimentPredicate(experiment, predicate))
}

export function matchesRegisteredModelFilter(model: RegisteredModel, filter: RegisteredModelFilter): boolean {
  return filter.all.every((predicate) => {
    switch (predicate.field) {
      case 'name':
        return matchString(model.name, predicate.op, predicate.value)
      case 'names':
        return predicate.values.includes(model.nativeId) === (predicate.op === 'IN')
      case 'tag':
        return matchString(model.tags[predicate.key], predicate.op, predicate.value)
      case 'lacksTag':
        return model.tags[predicate.key] !== predicate.value
    }
  })
}

export function matchesLoggedModelFilter(model: LoggedModel, filter: LoggedModelFilter): boolean {
  const datasets = filter.datasets ?? []
  const onDatasets = (metric: LoggedModel['metrics'][number]) =>
    datasets.length === 0 || datasets.some((dataset) => metric.datasetName === dataset.name && (metric.datasetDigest ?? null) === dataset.digest)
  const filtersMetrics = filter.all.some((predicate) => predicate.field === 'metric')
  if (datasets.length > 0 && !filtersMetrics && !model.metrics.some(onDatasets)) return false
  return filter.all.every((predicate) => {
    switch (predicate.field) {
      case 'name':
        return matchString(model.name, predicate.op, predicate.value)
      case 'modelId':
        return matchString(model.nativeId, predicate.op, predicate.value)
      case 'modelType':
        return matchString(model.modelType ?? undefined, predicate.op, predicate.value)
      case 'status':
        return matchString(model.status, predicate.op, predicate.value)
      case 'sourceRunId':
        return matchString(model.sourceRunId ?? undefined, predicate.op, predicate.value)
      case 'createdAt':
        return matchNumber(model.createdAt.getTime(), predicate.op, predicate.value)
      case 'updatedAt':
        return matchNumber(model.updatedAt.getTime(), predicate.op, predicate.value)
      case 'tag':
        return matchString(model.tags[predicate.key], predicate.op, predicate.value)
      case 'param':
        return matchString(model.params[predicate.key], predicate.op, predicate.value)
      case 'metric':
        return model.metrics.some((metric) => metric.key === predicate.key && onDatasets(metric) && matchNumber(metric.value, predicate.op, predicate.value))
    }
  })
}

export function matchesModelVersionFilter(version: ModelVersion, filter: ModelVersionFilter): boolean {
  return filter.all.every((predicate) => matchesModelVersionPredicate(version, predicate))
}

function matchesModelVersionPredicate(version: ModelVersion, predicate: ModelVersionPredicate): boolean {
  switch (predicate.field) {
    case 'modelName':
      return matchString(version.modelNativeId, predicate.op, predicate.value)
    case 'runId':
      return matchString(version.runId ?? undefined, predicate.op, predicate.value)
    case 'source':
      return matchString(version.source ?? undefined, predicate.op, predicate.value)
    case 'tag':
      return matchString(version.tags[predicate.key], predicate.op, predicate.value)
    case 'lacksTag':
      return version.tags[predicate.key] !== predicate.value
    case 'promotion':
      return predicate.values.includes(promotionOf(version))
    case 'stage':
      return version.stage !== null && predicate.values.includes(version.stage)
    case 'approvalStatus':
      return version.approvalStatus !== null && predicate.values.includes(version.approvalStatus)
    case 'modelNames':
      return predicate.values.includes(version.modelNativeId) === (predicate.op === 'IN')
    case 'runIds':
      return version.runId !== null && predicate.values.includes(version.runId)
  }
}

function matchesRunPredicate(run: Run, predicate: RunPredicate): boolean {
  switch (predicate.field) {
    case 'experimentId':
      return predicate.values.includes(run.experimentNativeId) === (predicate.op === 'IN')
    case 'param':
      return matchString(run.params[predicate.key], predicate.op, predicate.value)
    case 'tag':
      return matchString(run.tags[predicate.key], predicate.op, predicate.value)
    case 'paramPresence':
      return (run.params[predicate.key] !== undefined) === predicate.present
    case 'tagPresence':
      return (run.tags[predicate.key] !== undefined) === predicate.present
    case 'metric':
      return matchNumber(run.metrics.find((metric) => metric.key === predicate.key)?.value, predicate.op, predicate.value)
    case 'startTime':
      return matchNumber(run.startTime?.getTime(), predicate.op, predicate.value)
    case 'endTime':
      return matchNumber(run.endTime?.getTime(), predicate.op, predicate.value)
    default: {
      const actual = { status: run.status, name: run.name, runId: run.nativeId, artifactUri: run.artifactUri ?? undefined }[predicate.field]
      if ('values' in predicate) {
        if (actual === undefined) return false
        return predicate.op === 'IN' ? predicate.values.includes(actual) : !predicate.values.includes(actual)
      }
      return matchString(actual, predicate.op, predicate.value)
    }
  }
}

function matchesExperimentPredicate(experiment: Experiment, predicate: ExperimentPredicate): boolean {
  if (predicate.field === 'experimentId') return predicate.values.includes(experiment.nativeId) === (predicate.op === 'IN')
  if (predicate.field === 'name') return matchString(experiment.name, predicate.op, predicate.value)
  return matchString(experiment.tags[predicate.key], predicate.op, predicate.value)
}

/** One string condition, as every backend evaluates it (a missing value matches nothing). */
export function matchString(actual: string | undefined, op: StringOp, expected: string): boolean {
  if (actual === undefined) return false
  switch (op) {
    case 'EQ':
      return actual === expected
    case 'NEQ':
      return actual !== expected
    case 'LIKE':
      return likePattern(expected, false).test(actual)
    case 'ILIKE':
      return likePattern(expected, true).test(actual)
  }
}

function matchNumber(actual: number | undefined, op: NumberOp, expected: number): boolean {
  if (actual === undefined) return false
  switch (op) {
    case 'EQ':
      return actual === expected
    case 'NEQ':
      return actual !== expected
    case 'GT':
      return actual > expected
    case 'GTE':
      return actual >= expected
    case 'LT':
      return actual < expected
    case 'LTE':
      return actual <= expected
  }
}

const patterns = new Map<string, RegExp>()

function likePattern(pattern: string, caseInsensitive: boolean): RegExp {
  const cacheKey = `${caseInsensitive ? 'i' : 's'}${pattern}`
  let regex = patterns.get(cacheKey)
  if (!regex) {
    const body = [...pattern].map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')
    // `u`: `_` is one character (a code point, as in PostgreSQL), not one UTF-16 unit.
    regex = new RegExp(`^${body}$`, caseInsensitive ? 'isu' : 'su')
    if (patterns.size > 1000) patterns.clear()
    patterns.set(cacheKey, regex)
  }
  return regex
}
