import { randomInt } from 'node:crypto'
import { z } from 'zod'
import type { RunOrder } from '../contract/backend.js'
import { type KeyValue, type LinkedMetric, type MetricWrite, RUN_STATUSES, type Run } from '../domain.js'
import { parseMlflowFilter } from '../federation/mlflow-filter.js'
import { MlflowApiError, invalidParameter } from './errors.js'
import { viewType } from '../mlflow-protocol/records.js'
import { parseOrderBy } from './order-by.js'
import { collectPage, pageSize } from './paging.js'
import { datasetInputFromWire, datasetInputSchema, double, int64, keyValue } from '../mlflow-protocol/values.js'
import { keyValues, parseParams, repeated, required, runIdOf } from './params.js'
import type { Route } from './route.js'
import type { ApiTarget } from './target.js'
import { requireLoggedModel } from './logged-models.js'
import { nonEmpty, runInfoJson, runJson } from './answers.js'

/** MLflow names a run after this tag too, and keeps the two in step. */
const RUN_NAME_TAG = 'mlflow.runName'

const metric = z.object({
  key: required,
  value: double,
  timestamp: int64,
  step: int64.default(0),
  model_id: z.string().optional(),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
})

export const runRoutes: Route[] = [
  {
    method: 'POST',
    path: 'runs/create',
    async handle(params, target) {
      const request = parseParams(
        z.object({
          experiment_id: z.string().default('0'),
          run_name: z.string().optional(),
          start_time: int64.optional(),
          user_id: z.string().optional(),
          tags: keyValues,
        }),
        params,
      )
      const name = request.run_name || request.tags.find((tag) => tag.key === RUN_NAME_TAG)?.value || randomRunName()
      const tags = [...request.tags.filter((tag) => tag.key !== RUN_NAME_TAG), { key: RUN_NAME_TAG, value: name }]
      const run = await target.tracking.createRun({
        experiment: target.key(request.experiment_id),
        name,
        userId: request.user_id ?? null,
        status: 'RUNNING',
        // MLflow's server stores what the client sends, 0 when nothing (its client always sends the time).
        startTime: new Date(request.start_time ?? 0),
        tags,
        params: [],
      })
      return { run: runJson(run, { justCreated: true }) }
    },
  },
  {
    method: 'GET',
    path: 'runs/get',
    async handle(params, target) {
      return { run: runJson(await requireRun(target, runIdOf(params))) }
    },
  },
  {
    method: 'POST',
    path: 'runs/update',
    async handle(params, target) {
      const runId = runIdOf(params)
      const request = parseParams(z.object({ status: z.enum(RUN_STATUSES).optional(), end_time: int64.optional(), run_name: z.string().optional() }), params)
      let run = await target.tracking.updateRun(target.key(runId), {
        // MLflow's runs/update sets only what it is given: finishing a run without end_time leaves none.
        stampEndTime: false,
        ...(request.status && { status: request.status }),
        ...(request.end_time !== undefined && { endTime: new Date(request.end_time) }),
        ...(request.run_name && { name: request.run_name }),
      })
      if (request.run_name) run = await target.tracking.setRunTags(target.key(runId), [{ key: RUN_NAME_TAG, value: request.run_name }])
      return { run_info: runInfoJson(run) }
    },
  },
  {
    method: 'POST',
    path: 'runs/delete',
    async handle(params, target) {
      await target.tracking.deleteRun(target.key(runIdOf(params)))
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/restore',
    async handle(params, target) {
      await target.tracking.restoreRun(target.key(runIdOf(params)))
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/log-metric',
    async handle(params, target) {
      await logBatch(target, runIdOf(params), { metrics: [parseParams(metric, params)], params: [], tags: [] })
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/log-batch',
    async handle(params, target) {
      await logBatch(target, runIdOf(params), parseParams(z.object({ metrics: repeated(metric).default([]), params: keyValues, tags: keyValues }), params))
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/log-parameter',
    async handle(params, target) {
      await logBatch(target, runIdOf(params), { metrics: [], params: [parseParams(keyValue.extend({ key: required }), params)], tags: [] })
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/set-tag',
    async handle(params, target) {
      await logBatch(target, runIdOf(params), { metrics: [], params: [], tags: [parseParams(keyValue.extend({ key: required }), params)] })
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/delete-tag',
    async handle(params, target) {
      const runId = runIdOf(params)
      await target.tracking.deleteRunTag(target.key(runId), parseParams(z.object({ key: required }), params).key)
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/log-inputs',
    async handle(params, target) {
      const runId = runIdOf(params)
      const request = parseParams(
        z.object({
          datasets: repeated(datasetInputSchema).default([]),
          models: repeated(z.object({ model_id: required })).default([]),
        }),
        params,
      )
      const inputs = request.datasets.map(datasetInputFromWire)
      const models = request.models.map((model) => ({ modelId: model.model_id }))
      if (inputs.length > 0 || models.length > 0) await target.tracking.logInputs(target.key(runId), inputs, models)
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/outputs',
    async handle(params, target) {
      const runId = runIdOf(params)
      const { models } = parseParams(z.object({ models: repeated(z.object({ model_id: required, step: int64.default(0) })).default([]) }), params)
      await target.loggedModels.logOutputs(target.key(runId), models.map((model) => ({ modelId: model.model_id, step: model.step })))
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/search',
    async handle(params, target) {
      const request = parseParams(
        z.object({
          experiment_ids: repeated(z.string()).default([]),
          filter: z.string().optional(),
          run_view_type: viewType,
          max_results: int64.optional(),
          order_by: repeated(z.string()).default([]),
          page_token: z.string().optional(),
        }),
        params,
      )
      const size = pageSize(request.max_results, { default: 1000, max: 50_000 })
      const { tracking } = target
      const filter = request.filter ? parseMlflowFilter(request.filter, 'filter') : { all: [] }
      const page = await collectPage(size, request.page_token || null, (first, after) =>
        tracking.listRuns({
          backends: null,
          experiments: request.experiment_ids.map((id) => target.key(id)),
          filter,
          lifecycle: request.run_view_type,
          orderBy: request.order_by.map(toRunOrder),
          first,
          after,
        }),
      )
      return { ...nonEmpty('runs', page.items.map((run) => runJson(run))), ...(page.nextPageToken && { next_page_token: page.nextPageToken }) }
    },
  },
]

export async function requireRun(target: ApiTarget, runId: string): Promise<Run> {
  return (await requireRuns(target, [runId]))[0]
}

/** The runs, read in one batch; the first missing one is RESOURCE_DOES_NOT_EXIST. */
export async function requireRuns(target: ApiTarget, runIds: readonly string[]): Promise<Run[]> {
  const runs = await target.tracking.runs(runIds.map((id) => target.key(id)))
  return runs.map((run, index) => {
    if (!run) throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', `Run with id=${runIds[index]} not found`)
    return run
  })
}

type WireMetric = z.output<typeof metric>

/**
 * MLflow's log-batch, which log-metric and set-tag are single-entry cases of:
 * checked against MLflow's limits, written in one call, and, as on MLflow's
 * server, setting `mlflow.runName` renames the run.
 */
async function logBatch(target: ApiTarget, runId: string, batch: { metrics: WireMetric[]; params: KeyValue[]; tags: KeyValue[] }): Promise<void> {
  const run = target.key(runId)
  const { plain, linked } = splitLinkedMetrics(batch.metrics)
  // With points for logged models the call is several writes: check it whole, and that every model exists, before the first one.
  if (linked.size > 0) {
    target.tracking.checkBatch({ metrics: [...plain, ...[...linked.values()].flat()], params: batch.params, tags: batch.tags })
    await Promise.all([...linked.keys()].map((modelId) => requireLoggedModel(target, modelId)))
  }
  await target.tracking.logBatch(run, { metrics: plain, params: batch.params, tags: batch.tags })
  for (const [modelId, metrics] of linked) {
    // `log_model` sends the run's points again with the new model's id: the run keeps one copy of each (every backend de-duplicates points, as MLflow's store does).
    await target.tracking.logBatch(run, { metrics, params: [], tags: [] })
    await target.loggedModels.linkMetrics(target.key(modelId), runId, metrics)
  }
  const runName = batch.tags.findLast((tag) => tag.key === RUN_NAME_TAG)
  if (runName) await target.tracking.updateRun(run, { name: runName.value })
}

function toMetricWrite(wire: WireMetric): MetricWrite {
  return { key: wire.key, value: wire.value, step: wire.step, timestamp: new Date(wire.timestamp) }
}

/** Points that name a logged model (`model_id`) are linked to it; the rest are the run's alone. */
function splitLinkedMetrics(metrics: WireMetric[]): { plain: MetricWrite[]; linked: Map<string, LinkedMetric[]> } {
  const plain: MetricWrite[] = []
  const linked = new Map<string, LinkedMetric[]>()
  for (const wire of metrics) {
    // MLflow's Metric entity refuses half a dataset reference, whether or not the point names a model.
    if (!wire.dataset_name !== !wire.dataset_digest) throw invalidParameter('Both dataset_name and dataset_digest must be provided if one is provided')
    if (!wire.model_id) {
      plain.push(toMetricWrite(wire))
      continue
    }
    const point = { ...toMetricWrite(wire), datasetName: wire.dataset_name || null, datasetDigest: wire.dataset_digest || null }
    linked.set(wire.model_id, [...(linked.get(wire.model_id) ?? []), point])
  }
  return { plain, linked }
}


const ORDER_ATTRIBUTES: Record<string, RunOrder['field']> = { start_time: 'startTime', created: 'startTime', end_time: 'endTime', run_name: 'name', status: 'status' }

function toRunOrder(text: string): RunOrder {
  const clause = parseOrderBy(text)
  const direction = clause.ascending ? 'asc' : 'desc'
  // Params and tags order as MLflow's SQL store orders them: by value as a string, runs without the key last.
  if (clause.entity === 'metric' || clause.entity === 'param' || clause.entity === 'tag') return { field: clause.entity, key: clause.key, direction }
  const field = clause.entity === 'attribute' ? ORDER_ATTRIBUTES[clause.key.toLowerCase()] : undefined
  if (!field) {
    throw invalidParameter(`Invalid order_by clause '${text}': runs order by metrics.<key>, params.<key>, tags.<key> or ${Object.keys(ORDER_ATTRIBUTES).join(', ')}`)
  }
  return { field, direction }
}

const ADJECTIVES = ['bold', 'calm', 'eager', 'gentle', 'honest', 'lucky', 'merry', 'nimble', 'quiet', 'rare', 'sunny', 'tidy', 'vivid', 'wise']
const NOUNS = ['ant', 'bear', 'crane', 'deer', 'eel', 'finch', 'goat', 'hawk', 'ibis', 'lynx', 'mole', 'owl', 'seal', 'wren']

/** MLflow's style of run name for runs created without one: adjective-animal-number. */
function randomRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`
}
