import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Page, PageRequest } from '../../src/contract/backend.js'
import { decodeCursor, encodeCursor, fingerprint } from '../../src/federation/cursor.js'
import { type MergeSource, type MergedPage, mergeSortedPages } from '../../src/federation/merge.js'
import { GatewayError } from '../../src/errors.js'
import { backendIdSchema } from '../../src/config.js'

/**
 * The k-way merge against its oracle: paging a merged list to the end,
 * cursor by cursor, yields the sorted union of the backends' lists, each
 * item once, whatever the page sizes, and whatever pages a backend's
 * residual filter empties or shrinks.
 */

interface Item {
  backendId: string
  value: number
  id: number
}

const compare = (a: Item, b: Item) => a.value - b.value || (a.backendId < b.backendId ? -1 : a.backendId > b.backendId ? 1 : 0) || a.id - b.id

/** A backend as the contract describes one: pages in `compare` order, opaque tokens, at most `pageCap` items a page, some filtered out afterwards. */
function source(backendId: string, values: number[], pageCap: number, keep: (item: Item) => boolean): MergeSource<Item> {
  const items = values.map((value, id) => ({ backendId, value, id })).sort(compare)
  return {
    backendId,
    async fetchPage(request: PageRequest): Promise<Page<Item>> {
      const start = request.token === null ? 0 : Number(request.token.slice(1))
      const end = Math.min(items.length, start + Math.min(request.first, pageCap))
      return { items: items.slice(start, end).filter(keep), nextToken: end < items.length ? `@${end}` : null }
    },
  }
}

const backendsArbitrary = fc.array(
  fc.record({ values: fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 30 }), pageCap: fc.integer({ min: 1, max: 7 }) }),
  { minLength: 1, maxLength: 4 },
)

describe('mergeSortedPages', () => {
  it('pages to the sorted union of every backend, each item once', async () => {
    await fc.assert(
      fc.asyncProperty(backendsArbitrary, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 4 }), async (backends, first, keepEvery) => {
        const keep = (item: Item) => item.id % keepEvery === 0
        const sources = backends.map((backend, index) => source(`b${index}`, backend.values, backend.pageCap, keep))
        const expected = backends
          .flatMap((backend, index) => backend.values.map((value, id) => ({ backendId: `b${index}`, value, id })))
          .filter(keep)
          .sort(compare)
        const seen: Item[] = []
        let after: string | null = null
        for (let guard = 0; guard <= expected.length + 1; guard++) {
          const page: MergedPage<Item> = await mergeSortedPages({ sources, compare, first, after: after ? decodeCursor(after, 'q') : null, queryFingerprint: 'q' })
          expect(page.edges.length).toBeLessThanOrEqual(first)
          expect(page.failures).toEqual([])
          seen.push(...page.edges.map((edge) => edge.node))
          if (!page.hasNextPage) break
          expect(page.edges.length).toBe(first)
          after = page.edges.at(-1)!.cursor
        }
        expect(seen).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })

  it('resuming from any edge continues with exactly the items after it', async () => {
    await fc.assert(
      fc.asyncProperty(backendsArbitrary, fc.integer({ min: 1, max: 9 }), fc.nat(), async (backends, first, pick) => {
        const sources = backends.map((backend, index) => source(`b${index}`, backend.values, backend.pageCap, () => true))
        const all = await mergeSortedPages({ sources, compare, first: 1000, after: null, queryFingerprint: 'q' })
        fc.pre(all.edges.length > 0)
        const from = pick % all.edges.length
        const next = await mergeSortedPages({ sources, compare, first, after: decodeCursor(all.edges[from].cursor, 'q'), queryFingerprint: 'q' })
        expect(next.edges.map((edge) => edge.node)).toEqual(all.edges.slice(from + 1, from + 1 + first).map((edge) => edge.node))
      }),
      { numRuns: 200 },
    )
  })

  it('a failing backend contributes a failure and no items; the others are whole', async () => {
    const down: MergeSource<Item> = {
      backendId: 'down',
      fetchPage: () => Promise.reject(new GatewayError('BACKEND_UNAVAILABLE', 'down', { backend: 'down' })),
    }
    const page = await mergeSortedPages({ sources: [source('up', [3, 1, 2], 2, () => true), down], compare, first: 10, after: null, queryFingerprint: 'q' })
    expect(page.edges.map((edge) => edge.node.value)).toEqual([1, 2, 3])
    expect(page.failures.map((failure) => failure.code)).toEqual(['BACKEND_UNAVAILABLE'])
  })
})

describe('cursors', () => {
  it('decode to the positions they encode, and only for their own query', () => {
    const position = fc.record({ token: fc.option(fc.string(), { nil: null }), offset: fc.nat(), done: fc.boolean() })
    // Positions are keyed by backend id: any id the config accepts.
    const backendIds = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).filter((id) => backendIdSchema.safeParse(id).success)
    fc.assert(
      fc.property(fc.dictionary(backendIds, position), fc.string(), fc.string(), (positions, query, other) => {
        const cursor = encodeCursor(fingerprint(query), positions)
        expect(decodeCursor(cursor, fingerprint(query))).toEqual(positions)
        if (fingerprint(other) !== fingerprint(query)) expect(() => decodeCursor(cursor, fingerprint(other))).toThrow(GatewayError)
      }),
    )
  })
})
