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

/** What MLflow's server adds to every request-validation message (mlflow/server/handlers.py, `_validate_param_against_schema`). */
const SEE_THE_DOCS = 'See the API docs for more information about request parameters.'

/**
 * Validates a request; the first problem becomes MLflow's
 * INVALID_PARAMETER_VALUE in MLflow's words: a missing (or empty) field is
 * "Missing value for required parameter", a value of the wrong shape is
 * "Invalid value <json> for parameter ... supplied" with the type Python
 * would name, a rule of the field's own says what it says.
 */
export function parseParams<T extends z.ZodType>(schema: T, params: Record<string, unknown>): z.output<T> {
  const result = schema.safeParse(params)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const field = String(issue.path[0] ?? '')
  const value = params[field]
  if (value === undefined || value === '') {
    throw invalidParameter(`Missing value for required parameter '${field}'. ${SEE_THE_DOCS}`)
  }
  if (issue.code === 'custom') throw invalidParameter(`${issue.message} ${SEE_THE_DOCS}`)
  throw invalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied:  Hint: Value was of type '${pythonTypeOf(value)}'. ${SEE_THE_DOCS}`)
}

/** The name Python gives the type of a JSON value, as MLflow's messages quote it. */
function pythonTypeOf(value: unknown): string {
  if (value === null) return 'NoneType'
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  return { string: 'str', boolean: 'bool', object: 'dict' }[typeof value as 'string' | 'boolean' | 'object'] ?? typeof value
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
