import { z } from 'zod'
import type { MetricPoint } from '../domain.js'
import { invalidParameter } from './errors.js'
import { offsetFromToken, pageOf } from './paging.js'
import { int64 } from '../mlflow-protocol/values.js'
import { parseParams, repeated, required, runIdOf } from './params.js'
import type { Route } from './route.js'
import type { ApiTarget } from './target.js'
import { requireRuns } from './runs.js'
import { metricJson, nonEmpty } from './answers.js'

/** MLflow's bulk-interval limits: runs per request, and sampled steps per run (mlflow/server/handlers.py: MAX_RUNS_GET_METRIC_HISTORY_BULK, MAX_RESULTS_PER_RUN, also the default). */
const BULK_INTERVAL = { maxRuns: 100, maxResults: 2500 } as const
/** MLflow's bulk-history limits (handlers.py, get_metric_history_bulk_handler: MAX_RUN_IDS_PER_REQUEST, MAX_HISTORY_RESULTS). */
const BULK = { maxRuns: 100, maxResults: 25_000 } as const

export const metricRoutes: Route[] = [
  {
    method: 'GET',
    path: 'metrics/get-history',
    async handle(params, target) {
      const request = parseParams(
        z.object({ metric_key: required, max_results: int64.optional(), page_token: z.string().optional() }),
        params,
      )
      const runId = runIdOf(params)
      await requireRuns(target, [runId])
      const points = [...(await fullHistory(target, runId, request.metric_key, null, null))].sort(inMlflowHistoryOrder)
      // Without max_results MLflow answers the whole history at once.
      const page = pageOf(points, offsetFromToken(request.page_token), request.max_results ?? Math.max(points.length, 1))
      return {
        ...nonEmpty('metrics', page.items.map((point) => metricJson(request.metric_key, point))),
        ...(page.nextPageToken && { next_page_token: page.nextPageToken }),
      }
    },
  },
  {
    // The UI's route (MLflow serves it under ajax-api only): whole histories of one key for several runs.
    method: 'GET',
    path: 'metrics/get-history-bulk',
    async handle(params, target) {
      const request = parseParams(z.object({ run_id: repeated(z.string()).default([]), metric_key: z.string().optional(), max_results: int64.optional() }), params)
      if (request.run_id.length === 0) throw invalidParameter('GetMetricHistoryBulk request must specify at least one run_id.')
      if (request.run_id.length > BULK.maxRuns) {
        throw invalidParameter(`GetMetricHistoryBulk request cannot specify more than ${BULK.maxRuns} run_ids. Received ${request.run_id.length} run_ids.`)
      }
      if (request.metric_key === undefined) throw invalidParameter('GetMetricHistoryBulk request must specify a metric_key.')
      // MLflow cuts the answer with Python's slice: a negative max_results leaves that many off the end (JavaScript's slice does the same).
      const maxResults = Math.min(request.max_results ?? BULK.maxResults, BULK.maxResults)
      const key = request.metric_key
      // MLflow's SQL store: runs that do not exist add nothing; rows by run id, then in its history order.
      const existing = (await target.tracking.runs(request.run_id.map((runId) => target.key(runId)))).flatMap((run) => (run ? [run.nativeId] : []))
      const histories = await Promise.all(
        [...new Set(existing)].sort().map(async (runId) => ({
          runId,
          points: [...(await fullHistory(target, runId, key, null, null))].sort(inMlflowHistoryOrder),
        })),
      )
      return { metrics: histories.flatMap(({ runId, points }) => points.map((point) => ({ ...metricJson(key, point), run_id: runId }))).slice(0, maxResults) }
    },
  },
  {
    method: 'GET',
    path: 'metrics/get-history-bulk-interval',
    async handle(params, target) {
      const request = parseParams(
        z.object({
          run_ids: repeated(z.string()).default([]),
          metric_key: required,
          start_step: int64.optional(),
          end_step: int64.optional(),
          max_results: int64.optional(),
        }),
        params,
      )
      if (request.run_ids.length === 0) throw invalidParameter('GetMetricHistoryBulkInterval request must specify at least one run_id.')
      if (request.run_ids.length > BULK_INTERVAL.maxRuns) {
        throw invalidParameter(`GetMetricHistoryBulkInterval request must specify at most ${BULK_INTERVAL.maxRuns} run_ids. Received ${request.run_ids.length} run_ids.`)
      }
      const maxResults = request.max_results ?? BULK_INTERVAL.maxResults
      if (maxResults < 1 || maxResults > BULK_INTERVAL.maxResults) {
        throw invalidParameter(`max_results must be between 1 and ${BULK_INTERVAL.maxResults}. See the API docs for more information about request parameters.`)
      }
      if (request.start_step !== undefined && request.end_step !== undefined && request.start_step > request.end_step) {
        throw invalidParameter(`end_step must be greater than start_step. Found start_step=${request.start_step} and end_step=${request.end_step}.`)
      }
      if ((request.start_step === undefined) !== (request.end_step === undefined)) {
        throw invalidParameter('If either start step or end step are specified, both must be specified.')
      }
      await requireRuns(target, request.run_ids)
      const sampled = await Promise.all(
        request.run_ids.map(async (runId) => ({
          runId,
          points: sampledRows(await fullHistory(target, runId, request.metric_key, request.start_step ?? null, request.end_step ?? null), maxResults),
        })),
      )
      return nonEmpty(
        'metrics',
        sampled.flatMap(({ runId, points }) => points.map((point) => ({ ...metricJson(request.metric_key, point), run_id: runId }))),
      )
    },
  },
]

/** MLflow's SQL store reads a history by timestamp, step and value, a NaN stored as 0 (beside its is_nan flag). */
function inMlflowHistoryOrder(a: MetricPoint, b: MetricPoint): number {
  const stored = (value: number) => (Number.isNaN(value) ? 0 : value)
  return a.timestamp.getTime() - b.timestamp.getTime() || a.step - b.step || stored(a.value) - stored(b.value)
}

/** Every point of one metric in a step range, in step then timestamp order. */
async function fullHistory(target: ApiTarget, runId: string, key: string, minStep: number | null, maxStep: number | null): Promise<MetricPoint[]> {
  const series = await target.tracking.wholeMetricHistory(target.key(runId), { key, minStep, maxStep })
  return series.points
}

/**
 * MLflow's sampling for charts, per run (its SQL store, 3.x): the run's
 * points in (step, timestamp, value) order cut into `maxResults` buckets as
 * SQL's NTILE cuts them (the first N mod n buckets one longer), the first
 * point of each kept, and the last point kept too, in place of the final
 * sample when the sample is already full.
 */
export function sampledRows(points: readonly MetricPoint[], maxResults: number): MetricPoint[] {
  const rows = [...points].sort(
    (a, b) =>
      a.step - b.step ||
      a.timestamp.getTime() - b.timestamp.getTime() ||
      (Number.isNaN(a.value) ? 0 : a.value) - (Number.isNaN(b.value) ? 0 : b.value) ||
      Number(Number.isNaN(a.value)) - Number(Number.isNaN(b.value)),
  )
  if (rows.length === 0) return []
  const buckets = Math.min(maxResults, rows.length)
  const size = Math.floor(rows.length / buckets)
  const longer = rows.length % buckets
  const sample = Array.from({ length: buckets }, (_, bucket) => rows[bucket * size + Math.min(bucket, longer)])
  const last = rows[rows.length - 1]
  if (sample[sample.length - 1] !== last) {
    if (sample.length >= maxResults) sample[sample.length - 1] = last
    else sample.push(last)
  }
  return sample
}
