import { z } from 'zod'
import { keyValue, stageFromWire } from '../mlflow-protocol/values.js'
import { invalidParameter } from './errors.js'

/**
 * Request fields as MLflow's clients send them: JSON bodies for POST,
 * PATCH and DELETE, query strings for GET (every value a string, a repeated
 * field a repeated name). The helpers accept both spellings; MLflow's value
 * shapes (int64, double, key/value) are in `src/mlflow-wire.ts`.
 */

export const bool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False']).transform((text) => text.toLowerCase() === 'true')])

/** A repeated field: a query string gives a lone value as a string. */
export const repeated = <T extends z.ZodType>(item: T) => z.preprocess((value) => (value === undefined || Array.isArray(value) ? value : [value]), z.array(item))

export const keyValues = repeated(keyValue).default([])

/** A model version stage in MLflow's spelling (any case). */
export const stage = z.string().transform((text, ctx) => {
  const parsed = stageFromWire(text)
  if (parsed) return parsed
  ctx.addIssue({ code: 'custom', message: `Invalid Model Version stage: ${text}. Value must be one of None, Staging, Production, Archived.`, input: text })
  return z.NEVER
})

/** A required string that must not be empty, named as MLflow names it in its message. */
export const required = z.string().min(1)

/** Validates a request; the first problem becomes MLflow's INVALID_PARAMETER_VALUE naming the field. */
export function parseParams<T extends z.ZodType>(schema: T, params: Record<string, unknown>): z.output<T> {
  const result = schema.safeParse(params)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const field = issue.path.join('.')
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    throw invalidParameter(`Missing value for required parameter '${field}'.`)
  }
  throw invalidParameter(`Invalid value for parameter '${field}': ${issue.message}`)
}

/** Requests name a run by `run_id` or, from older clients, `run_uuid`. */
const runRef = z
  .object({ run_id: z.string().optional(), run_uuid: z.string().optional() })
  .transform((ref, ctx) => {
    const id = ref.run_id || ref.run_uuid
    if (!id) {
      ctx.addIssue({ code: 'invalid_type', expected: 'string', path: ['run_id'], input: undefined })
      return z.NEVER
    }
    return id
  })

/** The run a request names. */
export const runIdOf = (params: Record<string, unknown>): string => parseParams(runRef, params)
