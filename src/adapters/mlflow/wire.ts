import { z } from 'zod'

/**
 * The MLflow REST API 2.0 shapes this adapter reads, validated at the
 * boundary. Numbers may arrive as strings (int64 fields in protobuf JSON;
 * "NaN"/"Infinity" for doubles); optional fields may be missing.
 */
const int64 = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform(Number)
const double = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).transform(Number)
const keyValue = z.object({ key: z.string(), value: z.string().default('') })

export const experimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string().optional(),
  lifecycle_stage: z.enum(['active', 'deleted']).default('active'),
  creation_time: int64.optional(),
  last_update_time: int64.optional(),
  tags: z.array(keyValue).default([]),
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
    status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']).default('RUNNING'),
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

export const metricHistoryResponse = z.object({
  metrics: z.array(metricSchema).default([]),
  next_page_token: z.string().optional(),
})

export type WireExperiment = z.infer<typeof experimentSchema>
export type WireRun = z.infer<typeof runSchema>
export type WireMetric = z.infer<typeof metricSchema>
