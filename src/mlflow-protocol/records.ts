import { z } from 'zod'
import type { LifecycleView } from '../contract/filter.js'
import { RUN_STATUSES } from '../domain.js'
import { datasetInputSchema, double, int64, keyValue, stageFromWire } from './values.js'

/**
 * MLflow's REST API 2.0 records, as zod schemas: the MLflow adapter parses
 * a server's answers with them (output types), and the MLflow API's answers
 * are typed by them (input types, see mlflow-api/answers.ts), so the two
 * sides cannot drift apart. Optional fields may be missing.
 */

/** MLflow's view types and the lifecycle views they are, both ways. */
export const VIEW_TYPE_OF: Record<LifecycleView, 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL'> = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' }
export const viewType = z
  .enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'])
  .default('ACTIVE_ONLY')
  .transform((wire) => (Object.keys(VIEW_TYPE_OF) as LifecycleView[]).find((view) => VIEW_TYPE_OF[view] === wire)!)

export const experimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string().optional(),
  lifecycle_stage: z.enum(['active', 'deleted']).default('active'),
  creation_time: int64.optional(),
  last_update_time: int64.optional(),
  tags: z.array(keyValue).default([]),
  workspace: z.string().optional(),
})

export const metricSchema = z.object({
  key: z.string(),
  value: double,
  timestamp: int64.default(0),
  step: int64.default(0),
})

export const runSchema = z.object({
  info: z.object({
    run_id: z.string().optional(),
    run_uuid: z.string().optional(),
    experiment_id: z.string(),
    run_name: z.string().optional(),
    user_id: z.string().optional(),
    status: z.enum(RUN_STATUSES).default('RUNNING'),
    start_time: int64.optional(),
    end_time: int64.optional(),
    artifact_uri: z.string().optional(),
    lifecycle_stage: z.enum(['active', 'deleted']).default('active'),
  }),
  data: z
    .object({
      metrics: z.array(metricSchema).default([]),
      params: z.array(keyValue).default([]),
      tags: z.array(keyValue).default([]),
    })
    .default({ metrics: [], params: [], tags: [] }),
  inputs: z
    .object({
      dataset_inputs: z.array(datasetInputSchema).default([]),
      model_inputs: z.array(z.object({ model_id: z.string() })).default([]),
    })
    .default({ dataset_inputs: [], model_inputs: [] }),
  outputs: z
    .object({ model_outputs: z.array(z.object({ model_id: z.string(), step: int64.default(0) })).default([]) })
    .default({ model_outputs: [] }),
})

export const searchExperimentsResponse = z.object({
  experiments: z.array(experimentSchema).default([]),
  next_page_token: z.string().optional(),
})
export const getExperimentResponse = z.object({ experiment: experimentSchema })
export const createExperimentResponse = z.object({ experiment_id: z.string() })

export const searchRunsResponse = z.object({
  runs: z.array(runSchema).default([]),
  next_page_token: z.string().optional(),
})
export const getRunResponse = z.object({ run: runSchema })

/** The UI's experiments/search-datasets (served under ajax-api). */
export const datasetSummarySchema = z.object({ experiment_id: z.string(), name: z.string(), digest: z.string(), context: z.string().optional() })
export const searchDatasetsResponse = z.object({ dataset_summaries: z.array(datasetSummarySchema).default([]) })

export const metricHistoryResponse = z.object({
  metrics: z.array(metricSchema).default([]),
  next_page_token: z.string().optional(),
})

export const modelVersionSchema = z.object({
  name: z.string(),
  version: int64,
  creation_timestamp: int64.optional(),
  last_updated_timestamp: int64.optional(),
  current_stage: z
    .string()
    .optional()
    // MLflow spells stages in title case, and older servers in any case.
    .transform((stage) => stageFromWire(stage ?? 'None') ?? 'NONE'),
  description: z.string().optional(),
  source: z.string().optional(),
  run_id: z.string().optional(),
  status: z.string().optional(),
  run_link: z.string().optional(),
  tags: z.array(keyValue).default([]),
  aliases: z.array(z.string()).default([]),
})

export const registeredModelSchema = z.object({
  name: z.string(),
  creation_timestamp: int64.optional(),
  last_updated_timestamp: int64.optional(),
  description: z.string().optional(),
  tags: z.array(keyValue).default([]),
  aliases: z.array(z.object({ alias: z.string(), version: int64 })).default([]),
  latest_versions: z.array(modelVersionSchema).default([]),
})

export const searchRegisteredModelsResponse = z.object({
  registered_models: z.array(registeredModelSchema).default([]),
  next_page_token: z.string().optional(),
})
export const getRegisteredModelResponse = z.object({ registered_model: registeredModelSchema })

export const searchModelVersionsResponse = z.object({
  model_versions: z.array(modelVersionSchema).default([]),
  next_page_token: z.string().optional(),
})
export const getModelVersionResponse = z.object({ model_version: modelVersionSchema })

export type WireExperiment = z.infer<typeof experimentSchema>
export type WireRun = z.infer<typeof runSchema>
export type WireMetric = z.infer<typeof metricSchema>
export type WireRegisteredModel = z.infer<typeof registeredModelSchema>
export type WireModelVersion = z.infer<typeof modelVersionSchema>
