import type { Page, PageRequest } from '../contract/backend.js'
import { GatewayError, isBackendFailure } from '../errors.js'
import { type BackendPosition, type MergedPosition, encodeCursor } from './cursor.js'

/** One backend's part of a merged list: its pages, already sorted in the merge's order. */
export interface MergeSource<T> {
  backendId: string
  fetchPage(page: PageRequest): Promise<Page<T>>
}

export interface MergedEdge<T> {
  node: T
  cursor: string
}

export interface MergedPage<T> {
  edges: MergedEdge<T>[]
  hasNextPage: boolean
  /** Backends that failed (unreachable, too slow, refused): the page holds the others' items. */
  failures: GatewayError[]
}

/**
 * Whether a merged list survives this failure: any coded error of one
 * backend (down, slow, refusing us, or answering with an error of its own)
 * fails that backend's part, and the other backends' items still stand.
 * Anything else is a bug and fails the field.
 */
function isPartialFailure(error: unknown): error is GatewayError {
  return isBackendFailure(error) || (error instanceof GatewayError && error.backend !== undefined)
}

const START: BackendPosition = { token: null, offset: 0, done: false }

/**
 * A k-way merge of per-backend sorted pages into one page of `first` items.
 * A backend that is down, too slow or refuses us adds a failure and no
 * items; the others' items are all there.
 * Each backend is read from where the cursor left it (its page token plus
 * how much of that page was consumed), following its tokens until it has
 * given `first` items or run out; the smallest head wins each step. Each
 * edge's cursor records every backend's position after that edge, so paging
 * from any edge yields each item exactly once.
 */
export async function mergeSortedPages<T>(options: {
  sources: MergeSource<T>[]
  compare: (a: T, b: T) => number
  first: number
  after: MergedPosition | null
  queryFingerprint: string
}): Promise<MergedPage<T>> {
  const { sources, compare, first, after, queryFingerprint } = options
  const settled = await Promise.allSettled(sources.map((source) => readAhead(source, after?.[source.backendId] ?? START, first)))
  const failures: GatewayError[] = []
  const readers: Reader<T>[] = []
  settled.forEach((outcome, index) => {
    if (outcome.status === 'fulfilled') return readers.push(outcome.value)
    if (!isPartialFailure(outcome.reason)) throw outcome.reason
    failures.push(outcome.reason)
    // A failed backend keeps its place in the cursor: the next page asks it again from there.
    const position = after?.[sources[index].backendId] ?? START
    readers.push({ backendId: sources[index].backendId, items: [], positionAfter: () => position, hasMoreAfter: () => false })
  })
  const consumed = readers.map(() => 0)
  const edges: MergedEdge<T>[] = []
  while (edges.length < first) {
    let winner = -1
    readers.forEach((reader, index) => {
      const head = reader.items[consumed[index]]
      if (head === undefined) return
      const best = winner < 0 ? undefined : readers[winner].items[consumed[winner]]
      if (best === undefined || compare(head.item, best.item) < 0) winner = index
    })
    if (winner < 0) break
    const node = readers[winner].items[consumed[winner]].item
    consumed[winner] += 1
    const position: MergedPosition = {}
    readers.forEach((reader, index) => (position[reader.backendId] = reader.positionAfter(consumed[index])))
    edges.push({ node, cursor: encodeCursor(queryFingerprint, position) })
  }
  const hasNextPage = readers.some((reader, index) => reader.hasMoreAfter(consumed[index]))
  return { edges, hasNextPage, failures }
}

interface BufferedItem<T> {
  item: T
  pageToken: string | null
  indexInPage: number
  pageLength: number
  nextToken: string | null
}

interface Reader<T> {
  backendId: string
  items: BufferedItem<T>[]
  positionAfter(consumed: number): BackendPosition
  hasMoreAfter(consumed: number): boolean
}

async function readAhead<T>(source: MergeSource<T>, start: BackendPosition, wanted: number): Promise<Reader<T>> {
  const items: BufferedItem<T>[] = []
  let token = start.token
  let skip = start.offset
  let more = !start.done
  while (more && items.length < wanted) {
    // Ask for the items to skip as well: a token marks the start of a page, not the middle.
    const page = await source.fetchPage({ first: skip + wanted - items.length, token })
    page.items.forEach((item, index) => {
      if (index >= skip) items.push({ item, pageToken: token, indexInPage: index, pageLength: page.items.length, nextToken: page.nextToken })
    })
    skip = Math.max(0, skip - page.items.length)
    more = page.nextToken !== null
    token = page.nextToken
  }
  return {
    backendId: source.backendId,
    items,
    positionAfter(consumed) {
      if (consumed === 0) return items.length === 0 && !more ? { token: null, offset: 0, done: true } : start
      const last = items[consumed - 1]
      if (last.indexInPage + 1 < last.pageLength) return { token: last.pageToken, offset: last.indexInPage + 1, done: false }
      return last.nextToken === null ? { token: null, offset: 0, done: true } : { token: last.nextToken, offset: 0, done: false }
    },
    hasMoreAfter: (consumed) => consumed < items.length || more,
  }
}
