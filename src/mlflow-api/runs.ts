import { randomInt } from 'node:crypto'
import { z } from 'zod'
import type { RunOrder } from '../adapters/backend.js'
import { type KeyValue, type MetricWrite, RUN_STATUSES, type Run } from '../domain.js'
import { parseMlflowFilter } from '../federation/mlflow-filter.js'
import { PAGE_SIZE } from '../federation/merged-list.js'
import { checkDatasetInputs, checkMetrics, checkParams, checkTags } from '../federation/write-limits.js'
import { MlflowApiError, invalidParameter } from './errors.js'
import { VIEW_TYPES, viewType } from './experiments.js'
import { parseOrderBy } from './order-by.js'
import { pageSize } from './paging.js'
import { double, int64, keyValue, keyValues, parseParams, repeated, required } from './params.js'
import type { Route } from './route.js'
import type { ApiTarget } from './target.js'
import { nonEmpty, runInfoJson, runJson } from './wire.js'

/** MLflow names a run after this tag too, and keeps the two in step. */
const RUN_NAME_TAG = 'mlflow.runName'

/** Requests name a run by `run_id` or, from older clients, `run_uuid`. */
const runRef = z
  .object({ run_id: z.string().optional(), run_uuid: z.string().optional() })
  .transform((ref, ctx) => {
    const id = ref.run_id || ref.run_uuid
    if (!id) {
      ctx.addIssue({ code: 'custom', path: ['run_id'], message: 'required' })
      return z.NEVER
    }
    return id
  })

const runIdOf = (params: Record<string, unknown>) => parseParams(runRef, params)

