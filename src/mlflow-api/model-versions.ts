import { z } from 'zod'
import { modelVersionId } from '../contract/model-version-id.js'
import type { ModelVersion } from '../domain.js'
import { IS_PROMPT_TAG, hidingPromptsAsMlflowDoes, parseMlflowVersionFilter } from '../federation/mlflow-filter.js'
import { checkModelVersionSource } from './model-version-source.js'
import { MlflowApiError } from './errors.js'
import { offsetFromToken, pageOf, pageSize, readAll } from './paging.js'
import { type OrderClause, sortByOrderClauses } from './order-by.js'
import { int64 } from '../mlflow-protocol/values.js'
import { bool, keyValues, parseParams, repeated, required, stage } from './params.js'
import type { Route } from './route.js'
import type { ApiTarget } from './target.js'
import { modelVersionJson, nonEmpty } from './answers.js'

/** A version named as MLflow names one: its model's name and its number (a string of digits on the wire). */
const versionRef = z.object({ name: required, version: z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(Number) })

/** What model-versions/search orders by (MLflow's SearchModelVersionUtils.VALID_ORDER_BY_ATTRIBUTE_KEYS). */
const VERSION_ORDER_KEYS: Record<string, (version: ModelVersion) => string | number> = {
  name: (version) => version.modelNativeId,
  version_number: (version) => version.version,
  creation_timestamp: (version) => version.createdAt.getTime(),
  last_updated_timestamp: (version) => version.updatedAt.getTime(),
}
const VERSION_TIE_BREAKERS: OrderClause[] = [
  { entity: 'attribute', key: 'name', ascending: true },
  { entity: 'attribute', key: 'version_number', ascending: false },
]

/** The model version `name` and `version` name (MLflow's request fields). */
export const versionIdOf = (params: Record<string, unknown>) => {
  const ref = parseParams(versionRef, params)
  return modelVersionId(ref.name, ref.version)
}

