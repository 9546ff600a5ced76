import type { RunOrder } from '../contract/backend.js'
import type { Experiment, ModelVersion, RegisteredModel, Run } from '../domain.js'

/**
 * The total orders merged lists are sorted in. Every backend returns its
 * pages in the same order, so these comparators and the adapters' ORDER BY
 * clauses must agree. They follow MLflow's search order, so an MLflow
 * server's pages need no re-sorting: missing values sort last in either
 * direction, NaN after every number (and before missing values), strings
 * compare by code unit, then start time (newest first) and the run id break
 * ties. Native ids that are all digits (experiment ids) compare as numbers.
 */

export function compareExperiments(a: Experiment, b: Experiment): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || compareRecordIds(a, b)
}

/** Registered models by name, as MLflow lists them; models of the same name on several backends by id. */
export function compareRegisteredModels(a: RegisteredModel, b: RegisteredModel): number {
  return compareStrings(a.name, b.name) || compareRecordIds(a, b)
}

/** Versions grouped by model name, newest version first. */
export function compareModelVersions(a: ModelVersion, b: ModelVersion): number {
  return compareStrings(a.modelNativeId, b.modelNativeId) || b.version - a.version || compareRecordIds(a, b)
}

const START_TIME_DESC: RunOrder = { field: 'startTime', direction: 'desc' }

/** A run order with MLflow's tie-breakers: the caller's terms, then start time (newest first) unless already there. */
export function withRunTieBreakers(orderBy: readonly RunOrder[]): RunOrder[] {
  return orderBy.some((order) => order.field === 'startTime') ? [...orderBy] : [...orderBy, START_TIME_DESC]
}

/** Compares by the given terms (already with tie-breakers), then by id. */
export function runComparator(orderBy: readonly RunOrder[]): (a: Run, b: Run) => number {
  return (a, b) => {
    for (const order of orderBy) {
      const result = compareValues(sortValue(a, order), sortValue(b, order), order.direction)
      if (result !== 0) return result
    }
    return compareRecordIds(a, b)
  }
}

/** Backend id, then native id: numerically when both are digit strings, else by code unit. */
export function compareRecordIds(a: { backendId: string; nativeId: string }, b: { backendId: string; nativeId: string }): number {
  return compareStrings(a.backendId, b.backendId) || compareNativeIds(a.nativeId, b.nativeId)
}

function compareNativeIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || compareStrings(a, b)
  return compareStrings(a, b)
}

function sortValue(run: Run, order: RunOrder): number | string | null {
  switch (order.field) {
    case 'startTime':
      return run.startTime?.getTime() ?? null
    case 'endTime':
      return run.endTime?.getTime() ?? null
    case 'name':
      return run.name
    case 'status':
      return run.status
    case 'metric':
      return run.metrics.find((metric) => metric.key === order.key)?.value ?? null
    case 'param':
      return ownValue(run.params, order.key)
    case 'tag':
      return ownValue(run.tags, order.key)
  }
}

/** A param's or tag's value; null when the run has none (never an inherited property such as `constructor`). */
function ownValue(values: Record<string, string>, key: string | undefined): string | null {
  return key !== undefined && Object.hasOwn(values, key) ? values[key] : null
}

/** Missing values, then NaN, sort last whatever the direction; the rest by value. */
function compareValues(a: number | string | null, b: number | string | null, direction: 'asc' | 'desc'): number {
  const rank = (value: number | string | null) => (value === null ? 2 : typeof value === 'number' && Number.isNaN(value) ? 1 : 0)
  const byRank = rank(a) - rank(b)
  if (byRank !== 0 || rank(a) !== 0) return byRank
  const ascending = typeof a === 'string' || typeof b === 'string' ? compareStrings(String(a), String(b)) : (a as number) - (b as number) || 0
  return direction === 'asc' ? Math.sign(ascending) : -Math.sign(ascending)
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
