import type { Backend, FilterPlan, Page, PageRequest } from '../contract/backend.js'
import { badInput } from '../errors.js'
import { decodeCursor, fingerprint } from './cursor.js'
import { type MergedPage, mergeSortedPages } from './merge.js'

/** Every list of the graph (experiments, runs, models, versions) pages through here. */

export const PAGE_SIZE = { default: 100, max: 1000 } as const

export interface ListPage<T> extends MergedPage<T> {
  /** Sums the backends' counts; null when any backend cannot count cheaply. */
  totalCount(): Promise<number | null>
}

export interface ListArgs {
  backends: readonly string[] | null
  first: number | null
  after: string | null
}

/** A filter as every list takes one: AND-ed predicates. */
interface Filter {
  all: readonly unknown[]
}

/** How one list reads one backend: the rest (planning, residual filtering, merging, counting) is the same for every list. */
export interface ListSource<T, F extends Filter, Q> {
  /** What the backend evaluates of the filter and what the gateway must (see contract/backend.ts, FilterPlan). */
  plan(backend: Backend, filter: F): FilterPlan<F>
  /** The backend's query, carrying the pushed-down part of the filter. */
  query(backend: Backend, pushed: F): Q
  list(backend: Backend, query: Q, page: PageRequest): Promise<Page<T>>
  /** Null when the backend cannot count cheaply. */
  count(backend: Backend, query: Q): Promise<number | null>
  /** The in-memory semantics of the residual filter (contract/filter-matching.ts). */
  matches(item: T, residual: F): boolean
}

/**
 * One page of a list spanning `backends`: each backend's filter planned once,
 * the pushed part sent with its query, the residual applied to what it
 * returns, pages merged in `compare` order. The cursor is bound to
 * `identity` (the list and its arguments), so a cursor from another query
 * is refused instead of silently misread. A backend with a residual filter
 * cannot count: the total is then null.
 */
export function federatedList<T, F extends Filter, Q>(
  args: ListArgs & { filter: F },
  list: { identity: object; backends: Backend[]; compare: (a: T, b: T) => number; source: ListSource<T, F, Q> },
): Promise<ListPage<T>> {
  const { source } = list
  const plans = new Map(
    list.backends.map((backend) => {
      const plan = source.plan(backend, args.filter)
      return [backend.id, { residual: plan.residual, query: source.query(backend, plan.pushed) }]
    }),
  )
  const planOf = (backend: Backend) => plans.get(backend.id)!
  return mergedList(args, list.identity, list.backends, list.compare, {
    fetch: async (backend, request) => {
      const { residual, query } = planOf(backend)
      const page = await source.list(backend, query, request)
      // The page may shrink or empty; the merge keeps following the backend's tokens to fill it (over-fetching), and cursor offsets index this filtered page.
      return residual.all.length === 0 ? page : { items: page.items.filter((item) => source.matches(item, residual)), nextToken: page.nextToken }
    },
    count: (backend) => (planOf(backend).residual.all.length > 0 ? Promise.resolve(null) : source.count(backend, planOf(backend).query)),
  })
}

/** One page of `backends`' pages merged in `compare` order, its cursor bound to `identity`. */
async function mergedList<T>(
  args: ListArgs,
  identity: unknown,
  backends: Backend[],
  compare: (a: T, b: T) => number,
  ops: {
    fetch: (backend: Backend, page: PageRequest) => Promise<Page<T>>
    /** Null when the backend cannot count cheaply (or a residual filter makes its count wrong). */
    count: (backend: Backend) => Promise<number | null>
  },
): Promise<ListPage<T>> {
  const first = args.first ?? PAGE_SIZE.default
  if (!Number.isInteger(first) || first < 0 || first > PAGE_SIZE.max) {
    throw badInput(`first must be between 0 and ${PAGE_SIZE.max}`)
  }
  const queryFingerprint = fingerprint({ identity, backends: backends.map((backend) => backend.id) })
  const page = await mergeSortedPages<T>({
    sources: backends.map((backend) => ({ backendId: backend.id, fetchPage: (request) => ops.fetch(backend, request) })),
    compare,
    first,
    after: args.after ? decodeCursor(args.after, queryFingerprint) : null,
    queryFingerprint,
  })
  return {
    ...page,
    totalCount: async () => {
      if (page.failures.length > 0) return null // a count without the failed backends would be a guess
      const counts = await Promise.all(backends.map((backend) => ops.count(backend).catch(() => null)))
      return counts.some((count) => count === null) ? null : counts.reduce<number>((sum, count) => sum + (count ?? 0), 0)
    },
  }
}
