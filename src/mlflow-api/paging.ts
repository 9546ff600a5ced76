import type { MergedPage } from '../federation/merge.js'
import { PAGE_SIZE } from '../federation/merged-list.js'
import { invalidParameter } from './errors.js'

/**
 * Page tokens for lists this API sorts itself (experiments in an order the
 * backend does not keep): the offset into the sorted list, as MLflow's own
 * server encodes it (base64 of {"offset": N}).
 */
export function offsetFromToken(token: string | undefined): number {
  if (!token) return 0
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'))
    if (typeof parsed === 'object' && parsed !== null && 'offset' in parsed && Number.isSafeInteger(parsed.offset) && Number(parsed.offset) >= 0) {
      return Number(parsed.offset)
    }
  } catch {
    // Falls through to the error below.
  }
  throw invalidParameter(`Invalid page token, could not base64-decode: '${token}'`)
}

export function tokenForOffset(offset: number): string {
  // Spelled as Python's json.dumps writes it, so tokens match MLflow's byte for byte.
  return Buffer.from(`{"offset": ${offset}}`).toString('base64')
}

/** One page of an already sorted list, with MLflow's `next_page_token` when more follow. */
export function pageOf<T>(items: T[], offset: number, size: number): { items: T[]; nextPageToken: string | undefined } {
  const end = offset + size
  return { items: items.slice(offset, end), nextPageToken: end < items.length ? tokenForOffset(end) : undefined }
}

/** `max_results` within MLflow's bounds for the endpoint. */
export function pageSize(requested: number | undefined, defaults: { default: number; max: number }): number {
  const size = requested ?? defaults.default
  if (size < 1 || size > defaults.max) throw invalidParameter(`Invalid value ${size} for parameter 'max_results' supplied. It must be at most ${defaults.max}, and at least 1.`)
  return size
}

/**
 * A page of `size` items read from one of the federation layer's lists,
 * which pages by at most 1,000 (MLflow allows larger pages). The token is
 * the federation cursor after the last item, when more follow. A backend
 * failure fails the page.
 */
export async function collectPage<T>(
  size: number,
  after: string | null,
  list: (first: number, after: string | null) => Promise<MergedPage<T>>,
): Promise<{ items: T[]; nextPageToken: string | undefined }> {
  const items: T[] = []
  let cursor = after
  for (;;) {
    const page = await list(Math.min(size - items.length, PAGE_SIZE.max), cursor)
    // This API serves one backend: its failure is the whole answer's (MLflow's 503 TEMPORARILY_UNAVAILABLE), never an empty list.
    if (page.failures.length > 0) throw page.failures[0]
    items.push(...page.edges.map((edge) => edge.node))
    cursor = page.edges.at(-1)?.cursor ?? cursor
    if (!page.hasNextPage || page.edges.length === 0) return { items, nextPageToken: undefined }
    if (items.length >= size) return { items, nextPageToken: cursor ?? undefined }
  }
}

/** Every item of one of the federation layer's lists. */
export async function readAll<T>(list: (first: number, after: string | null) => Promise<MergedPage<T>>): Promise<T[]> {
  return (await collectPage(Number.POSITIVE_INFINITY, null, list)).items
}
