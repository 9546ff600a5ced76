import DataLoader from 'dataloader'
import type { Backend, MetricHistoryQuery } from '../contract/backend.js'
import type { Experiment, MetricSeries, ModelVersion, RegisteredModel, Run } from '../domain.js'
import { type RecordKey, nativeIdsByBackend, recordCacheKey } from './record-key.js'
import type { Backends } from './backends.js'

/**
 * Per-request batch loaders: every lookup made while one GraphQL request
 * resolves is grouped by backend and sent as one batch call per backend.
 * A backend that fails fails only its own keys.
 */
export interface Loaders {
  experiment: DataLoader<RecordKey, Experiment | null, string>
  run: DataLoader<RecordKey, Run | null, string>
  registeredModel: DataLoader<RecordKey, RegisteredModel | null, string>
  modelVersion: DataLoader<RecordKey, ModelVersion | null, string>
  /** Metric histories: a request's series (a comparison chart's twenty runs) go to each backend as one call. */
  history: DataLoader<HistoryKey, MetricSeries, string>
}

/** One series of one backend's run. */
export interface HistoryKey {
  backendId: string
  query: MetricHistoryQuery
}

export function createLoaders(backends: Backends): Loaders {
  return {
    experiment: batchLoader(backends, 'experiment', (backend, ids) => backends.partOf(backend, 'tracking').getExperiments(ids)),
    run: batchLoader(backends, 'run', (backend, ids) => backends.partOf(backend, 'tracking').getRuns(ids)),
    registeredModel: batchLoader(backends, 'registeredModel', (backend, ids) => backends.partOf(backend, 'modelRegistry').getRegisteredModels(ids)),
    modelVersion: batchLoader(backends, 'modelVersion', (backend, ids) => backends.partOf(backend, 'modelRegistry').getModelVersions(ids)),
    history: historyLoader(backends),
  }
}

function historyLoader(backends: Backends): DataLoader<HistoryKey, MetricSeries, string> {
  return new DataLoader<HistoryKey, MetricSeries, string>(
    async (keys) => {
      backends.observeLoaderBatch('history', keys.length)
      const byBackend = new Map<string, number[]>()
      keys.forEach((key, index) => byBackend.set(key.backendId, [...(byBackend.get(key.backendId) ?? []), index]))
      const results: (MetricSeries | Error)[] = new Array<MetricSeries | Error>(keys.length)
      await Promise.all(
        [...byBackend].map(async ([backendId, indexes]) => {
          try {
            const series = await backends.partOf(backendId, 'tracking').metricHistories(indexes.map((index) => keys[index].query))
            indexes.forEach((index, i) => (results[index] = series[i]))
          } catch (error) {
            for (const index of indexes) results[index] = error as Error
          }
        }),
      )
      return results
    },
    { cacheKeyFn: (key) => JSON.stringify([key.backendId, key.query.runId, key.query.key, key.query.maxPoints, key.query.minStep, key.query.maxStep]) },
  )
}

/** A per-request loader of one kind of record: keys grouped into one batch call per backend. */
export function batchLoader<T>(
  backends: Backends,
  /** The record type, as /metrics names its batch sizes. */
  name: string,
  load: (backend: Backend, ids: readonly string[]) => Promise<(T | null)[]>,
): DataLoader<RecordKey, T | null, string> {
  return new DataLoader<RecordKey, T | null, string>(
    async (keys) => {
      backends.observeLoaderBatch(name, keys.length)
      const results = new Map<string, T | null | Error>()
      await Promise.all(
        [...nativeIdsByBackend(keys)].map(async ([backendId, ids]) => {
          try {
            const found = await load(backends.get(backendId), ids)
            ids.forEach((id, index) => results.set(recordCacheKey({ backendId, nativeId: id }), found[index] ?? null))
          } catch (error) {
            for (const id of ids) results.set(recordCacheKey({ backendId, nativeId: id }), error as Error)
          }
        }),
      )
      return keys.map((key) => results.get(recordCacheKey(key)) ?? null)
    },
    { cacheKeyFn: recordCacheKey },
  )
}

/** DataLoader's loadMany answers an Error in place of a failed key: the caller wants it thrown. */
export function throwIfError<T>(result: T | Error): T {
  if (result instanceof Error) throw result
  return result
}