export const modelVersionRoutes: Route[] = [
  {
    method: 'POST',
    path: 'model-versions/create',
    async handle(params, target) {
      const request = parseParams(
        z.object({
          name: required,
          source: required,
          run_id: z.string().optional(),
          model_id: z.string().optional(),
          tags: keyValues,
          description: z.string().optional(),
        }),
        params,
      )
      const isPrompt = request.tags.findLast((tag) => tag.key === IS_PROMPT_TAG)?.value.toLowerCase() === 'true'
      const modelId = request.model_id || null
      await checkModelVersionSource(request.source, { runId: request.run_id || null, modelId, isPrompt }, {
        runArtifactRoot: async (runId) => (await target.tracking.run(target.key(runId)))?.artifactUri ?? null,
        modelArtifactRoot: async (id) => (await loggedModel(target, id))?.artifactLocation ?? null,
      })
      // The store refuses a version of a model that does not exist (RESOURCE_DOES_NOT_EXIST).
      const version = await target.models.createModelVersion({
        model: target.key(request.name),
        source: request.source,
        // MLflow 3 registers a logged model by its id; the version's run is the one that logged it.
        runId: request.run_id || (await sourceRunOf(target, modelId ?? loggedModelIdOf(request.source))),
        description: request.description ?? null,
        tags: request.tags,
      })
      // As MLflow's server does: the logged model lists the versions registered from it.
      if (modelId && !isPrompt) await target.loggedModels.recordModelVersion(target.key(modelId), version.modelNativeId, version.version)
      return { model_version: modelVersionJson(version, { withAliases: false }) }
    },
  },
  {
    method: 'GET',
    path: 'model-versions/get',
    async handle(params, target) {
      return { model_version: modelVersionJson(await requireVersion(target, versionIdOf(params)), { withAliases: true }) }
    },
  },
  {
    method: 'GET',
    path: 'model-versions/search',
    async handle(params, target) {
      const request = parseParams(
        z.object({ filter: z.string().optional(), max_results: int64.optional(), order_by: repeated(z.string()).default([]), page_token: z.string().optional() }),
        params,
      )
      const size = pageSize(request.max_results, { default: 10_000, max: 200_000 })
      const filter = hidingPromptsAsMlflowDoes(request.filter ? parseMlflowVersionFilter(request.filter, 'filter') : { all: [] })
      const { models } = target
      // MLflow's order (its SQL store): the requested one, by default the last updated first; then name, then newest version.
      const all = await readAll((first, after) => models.listModelVersions({ backends: null, models: null, first, after, filter }))
      const orderBy = request.order_by.length > 0 ? request.order_by : ['last_updated_timestamp DESC']
      const sorted = sortByOrderClauses(all, orderBy, VERSION_ORDER_KEYS, VERSION_TIE_BREAKERS, 'model versions')
      const page = pageOf(sorted, offsetFromToken(request.page_token), size)
      return {
        ...nonEmpty('model_versions', page.items.map((version) => modelVersionJson(version, { withAliases: false }))),
        ...(page.nextPageToken && { next_page_token: page.nextPageToken }),
      }
    },
  },
  {
    method: 'PATCH',
    path: 'model-versions/update',
    async handle(params, target) {
      const { description } = parseParams(z.object({ description: z.string().optional() }), params)
      const version = await target.models.updateModelVersion(target.key(versionIdOf(params)), { description: description ?? null })
      return { model_version: modelVersionJson(version, { withAliases: false }) }
    },
  },
  {
    method: 'DELETE',
    path: 'model-versions/delete',
    async handle(params, target) {
      await target.models.deleteModelVersion(target.key(versionIdOf(params)))
      return {}
    },
  },
  {
    method: 'POST',
    path: 'model-versions/transition-stage',
    async handle(params, target) {
      const request = parseParams(z.object({ stage, archive_existing_versions: bool.default(false) }), params)
      const version = await target.models.transitionModelVersion(target.key(versionIdOf(params)), request.stage, request.archive_existing_versions)
      return { model_version: modelVersionJson(version, { withAliases: false }) }
    },
  },
  {
    method: 'POST',
    path: 'model-versions/set-tag',
    async handle(params, target) {
      const request = parseParams(z.object({ key: required, value: z.string() }), params)
      await target.models.setModelVersionTags(target.key(versionIdOf(params)), [request])
      return {}
    },
  },
  {
    method: 'DELETE',
    path: 'model-versions/delete-tag',
    async handle(params, target) {
      await target.models.deleteModelVersionTag(target.key(versionIdOf(params)), parseParams(z.object({ key: required }), params).key)
      return {}
    },
  },
  {
    method: 'GET',
    path: 'model-versions/get-download-uri',
    async handle(params, target) {
      return { artifact_uri: await downloadUri(target, await requireVersion(target, versionIdOf(params))) }
    },
  },
]

export async function requireVersion(target: ApiTarget, id: string): Promise<ModelVersion> {
  const version = await target.models.modelVersion(target.key(id))
  if (!version) {
    const slash = id.lastIndexOf('/')
    throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', `Model Version (name=${id.slice(0, slash)}, version=${id.slice(slash + 1)}) not found`)
  }
  return version
}

/** The logged model a `models:/m-<id>` source names. */
function loggedModelIdOf(source: string): string | null {
  return /^models:\/(m-[0-9a-f]{32})$/.exec(source)?.[1] ?? null
}

async function loggedModel(target: ApiTarget, id: string | null) {
  if (!id || !target.loggedModels.keptBy(target.id)) return null
  return target.loggedModels.loggedModel(target.key(id))
}

async function sourceRunOf(target: ApiTarget, loggedModelId: string | null): Promise<string | null> {
  return (await loggedModel(target, loggedModelId))?.sourceRunId ?? null
}

/** Where a version's files are: a logged model's artifact location for `models:/m-...` sources, else the source itself. */
/** Where a version's files are: its logged model's location, or its source (MLflow's get_model_version_download_uri). */
export async function downloadUri(target: ApiTarget, version: ModelVersion): Promise<string> {
  const source = version.source ?? ''
  // A run's files (`runs:/<run>/<path>`) are where the run keeps its artifacts, as MLflow resolves its storage location.
  const runSource = /^runs:\/([^/]+)\/?(.*)$/.exec(source)
  if (runSource) {
    const [run] = await target.tracking.runs([target.key(runSource[1])])
    if (run?.artifactUri) return runSource[2] ? `${run.artifactUri.replace(/\/+$/, '')}/${runSource[2]}` : run.artifactUri
  }
  return (await loggedModel(target, loggedModelIdOf(source)))?.artifactLocation ?? source
}
