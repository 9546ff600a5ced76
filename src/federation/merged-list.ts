import type { Backend, Page, PageRequest } from '../contract/backend.js'
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

/**
 * A backend page with the residual filter applied. The page may shrink or
 * empty; the merge keeps following the backend's tokens to fill the page
 * (over-fetching), and cursor offsets index this filtered page.
 */
export function keepMatching<T>(page: Page<T>, matches: (item: T) => boolean): Page<T> {
  return { items: page.items.filter(matches), nextToken: page.nextToken }
}

/**
 * One page of a list spanning `backends`, merged in `compare` order. The
 * cursor is bound to `identity` (the list and its arguments), so a cursor
 * from another query is refused instead of silently misread.
 */
export async function mergedList<T>(
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
