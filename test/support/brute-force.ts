import type { RunFilter, RunOrder, RunStatus } from '../generated/graphql.js'

/**
 * Brute-force answers for run searches, written independently of the
 * gateway's code: what filtering and sorting the generated runs in plain
 * TypeScript gives, with MLflow's semantics.
 */

export interface GeneratedRun {
  id: string
  experiment: number
  name: string
  status: RunStatus
  startTime: number
  params: Record<string, string>
  tags: Record<string, string>
  metrics: Record<string, number>
}

/** A deterministic generator, so a failure reproduces. */
export function random(seed: number) {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}

function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = [...pattern].map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's')
}

export function matchString(op: string, actual: string | undefined, expected: string): boolean {
  if (actual === undefined) return false
  switch (op) {
    case 'EQ':
      return actual === expected
    case 'NEQ':
      return actual !== expected
    case 'LIKE':
      return likeToRegExp(expected, false).test(actual)
    case 'ILIKE':
      return likeToRegExp(expected, true).test(actual)
  }
  throw new Error(op)
}

/** IEEE comparisons, as MLflow does them: NaN matches only NEQ. */
function matchNumber(op: string, actual: number | undefined, expected: number): boolean {
  if (actual === undefined) return false
  return { EQ: actual === expected, NEQ: actual !== expected, GT: actual > expected, GTE: actual >= expected, LT: actual < expected, LTE: actual <= expected }[op] ?? false
}

export function bruteFilter(runs: GeneratedRun[], filter: RunFilter): GeneratedRun[] {
  return runs.filter(
    (run) =>
      (!filter.status || filter.status.includes(run.status)) &&
      (!filter.name || matchString(filter.name.op ?? 'EQ', run.name, filter.name.value)) &&
      (filter.params ?? []).every((c) => matchString(c.op ?? 'EQ', run.params[c.key], c.value)) &&
      (filter.tags ?? []).every((c) => matchString(c.op ?? 'EQ', run.tags[c.key], c.value)) &&
      (filter.metrics ?? []).every((c) => matchNumber(c.op, run.metrics[c.key], c.value)) &&
      (!filter.startTime?.from || run.startTime >= Date.parse(filter.startTime.from)) &&
      (!filter.startTime?.to || run.startTime < Date.parse(filter.startTime.to)),
  )
}

/** MLflow's order: missing values, then NaN, last either way (params and tags compare as strings); then start time (newest first), then id. */
export function bruteSort(runs: GeneratedRun[], orderBy: RunOrder[]): string[] {
  const orders: RunOrder[] = orderBy.length > 0 ? [...orderBy] : [{ field: 'START_TIME', direction: 'DESC' }]
  if (!orders.some((order) => order.field === 'START_TIME')) orders.push({ field: 'START_TIME', direction: 'DESC' })
  const valueOf = (run: GeneratedRun, order: RunOrder): number | string | undefined => {
    const key = order.key ?? order.metricKey ?? ''
    switch (order.field) {
      case 'START_TIME':
        return run.startTime
      case 'NAME':
        return run.name
      case 'STATUS':
        return run.status
      case 'METRIC':
        return run.metrics[key]
      case 'PARAM':
        return Object.hasOwn(run.params, key) ? run.params[key] : undefined
      case 'TAG':
        return Object.hasOwn(run.tags, key) ? run.tags[key] : undefined
      default:
        return undefined
    }
  }
  const rank = (value: number | string | undefined) => (value === undefined ? 2 : typeof value === 'number' && Number.isNaN(value) ? 1 : 0)
  return [...runs]
    .sort((a, b) => {
      for (const order of orders) {
        const x = valueOf(a, order)
        const y = valueOf(b, order)
        if (rank(x) !== rank(y)) return rank(x) - rank(y)
        if (rank(x) !== 0) continue
        const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : (x as string) < (y as string) ? -1 : (x as string) > (y as string) ? 1 : 0
        if (cmp !== 0) return order.direction === 'ASC' ? cmp : -cmp
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
    })
    .map((run) => run.id)
}
