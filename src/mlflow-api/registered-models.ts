import { z } from 'zod'
import type { RegisteredModel } from '../domain.js'
import { hidingPromptsAsMlflowDoes, parseMlflowModelFilter } from '../federation/mlflow-filter.js'
import { MlflowApiError } from './errors.js'
import { sortByOrderClauses } from './order-by.js'
import { offsetFromToken, pageOf, pageSize, readAll } from './paging.js'
import { int64 } from '../mlflow-protocol/values.js'
import { keyValues, parseParams, repeated, required, stage } from './params.js'
import type { Route } from './route.js'
import type { ApiTarget } from './target.js'
import { modelVersionJson, nonEmpty, registeredModelJson } from './answers.js'
import { modelVersionId } from '../contract/model-version-id.js'

const name = z.object({ name: required })

export const registeredModelRoutes: Route[] = [
  {
    method: 'POST',
    path: 'registered-models/create',
    conflict: 'RESOURCE_ALREADY_EXISTS',
    async handle(params, target) {
      const request = parseParams(z.object({ name: required, tags: keyValues, description: z.string().optional() }), params)
      const model = await target.models.createRegisteredModel({
        backendId: target.id,
        name: request.name,
        description: request.description ?? null,
        tags: request.tags,
      })
      return { registered_model: registeredModelJson(model, []) }
    },
  },
  {
    method: 'GET',
    path: 'registered-models/get',
    async handle(params, target) {
      const model = await requireModel(target, parseParams(name, params).name)
      return { registered_model: registeredModelJson(model, await target.models.latestVersions(model)) }
    },
  },
  ...(['GET', 'POST'] as const).map(
    (method): Route => ({
      method,
      path: 'registered-models/search',
      async handle(params, target) {
        const request = parseParams(
          z.object({ filter: z.string().optional(), max_results: int64.optional(), order_by: repeated(z.string()).default([]), page_token: z.string().optional() }),
          params,
        )
        const size = pageSize(request.max_results, { default: 100, max: 1000 })
        const filter = hidingPromptsAsMlflowDoes(request.filter ? parseMlflowModelFilter(request.filter, 'filter') : { all: [] })
        const { models } = target
        const all = await readAll((first, after) => models.listRegisteredModels({ backends: null, first, after, filter }))
        const sorted = sortByOrderClauses(all, request.order_by, MODEL_ORDER_KEYS, [{ entity: 'attribute', key: 'name', ascending: true }], 'registered models')
        const page = pageOf(sorted, offsetFromToken(request.page_token), size)
        const latest = await Promise.all(page.items.map((model) => target.models.latestVersions(model)))
        return {
          ...nonEmpty('registered_models', page.items.map((model, index) => registeredModelJson(model, latest[index]))),
          ...(page.nextPageToken && { next_page_token: page.nextPageToken }),
        }
      },
    }),
  ),
  {
    method: 'PATCH',
    path: 'registered-models/update',
    async handle(params, target) {
      const request = parseParams(z.object({ name: required, description: z.string().optional() }), params)
      const model = await target.models.updateRegisteredModel(target.key(request.name), { description: request.description ?? null })
      return { registered_model: registeredModelJson(model, null) }
    },
  },
  {
    method: 'POST',
    path: 'registered-models/rename',
    conflict: 'RESOURCE_ALREADY_EXISTS',
    async handle(params, target) {
      const request = parseParams(z.object({ name: required, new_name: required }), params)
      const model = await target.models.renameRegisteredModel(target.key(request.name), request.new_name)
      return { registered_model: registeredModelJson(model, null) }
    },
  },
  {
    method: 'DELETE',
    path: 'registered-models/delete',
    async handle(params, target) {
      await target.models.deleteRegisteredModel(target.key(parseParams(name, params).name))
      return {}
    },
  },
  ...(['GET', 'POST'] as const).map(
    (method): Route => ({
      method,
      path: 'registered-models/get-latest-versions',
      async handle(params, target) {
        const { name: modelName, stages } = parseParams(z.object({ name: required, stages: repeated(stage).default([]) }), params)
        const latest = await target.models.latestVersions(await requireModel(target, modelName))
        const chosen = stages.length === 0 ? latest : latest.filter((version) => stages.includes(version.stage ?? 'NONE'))
        return nonEmpty('model_versions', chosen.map((version) => modelVersionJson(version, { withAliases: true })))
      },
    }),
  ),
  {
    method: 'POST',
    path: 'registered-models/set-tag',
    async handle(params, target) {
      const request = parseParams(z.object({ name: required, key: required, value: z.string() }), params)
      await target.models.setRegisteredModelTags(target.key(request.name), [{ key: request.key, value: request.value }])
      return {}
    },
  },
  {
    method: 'DELETE',
    path: 'registered-models/delete-tag',
    async handle(params, target) {
      const request = parseParams(z.object({ name: required, key: required }), params)
      await target.models.deleteRegisteredModelTag(target.key(request.name), request.key)
      return {}
    },
  },
  {
    method: 'POST',
    path: 'registered-models/alias',
    async handle(params, target) {
      const request = parseParams(z.object({ name: required, alias: required, version: required }), params)
      await target.models.setModelAlias(target.key(request.name), request.alias, target.key(modelVersionId(request.name, Number(request.version))))
      return {}
    },
  },
  {
    method: 'DELETE',
    path: 'registered-models/alias',
    async handle(params, target) {
      const request = parseParams(z.object({ name: required, alias: required }), params)
      await target.models.deleteModelAlias(target.key(request.name), request.alias)
      return {}
    },
  },
  {
    method: 'GET',
    path: 'registered-models/alias',
    async handle(params, target) {
      const request = parseParams(z.object({ name: required, alias: required }), params)
      const model = await requireModel(target, request.name)
      const alias = model.aliases.find((candidate) => candidate.alias === request.alias)
      if (!alias) throw new MlflowApiError('INVALID_PARAMETER_VALUE', `Registered model alias ${request.alias} not found.`)
      const version = await target.models.modelVersion(target.key(alias.versionNativeId))
      if (!version) throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', `Model Version (name=${request.name}, version=${alias.version}) not found`)
      return { model_version: modelVersionJson(version, { withAliases: true }) }
    },
  },
]

export async function requireModel(target: ApiTarget, modelName: string): Promise<RegisteredModel> {
  const model = await target.models.registeredModel(target.key(modelName))
  if (!model) throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${modelName} not found`)
  return model
}

const MODEL_ORDER_KEYS: Record<string, (model: RegisteredModel) => string | number> = {
  name: (model) => model.name,
  creation_timestamp: (model) => model.createdAt.getTime(),
  last_updated_timestamp: (model) => model.updatedAt.getTime(),
}

