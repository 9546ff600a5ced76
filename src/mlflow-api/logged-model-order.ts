import { z } from 'zod'
import { LOGGED_MODEL_STATUSES, type LoggedModel } from '../domain.js'
import { invalidParameter } from './errors.js'

/** One `order_by` entry of logged-models/search, as MLflow's client sends it. */
export const loggedModelOrderSchema = z.object({
  field_name: z.string(),
  ascending: z.boolean().default(true),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
})
export type LoggedModelOrder = z.infer<typeof loggedModelOrderSchema>

type Value = string | number | null

/** The columns MLflow's SQL store orders logged models by (SqlLoggedModel, with its aliases). */
const ATTRIBUTES: Record<string, (model: LoggedModel) => Value> = {
  model_id: (model) => model.nativeId,
  experiment_id: (model) => Number(model.experimentNativeId),
  name: (model) => model.name,
  artifact_location: (model) => model.artifactLocation,
  creation_timestamp_ms: (model) => model.createdAt.getTime(),
  last_updated_timestamp_ms: (model) => model.updatedAt.getTime(),
  // Stored as its enum number (PENDING 1, READY 2, FAILED 3).
  status: (model) => LOGGED_MODEL_STATUSES.indexOf(model.status) + 1,
  lifecycle_stage: (model) => model.lifecycleStage,
}
const ALIASES: Record<string, string> = { creation_time: 'creation_timestamp_ms', creation_timestamp: 'creation_timestamp_ms', last_updated_timestamp: 'last_updated_timestamp_ms' }

/**
 * MLflow's order for logged-models/search (its SQL store,
 * _apply_order_by_search_logged_models): each entry an attribute or
 * `metrics.<name>` (the model's latest value of that metric, optionally on
 * one dataset: latest by timestamp, then step), missing values last either
 * way; then, unless already ordered by them, newest first and model id.
 */
export function sortLoggedModels(models: LoggedModel[], orderBy: readonly LoggedModelOrder[]): LoggedModel[] {
  const keys = orderBy.map((order) => ({ value: valueOf(order), ascending: order.ascending }))
  const named = new Set(orderBy.map((order) => ALIASES[order.field_name] ?? order.field_name))
  if (!named.has('creation_timestamp_ms')) keys.push({ value: ATTRIBUTES.creation_timestamp_ms, ascending: false })
  if (!named.has('model_id')) keys.push({ value: ATTRIBUTES.model_id, ascending: true })
  return [...models].sort((a, b) => {
    for (const key of keys) {
      const [x, y] = [key.value(a), key.value(b)]
      if ((x === null) !== (y === null)) return x === null ? 1 : -1
      if (x === null || y === null || x === y) continue
      return (x < y ? -1 : 1) * (key.ascending ? 1 : -1)
    }
    return 0
  })
}

function valueOf(order: LoggedModelOrder): (model: LoggedModel) => Value {
  const field = order.field_name
  if (!field.includes('.')) {
    const attribute = ATTRIBUTES[ALIASES[field] ?? field]
    if (!attribute) throw invalidParameter(`Invalid order by field name: ${field}`)
    return attribute
  }
  const [entity, name] = [field.slice(0, field.indexOf('.')), field.slice(field.indexOf('.') + 1)]
  if (entity !== 'metrics') throw invalidParameter(`Invalid order by field name: ${field}. Only metrics are supported.`)
  return (model) => {
    const points = model.metrics.filter(
      (metric) =>
        metric.key === name &&
        (order.dataset_name === undefined || metric.datasetName === order.dataset_name) &&
        (order.dataset_digest === undefined || metric.datasetDigest === order.dataset_digest),
    )
    const latest = points.sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || b.step - a.step || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0))[0]
    return latest?.value ?? null
  }
}