const metric = z.object({
  key: required,
  value: double,
  timestamp: int64,
  step: int64.default(0),
  model_id: z.string().optional(),
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
          tags: keyValues,
        }),
        params,
      )
      const name = request.run_name || request.tags.find((tag) => tag.key === RUN_NAME_TAG)?.value || randomRunName()
      const tags = [...request.tags.filter((tag) => tag.key !== RUN_NAME_TAG), { key: RUN_NAME_TAG, value: name }]
      const run = await target.federation().tracking.createRun({
        experiment: target.key(request.experiment_id),
        name,
        status: 'RUNNING',
        startTime: new Date(request.start_time ?? Date.now()),
        tags,
        params: [],
      })
      return { run: runJson(run) }
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
      const run = await target.writer.updateRun(runId, {
        ...(request.status && { status: request.status }),
        ...(request.end_time !== undefined && { endTime: new Date(request.end_time) }),
        ...(request.run_name && { name: request.run_name }),
      })
      if (request.run_name) await target.writer.setRunTags(runId, [{ key: RUN_NAME_TAG, value: request.run_name }])
      return { run_info: runInfoJson(run) }
    },
  },
  {
    method: 'POST',
    path: 'runs/delete',
    async handle(params, target) {
      await target.writer.deleteRun(runIdOf(params))
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/restore',
    async handle(params, target) {
      await target.writer.restoreRun(runIdOf(params))
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/log-metric',
    async handle(params, target) {
      const runId = runIdOf(params)
      await logMetrics(target, runId, [parseParams(metric, params)])
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/log-batch',
    async handle(params, target) {
      const runId = runIdOf(params)
      const request = parseParams(z.object({ metrics: repeated(metric).default([]), params: keyValues, tags: keyValues }), params)
      checkParams(request.params)
      checkTags(request.tags)
      const { plain, linked } = splitLinkedMetrics(request.metrics)
      checkMetrics(plain)
      await target.writer.logBatch(runId, { metrics: plain, params: request.params, tags: request.tags })
      await linkMetrics(target, runId, linked)
      const runName = request.tags.findLast((tag) => tag.key === RUN_NAME_TAG)
      if (runName) await target.writer.updateRun(runId, { name: runName.value })
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/log-parameter',
    async handle(params, target) {
      const runId = runIdOf(params)
      const param = parseParams(keyValue.extend({ key: required }), params)
      checkParams([param])
      await target.writer.logParams(runId, [param])
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/set-tag',
    async handle(params, target) {
      const runId = runIdOf(params)
      const tag = parseParams(keyValue.extend({ key: required }), params)
      await setTags(target, runId, [tag])
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/delete-tag',
    async handle(params, target) {
      const runId = runIdOf(params)
      await target.writer.deleteRunTag(runId, parseParams(z.object({ key: required }), params).key)
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
          datasets: repeated(
            z.object({
              tags: keyValues,
              dataset: z.object({
                name: required,
                digest: required,
                source_type: z.string().optional(),
                source: z.string().optional(),
                schema: z.string().optional(),
                profile: z.string().optional(),
              }),
            }),
          ).default([]),
          models: repeated(z.object({ model_id: required })).default([]),
        }),
        params,
      )
      const inputs = request.datasets.map((input) => ({
        dataset: {
          name: input.dataset.name,
          digest: input.dataset.digest,
          sourceType: input.dataset.source_type ?? null,
          source: input.dataset.source ?? null,
          schema: input.dataset.schema ?? null,
          profile: input.dataset.profile ?? null,
        },
        context: input.tags.find((tag) => tag.key === 'mlflow.data.context')?.value ?? null,
      }))
      checkDatasetInputs(inputs)
      if (inputs.length > 0) await target.writer.logInputs(runId, inputs)
      return {}
    },
  },
  {
    method: 'POST',
    path: 'runs/outputs',
    async handle(params, target) {
      const runId = runIdOf(params)
      const { models } = parseParams(z.object({ models: repeated(z.object({ model_id: required, step: int64.default(0) })).default([]) }), params)
      await target.loggedModels.logOutputs(runId, models.map((model) => ({ modelId: model.model_id, step: model.step })))
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
      const { tracking } = target.federation()
      const runs: Run[] = []
      let after = request.page_token || null
      let hasMore = true
      // The federation layer pages by at most 1,000; MLflow allows larger pages.
      while (runs.length < size && hasMore) {
        const page = await tracking.listRuns({
          backends: null,
          experiments: request.experiment_ids.map((id) => target.key(id)),
          filter: request.filter ? parseMlflowFilter(request.filter, 'filter') : { all: [] },
          lifecycle: VIEW_TYPES[request.run_view_type],
          orderBy: request.order_by.map(toRunOrder),
          first: Math.min(size - runs.length, PAGE_SIZE.max),
          after,
        })
        runs.push(...page.edges.map((edge) => edge.node))
        hasMore = page.hasNextPage
        after = page.edges.at(-1)?.cursor ?? after
      }
      return { ...nonEmpty('runs', runs.map(runJson)), ...(hasMore && after && { next_page_token: after }) }
    },
  },
]

export async function requireRun(target: ApiTarget, runId: string): Promise<Run> {
  const [run] = await target.tracking.getRuns([runId])
  if (!run) throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', `Run with id=${runId} not found`)
  return run
}

/** Setting `mlflow.runName` renames the run, as on MLflow's server. */
async function setTags(target: ApiTarget, runId: string, tags: KeyValue[]): Promise<void> {
  checkTags(tags)
  await target.writer.setRunTags(runId, tags)
  const runName = tags.findLast((tag) => tag.key === RUN_NAME_TAG)
  if (runName) await target.writer.updateRun(runId, { name: runName.value })
}

type WireMetric = z.output<typeof metric>

async function logMetrics(target: ApiTarget, runId: string, metrics: WireMetric[]): Promise<void> {
  const { plain, linked } = splitLinkedMetrics(metrics)
  checkMetrics(plain)
  if (plain.length > 0) await target.writer.logMetrics(runId, plain)
  await linkMetrics(target, runId, linked)
}

function toMetricWrite(wire: WireMetric): MetricWrite {
  return { key: wire.key, value: wire.value, step: wire.step, timestamp: new Date(wire.timestamp) }
}

/**
 * Points that name a logged model are also that model's metrics. MLflow's
 * `log_model` sends a run's points again with the new model's id; its server
 * keeps one copy of a point logged twice, so here a linked point that is
 * already in the run's history is not appended again (it is only linked).
 */
function splitLinkedMetrics(metrics: WireMetric[]): { plain: MetricWrite[]; linked: Map<string, MetricWrite[]> } {
  const plain: MetricWrite[] = []
  const linked = new Map<string, MetricWrite[]>()
  for (const wire of metrics) {
    if (wire.model_id) linked.set(wire.model_id, [...(linked.get(wire.model_id) ?? []), toMetricWrite(wire)])
    else plain.push(toMetricWrite(wire))
  }
  return { plain, linked }
}

async function linkMetrics(target: ApiTarget, runId: string, linked: Map<string, MetricWrite[]>): Promise<void> {
  for (const [modelId, metrics] of linked) {
    checkMetrics(metrics)
    const fresh: MetricWrite[] = []
    for (const point of metrics) {
      const history = await target.tracking.metricHistory({ runId, key: point.key, maxPoints: Number.MAX_SAFE_INTEGER, minStep: point.step, maxStep: point.step })
      const logged = history.points.some(
        (existing) => existing.timestamp.getTime() === point.timestamp.getTime() && Object.is(existing.value, point.value),
      )
      if (!logged && !fresh.some((other) => other.key === point.key && other.step === point.step && other.timestamp.getTime() === point.timestamp.getTime())) {
        fresh.push(point)
      }
    }
    if (fresh.length > 0) await target.writer.logMetrics(runId, fresh)
    await target.loggedModels.linkMetrics(modelId, runId, metrics)
  }
}

const ORDER_ATTRIBUTES: Record<string, RunOrder['field']> = { start_time: 'startTime', created: 'startTime', end_time: 'endTime', run_name: 'name' }

function toRunOrder(text: string): RunOrder {
  const clause = parseOrderBy(text)
  const direction = clause.ascending ? 'asc' : 'desc'
  if (clause.entity === 'metric') return { field: 'metric', metricKey: clause.key, direction }
  const field = clause.entity === 'attribute' ? ORDER_ATTRIBUTES[clause.key.toLowerCase()] : undefined
  if (!field) {
    throw invalidParameter(`Invalid order_by clause '${text}': runs order by metrics.<key> or ${Object.keys(ORDER_ATTRIBUTES).join(', ')}`)
  }
  return { field, direction }
}

const ADJECTIVES = ['bold', 'calm', 'eager', 'gentle', 'honest', 'lucky', 'merry', 'nimble', 'quiet', 'rare', 'sunny', 'tidy', 'vivid', 'wise']
const NOUNS = ['ant', 'bear', 'crane', 'deer', 'eel', 'finch', 'goat', 'hawk', 'ibis', 'lynx', 'mole', 'owl', 'seal', 'wren']

/** MLflow's style of run name for runs created without one: adjective-animal-number. */
function randomRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`
}
