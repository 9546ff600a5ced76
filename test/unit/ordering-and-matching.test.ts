import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { RunOrder } from '../../src/contract/backend.js'
import { matchesRunFilter } from '../../src/contract/filter-matching.js'
import type { Run } from '../../src/domain.js'
import { runComparator, withRunTieBreakers } from '../../src/federation/ordering.js'

/** The shared run order is a total order; residual LIKE matching agrees with a plain wildcard matcher. */

const time = fc.option(fc.integer({ min: 0, max: 5 }).map((offset) => new Date(1_700_000_000_000 + offset * 1000)), { nil: null })
const metricValue = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(Number.NaN, Infinity, -Infinity, 0.5))

const runArbitrary: fc.Arbitrary<Run> = fc.record({
  backendId: fc.constantFrom('a', 'b'),
  nativeId: fc.constantFrom('1', '2', '10', 'x', 'y'),
  name: fc.constantFrom('', 'alpha', 'beta', 'Beta'),
  startTime: time,
  endTime: time,
  acc: fc.option(metricValue, { nil: null }),
  lr: fc.option(fc.constantFrom('0.1', '0.01', '1e-3', ''), { nil: null }),
  team: fc.option(fc.constantFrom('vision', 'Vision', 'nlp'), { nil: null }),
}).map(({ acc, lr, team, ...run }) => ({
  recordType: 'Run',
  experimentNativeId: '0',
  status: 'FINISHED',
  lifecycleStage: 'active',
  artifactUri: null,
  userId: '',
  params: lr === null ? ({} as Record<string, string>) : { lr },
  tags: team === null ? ({} as Record<string, string>) : { team },
  metrics: acc === null ? [] : [{ key: 'acc', value: acc, step: 0, timestamp: new Date(0) }],
  datasets: [],
  modelInputs: [],
  modelOutputs: [],
  ...run,
}))

/** The key each keyed order names in these runs. */
const KEY_OF: Partial<Record<RunOrder['field'], string>> = { metric: 'acc', param: 'lr', tag: 'team' }

const orderArbitrary: fc.Arbitrary<RunOrder[]> = fc.array(
  fc.record({
    field: fc.constantFrom('startTime' as const, 'endTime' as const, 'name' as const, 'status' as const, 'metric' as const, 'param' as const, 'tag' as const),
    direction: fc.constantFrom('asc' as const, 'desc' as const),
  }).map((order) => ({ ...order, ...(KEY_OF[order.field] && { key: KEY_OF[order.field] }) })),
  { maxLength: 3 },
)

describe('runComparator', () => {
  it('is a total order on runs: reflexive, antisymmetric and transitive, with ties only for the same run', () => {
    fc.assert(
      fc.property(orderArbitrary, runArbitrary, runArbitrary, runArbitrary, (orderBy, a, b, c) => {
        const compare = runComparator(withRunTieBreakers(orderBy))
        expect(compare(a, a)).toBe(0)
        expect(Math.sign(compare(a, b)) + Math.sign(compare(b, a))).toBe(0)
        if (compare(a, b) <= 0 && compare(b, c) <= 0) expect(compare(a, c)).toBeLessThanOrEqual(0)
        if (compare(a, b) === 0) expect([a.backendId, a.nativeId]).toEqual([b.backendId, b.nativeId])
      }),
      { numRuns: 2000 },
    )
  })

  it('puts runs without the value last, then NaN, in either direction', () => {
    fc.assert(
      fc.property(fc.array(runArbitrary, { maxLength: 12 }), fc.constantFrom('asc' as const, 'desc' as const), (runs, direction) => {
        const sorted = [...runs].sort(runComparator(withRunTieBreakers([{ field: 'metric', key: 'acc', direction }])))
        const rank = (run: Run) => (run.metrics.length === 0 ? 2 : Number.isNaN(run.metrics[0].value) ? 1 : 0)
        const ranks = sorted.map(rank)
        expect(ranks).toEqual([...ranks].sort())
      }),
    )
  })
})

/** LIKE by its definition: `%` any run of characters, `_` exactly one character (a code point, as in PostgreSQL). */
function likeOracle(text: string, pattern: string): boolean {
  const t = [...text]
  const p = [...pattern]
  const memo = new Map<string, boolean>()
  const match = (i: number, j: number): boolean => {
    const key = `${i},${j}`
    if (memo.has(key)) return memo.get(key)!
    let result: boolean
    if (j === p.length) result = i === t.length
    else if (p[j] === '%') result = match(i, j + 1) || (i < t.length && match(i + 1, j))
    else result = i < t.length && (p[j] === '_' || p[j] === t[i]) && match(i + 1, j + 1)
    memo.set(key, result)
    return result
  }
  return match(0, 0)
}

describe('residual LIKE', () => {
  const alphabet = fc.constantFrom('a', 'b', 'A', '.', '*', '\\', '(', '[', '$', '\n', 'é', '😀', '%', '_')
  const text = fc.array(alphabet.filter((char) => char !== '%' && char !== '_'), { maxLength: 8 }).map((chars) => chars.join(''))
  const pattern = fc.array(alphabet, { maxLength: 6 }).map((chars) => chars.join(''))

  it('matches exactly what the definition of LIKE matches', () => {
    fc.assert(
      fc.property(text, pattern, (value, like) => {
        expect(matchesRunFilter(runWith({ p: value }), { all: [{ field: 'param', key: 'p', op: 'LIKE', value: like }] })).toBe(likeOracle(value, like))
      }),
      { numRuns: 3000 },
    )
  })

  it('ILIKE matches as LIKE on lower-cased ASCII', () => {
    const ascii = fc.stringMatching(/^[aAbB%_.]{0,6}$/)
    fc.assert(
      fc.property(ascii.map((value) => value.replace(/[%_]/g, '')), ascii, (value, like) => {
        expect(matchesRunFilter(runWith({ p: value }), { all: [{ field: 'param', key: 'p', op: 'ILIKE', value: like }] })).toBe(
          likeOracle(value.toLowerCase(), like.toLowerCase()),
        )
      }),
    )
  })
})

function runWith(params: Record<string, string>): Run {
  return {
    recordType: 'Run',
    backendId: 'a',
    nativeId: '1',
    experimentNativeId: '0',
    name: '',
    status: 'FINISHED',
    lifecycleStage: 'active',
    startTime: null,
    endTime: null,
    artifactUri: null,
    userId: '',
    params,
    tags: {},
    metrics: [],
    datasets: [],
    modelInputs: [],
    modelOutputs: [],
  }
}
