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

/** MLflow's bulk-interval limits: runs per request, and sampled steps per run. */
const BULK_INTERVAL = { maxRuns: 100, defaultResults: 320, maxResults: 1000 } as const

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
      const points = await fullHistory(target, runId, request.metric_key, null, null)
      // Without max_results MLflow answers the whole history at once.
      const page = pageOf(points, offsetFromToken(request.page_token), request.max_results ?? Math.max(points.length, 1))
      return {
        ...nonEmpty('metrics', page.items.map((point) => metricJson(request.metric_key, point))),
        ...(page.nextPageToken && { next_page_token: page.nextPageToken }),
      }
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
        throw invalidParameter(`GetMetricHistoryBulkInterval request cannot specify more than ${BULK_INTERVAL.maxRuns} run_ids. Received ${request.run_ids.length} run_ids.`)
      }
      const maxResults = request.max_results ?? BULK_INTERVAL.defaultResults
      if (maxResults < 1 || maxResults > BULK_INTERVAL.maxResults) {
        throw invalidParameter(`max_results must be between 1 and ${BULK_INTERVAL.maxResults}.`)
      }
      await requireRuns(target, request.run_ids)
      const histories = await Promise.all(
        request.run_ids.map(async (runId) => ({ runId, points: await fullHistory(target, runId, request.metric_key, request.start_step ?? null, request.end_step ?? null) })),
      )
      const steps = sampledSteps(histories.flatMap((history) => history.points.map((point) => point.step)), maxResults)
      return nonEmpty(
        'metrics',
        histories.flatMap(({ runId, points }) =>
          points.filter((point) => steps.has(point.step)).map((point) => ({ ...metricJson(request.metric_key, point), run_id: runId })),
        ),
      )
    },
  },
]

/** Every point of one metric in a step range, in step then timestamp order. */
async function fullHistory(target: ApiTarget, runId: string, key: string, minStep: number | null, maxStep: number | null): Promise<MetricPoint[]> {
  const series = await target.tracking.wholeMetricHistory(target.key(runId), { key, minStep, maxStep })
  return series.points
}

/** MLflow's sampling for charts: at most `maxResults` evenly spaced steps across all runs, always keeping the first and last. */
function sampledSteps(steps: number[], maxResults: number): Set<number> {
  const distinct = [...new Set(steps)].sort((a, b) => a - b)
  if (distinct.length <= maxResults) return new Set(distinct)
  const chosen = new Set<number>()
  const stride = (distinct.length - 1) / (maxResults - 1)
  for (let i = 0; i < maxResults; i += 1) chosen.add(distinct[Math.round(i * stride)])
  return chosen
}
