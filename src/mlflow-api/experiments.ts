import { z } from 'zod'
import { requestedArtifactLocation } from './artifact-location.js'
import type { Experiment } from '../domain.js'
import type { ExperimentFilter, LifecycleView } from '../contract/filter.js'
import { parseMlflowExperimentFilter } from '../federation/mlflow-filter.js'
import { MlflowApiError, invalidParameter } from './errors.js'
import { sortByOrderClauses } from './order-by.js'
import { pageOf, offsetFromToken, pageSize, readAll } from './paging.js'
import { int64 } from '../mlflow-protocol/values.js'
import { viewType } from '../mlflow-protocol/records.js'
import { keyValues, parseParams, repeated, required } from './params.js'
import type { Route } from './route.js'
import type { ApiTarget } from './target.js'
import { experimentJson, nonEmpty } from './answers.js'


const experimentId = z.object({ experiment_id: required })
/** MLflow's cap on one search-datasets request (handlers.py, search_datasets_impl: MAX_EXPERIMENT_IDS_PER_REQUEST). */
const SEARCH_DATASETS_MAX_EXPERIMENTS = 20

export const experimentRoutes: Route[] = [
  {
    method: 'POST',
    path: 'experiments/create',
    conflict: 'RESOURCE_ALREADY_EXISTS',
    async handle(params, target) {
      const request = parseParams(z.object({ name: required, artifact_location: z.string().optional(), tags: keyValues }), params)
      const artifactLocation = request.artifact_location ? requestedArtifactLocation(request.artifact_location) : null
      const experiment = await target.tracking.createExperiment({ backendId: target.id, name: request.name, tags: request.tags, artifactLocation })
      return { experiment_id: experiment.nativeId }
    },
  },
  {
    method: 'GET',
    path: 'experiments/get',
    async handle(params, target) {
      return { experiment: experimentJson(await requireExperiment(target, parseParams(experimentId, params).experiment_id)) }
    },
  },
  {
    // The UI's route (MLflow serves it under ajax-api): which datasets an experiment's runs used, in which roles.
    method: 'POST',
    path: 'experiments/search-datasets',
    async handle(params, target) {
      const { experiment_ids: ids } = parseParams(z.object({ experiment_ids: repeated(z.string()).default([]) }), params)
      if (ids.length === 0) throw invalidParameter('SearchDatasets request must specify at least one experiment_id.')
      if (ids.length > SEARCH_DATASETS_MAX_EXPERIMENTS) {
        throw invalidParameter(`SearchDatasets request cannot specify more than ${SEARCH_DATASETS_MAX_EXPERIMENTS} experiment_ids. Received ${ids.length} experiment_ids.`)
      }
      const summaries = await target.tracking.datasetSummaries(ids.map((id) => target.key(id)))
      return nonEmpty(
        'dataset_summaries',
        summaries.map((summary) => ({ experiment_id: summary.experimentNativeId, name: summary.name, digest: summary.digest, ...(summary.context !== null && { context: summary.context }) })),
      )
    },
  },
  {
    method: 'GET',
    path: 'experiments/get-by-name',
    async handle(params, target) {
      const { experiment_name: name } = parseParams(z.object({ experiment_name: required }), params)
      const matches = await allExperiments(target, { all: [{ field: 'name', op: 'EQ', value: name }] }, 'all')
      // An active experiment wins over deleted ones of the same name.
      const experiment = matches.find((candidate) => candidate.lifecycleStage === 'active') ?? matches[0]
      if (!experiment) throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`)
      return { experiment: experimentJson(experiment) }
    },
  },
  ...(['GET', 'POST'] as const).map(
    (method): Route => ({
      method,
      path: 'experiments/search',
      async handle(params, target) {
        const request = parseParams(
          z.object({
            max_results: int64.optional(),
            page_token: z.string().optional(),
            filter: z.string().optional(),
            order_by: repeated(z.string()).default([]),
            view_type: viewType,
          }),
          params,
        )
        const size = pageSize(request.max_results, { default: 1000, max: 50_000 })
        const filter = request.filter ? parseMlflowExperimentFilter(request.filter, 'filter') : { all: [] }
        const experiments = sortByOrderClauses(
          await allExperiments(target, filter, request.view_type),
          request.order_by,
          EXPERIMENT_ORDER_KEYS,
          // MLflow's default: newest first, then id.
          [{ entity: 'attribute', key: 'creation_time', ascending: false }, { entity: 'attribute', key: 'experiment_id', ascending: true }],
          'experiments',
        )
        const page = pageOf(experiments, offsetFromToken(request.page_token), size)
        return { ...nonEmpty('experiments', page.items.map(experimentJson)), ...(page.nextPageToken && { next_page_token: page.nextPageToken }) }
      },
    }),
  ),
  {
    method: 'POST',
    path: 'experiments/update',
    conflict: 'RESOURCE_ALREADY_EXISTS',
    async handle(params, target) {
      const { experiment_id: id, new_name: name } = parseParams(z.object({ experiment_id: required, new_name: z.string().optional() }), params)
      if (name !== undefined) {
        if (name.trim().length === 0) throw invalidParameter('The experiment name must not be empty.')
        await target.tracking.renameExperiment(target.key(id), name)
      }
      return {}
    },
  },
  {
    method: 'POST',
    path: 'experiments/delete',
    async handle(params, target) {
      await target.tracking.deleteExperiment(target.key(parseParams(experimentId, params).experiment_id))
      return {}
    },
  },
  {
    method: 'POST',
    path: 'experiments/restore',
    async handle(params, target) {
      await target.tracking.restoreExperiment(target.key(parseParams(experimentId, params).experiment_id))
      return {}
    },
  },
  {
    method: 'POST',
    path: 'experiments/set-experiment-tag',
    async handle(params, target) {
      const { experiment_id: id, key, value } = parseParams(z.object({ experiment_id: required, key: required, value: z.string() }), params)
      await target.tracking.setExperimentTags(target.key(id), [{ key, value }])
      return {}
    },
  },
  {
    method: 'POST',
    path: 'experiments/delete-experiment-tag',
    async handle(params, target) {
      const { experiment_id: id, key } = parseParams(z.object({ experiment_id: required, key: required }), params)
      await target.tracking.deleteExperimentTag(target.key(id), key)
      return {}
    },
  },
]

export async function requireExperiment(target: ApiTarget, id: string): Promise<Experiment> {
  const experiment = await target.tracking.experiment(target.key(id))
  if (!experiment) throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${id} exists`)
  return experiment
}

/** Every experiment that matches (experiments number in the hundreds, not millions: this API sorts them itself). */
function allExperiments(target: ApiTarget, filter: ExperimentFilter, lifecycle: LifecycleView): Promise<Experiment[]> {
  const { tracking } = target
  return readAll((first, after) => tracking.listExperiments({ backends: null, first, after, filter, lifecycle }))
}

const EXPERIMENT_ORDER_KEYS: Record<string, (experiment: Experiment) => string | number> = {
  name: (experiment) => experiment.name,
  experiment_id: (experiment) => Number(experiment.nativeId),
  creation_time: (experiment) => experiment.createdAt.getTime(),
  last_update_time: (experiment) => experiment.updatedAt.getTime(),
}

