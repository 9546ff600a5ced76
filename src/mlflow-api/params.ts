import { z } from 'zod'
import { invalidParameter } from './errors.js'

/**
 * Request fields as MLflow's clients send them: JSON bodies for POST,
 * PATCH and DELETE, query strings for GET (every value a string, a repeated
 * field a repeated name). The helpers accept both spellings.
 */

/** An int64: a JSON number, or a string of digits (protobuf JSON and query strings). */
export const int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)])

/** A double: a JSON number, or MLflow's "NaN" / "Infinity" / "-Infinity" (and numeric strings from query strings). */
export const double = z.union([
  z.number(),
  z
    .string()
    .regex(/^(NaN|-?Infinity|[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)$/i)
    .transform((text) => (/^nan$/i.test(text) ? Number.NaN : /^-infinity$/i.test(text) ? -Infinity : /^infinity$/i.test(text) ? Infinity : Number(text))),
])

export const bool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False']).transform((text) => text.toLowerCase() === 'true')])

/** A repeated field: a query string gives a lone value as a string. */
export const repeated = <T extends z.ZodType>(item: T) => z.preprocess((value) => (value === undefined || Array.isArray(value) ? value : [value]), z.array(item))

export const keyValue = z.object({ key: z.string(), value: z.string().default('') })
export const keyValues = repeated(keyValue).default([])

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
