import DataLoader from 'dataloader'
import type { Backend, MetricHistoryQuery } from '../contract/backend.js'
import type { Experiment, MetricSeries, ModelVersion, RegisteredModel, Run } from '../domain.js'
import { type RecordKey, recordCacheKey } from './record-key.js'
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
  return perBackendLoader(
    backends,
    'history',
    (backendId, keys) => backends.partOf(backendId, 'tracking').metricHistories(keys.map((key) => key.query)),
    (key) => JSON.stringify([key.backendId, key.query.runId, key.query.key, key.query.maxPoints, key.query.minStep, key.query.maxStep]),
  )
}

/** A per-request loader of one kind of record: keys grouped into one batch call per backend. */
export function batchLoader<T>(
  backends: Backends,
  /** The record type, as /metrics names its batch sizes. */
  name: string,
  load: (backend: Backend, ids: readonly string[]) => Promise<(T | null)[]>,
): DataLoader<RecordKey, T | null, string> {
  return perBackendLoader(
    backends,
    name,
    async (backendId, keys) => {
      const found = await load(backends.get(backendId), keys.map((key) => key.nativeId))
      return keys.map((_, index) => found[index] ?? null)
    },
    recordCacheKey,
  )
}

/**
 * A per-request loader whose keys name their backend: one `load` call per
 * backend and batch, answering its keys in order; a backend that fails
 * fails only its own keys. (DataLoader hands each distinct key once.)
 */
function perBackendLoader<K extends { backendId: string }, V>(
  backends: Backends,
  /** As /metrics names its batch sizes. */
  name: string,
  load: (backendId: string, keys: readonly K[]) => Promise<V[]>,
  cacheKeyFn: (key: K) => string,
): DataLoader<K, V, string> {
  return new DataLoader<K, V, string>(
    async (keys) => {
      backends.observeLoaderBatch(name, keys.length)
      const byBackend = new Map<string, number[]>()
      keys.forEach((key, index) => {
        const indexes = byBackend.get(key.backendId)
        if (indexes) indexes.push(index)
        else byBackend.set(key.backendId, [index])
      })
      const results = new Array<V | Error>(keys.length)
      await Promise.all(
        [...byBackend].map(async ([backendId, indexes]) => {
          try {
            const answers = await load(backendId, indexes.map((index) => keys[index]))
            indexes.forEach((index, i) => (results[index] = answers[i]))
          } catch (error) {
            for (const index of indexes) results[index] = error as Error
          }
        }),
      )
      return results
    },
    { cacheKeyFn },
  )
}

/** DataLoader's loadMany answers an Error in place of a failed key: the caller wants it thrown. */
export function throwIfError<T>(result: T | Error): T {
  if (result instanceof Error) throw result
  return result
}
