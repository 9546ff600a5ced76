import type { RunOrder } from '../adapters/backend.js'
import type { Experiment, Run } from '../domain.js'
import { encodeGlobalId } from '../ids.js'

/**
 * The total orders merged lists are sorted in. Every backend returns its
 * pages in the same order, so these comparators and the adapters' ORDER BY
 * clauses must agree: missing values sort last in either direction, NaN
 * sorts above every number (PostgreSQL's rule), strings compare by code
 * unit, and the global id breaks every tie.
 */

export function compareExperiments(a: Experiment, b: Experiment): number {
  return (
    b.createdAt.getTime() - a.createdAt.getTime() ||
    compareStrings(encodeGlobalId('Experiment', a.backendId, a.nativeId), encodeGlobalId('Experiment', b.backendId, b.nativeId))
  )
}

export function runComparator(orderBy: readonly RunOrder[]): (a: Run, b: Run) => number {
  return (a, b) => {
    for (const order of orderBy) {
      const result = compareValues(sortValue(a, order), sortValue(b, order), order.direction)
      if (result !== 0) return result
    }
    return compareStrings(encodeGlobalId('Run', a.backendId, a.nativeId), encodeGlobalId('Run', b.backendId, b.nativeId))
  }
}

function sortValue(run: Run, order: RunOrder): number | string | null {
  switch (order.field) {
    case 'startTime':
      return run.startTime?.getTime() ?? null
    case 'endTime':
      return run.endTime?.getTime() ?? null
    case 'name':
      return run.name
    case 'metric':
      return run.metrics.find((metric) => metric.key === order.metricKey)?.value ?? null
  }
}

function compareValues(a: number | string | null, b: number | string | null, direction: 'asc' | 'desc'): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1
  const ascending =
    typeof a === 'string' || typeof b === 'string' ? compareStrings(String(a), String(b)) : compareNumbers(a, b)
  return direction === 'asc' ? ascending : -ascending
}

function compareNumbers(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) === Number.isNaN(b) ? 0 : Number.isNaN(a) ? 1 : -1
  return a < b ? -1 : a > b ? 1 : 0
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
