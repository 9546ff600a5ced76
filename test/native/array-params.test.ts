import pg from 'pg'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { BINARY_NUMBER_ARRAYS, TEXT_NUMBER_ARRAYS } from '../../src/adapters/native/db/array-literal.js'
import { describePostgres } from '../support/engines.js'

/**
 * A batch's point columns reach PostgreSQL as binary arrays (array_recv):
 * every value a point can hold comes back as it went, the same as the text
 * form reads, edge values included.
 */
describePostgres('numeric array parameters', () => {
  let pool: pg.Pool
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: inject('postgresUrl') ?? undefined, max: 1 })
  })
  afterAll(() => pool.end())

  const integers = [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 1_700_000_000_123, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]
  const floats = [0, -0, 1.5, -2.25, 0.1 + 0.2, Number.MIN_VALUE, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]

  async function roundTrip(arrays: typeof BINARY_NUMBER_ARRAYS, ints: number[], doubles: number[]) {
    const { rows } = await pool.query<{ ints: string[]; doubles: string[]; n: number }>(
      `select (select array_agg(i::text order by o) from unnest($1::int8[]) with ordinality as t(i, o)) as ints,
              (select array_agg(d::text order by o) from unnest($2::float8[]) with ordinality as t(d, o)) as doubles,
              cardinality($1::int8[]) + cardinality($2::float8[]) as n`,
      [arrays.int8(ints), arrays.float8(doubles)],
    )
    return rows[0]
  }

  it('reads every int8 and float8 value back exactly, as the text form does', async () => {
    const binary = await roundTrip(BINARY_NUMBER_ARRAYS, integers, floats)
    expect(binary.ints).toEqual(integers.map((value) => BigInt(value).toString()))
    // PostgreSQL's float8 text round-trips exactly (extra_float_digits defaults to shortest-exact output).
    expect(binary.doubles.map(Number)).toEqual(floats.map((value) => (Object.is(value, -0) ? -0 : value)))
    expect(binary.doubles[1]).toBe('-0')
    // The text form reads the same, but for the sign of zero (String(-0) is "0"), which no JSON answer can show.
    const text = await roundTrip(TEXT_NUMBER_ARRAYS, integers, floats)
    expect({ ...text, doubles: text.doubles.filter((_, i) => i !== 1) }).toEqual({ ...binary, doubles: binary.doubles.filter((_, i) => i !== 1) })
  })

  it('sends an empty batch as an empty array', async () => {
    const empty = await roundTrip(BINARY_NUMBER_ARRAYS, [], [])
    expect(empty).toEqual({ ints: null, doubles: null, n: 0 })
  })
})
