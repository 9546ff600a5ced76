import { z } from 'zod'
import { LOGGED_MODEL_STATUSES, type LoggedModel } from '../domain.js'
import { MlflowApiError, invalidParameter } from './errors.js'
import type { LoggedModelDataset } from '../contract/filter.js'
import { offsetFromToken, pageOf, pageSize } from './paging.js'
import { parseMlflowLoggedModelFilter } from '../federation/mlflow-filter.js'
import { int64 } from '../mlflow-protocol/values.js'
import { keyValues, parseParams, repeated, required } from './params.js'
import type { Route } from './route.js'
import type { ApiTarget } from './target.js'
import { loggedModelJson, nonEmpty } from './answers.js'
import { loggedModelOrderSchema, sortLoggedModels } from './logged-model-order.js'

/** MLflow 3's logged-model endpoints, which `mlflow.<flavor>.log_model` calls. */
export const loggedModelRoutes: Route[] = [
  {
    method: 'POST',
    path: 'logged-models',
    async handle(params, target) {
      const request = parseParams(
        z.object({
          experiment_id: required,
          name: z.string().optional(),
          model_type: z.string().optional(),
          source_run_id: z.string().optional(),
          params: keyValues,
          tags: keyValues,
        }),
        params,
      )
      const model = await target.loggedModels.create(target.id, {
        experimentId: request.experiment_id,
        name: request.name || null,
        sourceRunId: request.source_run_id || null,
        modelType: request.model_type || null,
        tags: request.tags,
        params: request.params,
      })
      return { model: loggedModelJson(model) }
    },
  },
  {
    method: 'GET',
    path: 'logged-models/:model_id',
    async handle(params, target) {
      return { model: loggedModelJson(await requireLoggedModel(target, modelIdOf(params))) }
    },
  },
  {
    method: 'PATCH',
    path: 'logged-models/:model_id',
    async handle(params, target) {
      const { status } = parseParams(z.object({ status: z.enum(LOGGED_MODEL_STATUSES) }), params)
      return { model: loggedModelJson(await target.loggedModels.finalize(modelKeyOf(target, params), status)) }
    },
  },
  {
    method: 'DELETE',
    path: 'logged-models/:model_id',
    async handle(params, target) {
      await target.loggedModels.delete(modelKeyOf(target, params))
      return {}
    },
  },
  {
    method: 'PATCH',
    path: 'logged-models/:model_id/tags',
    async handle(params, target) {
      const { tags } = parseParams(z.object({ tags: keyValues }), params)
      await target.loggedModels.setTags(modelKeyOf(target, params), tags)
      return {}
    },
  },
  {
    method: 'DELETE',
    path: 'logged-models/:model_id/tags/:tag_key',
    async handle(params, target) {
      await target.loggedModels.deleteTag(modelKeyOf(target, params), parseParams(z.object({ tag_key: required }), params).tag_key)
      return {}
    },
  },
  {
    method: 'POST',
    path: 'logged-models/:model_id/params',
    async handle(params, target) {
      const request = parseParams(z.object({ params: keyValues }), params)
      await target.loggedModels.logParams(modelKeyOf(target, params), request.params)
      return {}
    },
  },
  {
    method: 'POST',
    path: 'logged-models/search',
    async handle(params, target) {
      const request = parseParams(
        z.object({
          experiment_ids: repeated(z.string()).default([]),
          filter: z.string().optional(),
          max_results: int64.optional(),
          datasets: z.array(z.object({ dataset_name: z.string().optional(), dataset_digest: z.string().optional() })).default([]),
          order_by: z.array(loggedModelOrderSchema).default([]),
          page_token: z.string().optional(),
        }),
        params,
      )
      const filter = { ...(request.filter ? parseMlflowLoggedModelFilter(request.filter, 'filter') : { all: [] }), datasets: datasetsOf(request.datasets) }
      const size = pageSize(request.max_results, { default: 100, max: 1000 })
      // Filtered, ordered as MLflow orders them, and paged by offset (MLflow's server pages its search by offset too).
      const matching = sortLoggedModels(await target.loggedModels.search(target.id, request.experiment_ids, filter), request.order_by)
      const page = pageOf(matching, offsetFromToken(request.page_token), size)
      return { ...nonEmpty('models', page.items.map(loggedModelJson)), ...(page.nextPageToken && { next_page_token: page.nextPageToken }) }
    },
  },
]

/**
 * The `datasets` clause as MLflow's server reads it: every entry needs a
 * name, and an entry without a digest matches only metrics logged without
 * one (its handler passes the absent digest on as None, which its SQL store
 * compares with `IS NULL`).
 */
function datasetsOf(datasets: { dataset_name?: string; dataset_digest?: string }[]): LoggedModelDataset[] {
  if (!datasets.every((dataset) => dataset.dataset_name)) throw invalidParameter('`dataset_name` in the `datasets` clause must be specified.')
  return datasets.map((dataset) => ({ name: dataset.dataset_name ?? '', digest: dataset.dataset_digest || null }))
}

const modelIdOf = (params: Record<string, unknown>) => parseParams(z.object({ model_id: required }), params).model_id
const modelKeyOf = (target: ApiTarget, params: Record<string, unknown>) => target.key(modelIdOf(params))

export async function requireLoggedModel(target: ApiTarget, id: string): Promise<LoggedModel> {
  const model = await target.loggedModels.loggedModel(target.key(id))
  if (!model || model.lifecycleStage !== 'active') throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', `Logged model with ID '${id}' not found.`)
  return model
}
