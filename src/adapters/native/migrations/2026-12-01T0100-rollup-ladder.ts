import { type Kysely, sql } from 'kysely'

/**
 * The rollup levels become 32, 128, 512, 2,048, 8,192 and 32,768 steps wide
 * (from 16, 256 and 4,096): see metric-rollups.ts for why. Each new bucket
 * is the union of whole buckets of an old level, so the new levels are
 * derived from the old ones (no scan of the points): counts add up, the
 * minimum is the lowest of the minima (ties: the lower step; NaN only when
 * every one is NaN, as PostgreSQL orders NaN last) and the maximum the
 * highest of the maxima, a number before NaN.
 */
const DERIVED_FROM: readonly [to: number, from: number][] = [
  [32, 16],
  [128, 16],
  [512, 256],
  [2048, 256],
  [8192, 4096],
  [32768, 4096],
]
const OLD_WIDTHS = [16, 256, 4096]

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [to, from] of DERIVED_FROM) {
    const ratio = sql.lit(to / from)
    // Floor division, exact for negative buckets too (int8 `/` truncates toward zero).
    const bucket = sql`(bucket - (((bucket % ${ratio}) + ${ratio}) % ${ratio})) / ${ratio}`
    const lowest = sql`order by min_value, min_step, min_timestamp`
    const highest = sql`order by max_value = 'NaN', max_value desc, max_step, max_timestamp`
    await sql`
      insert into metric_rollups (run_id, key, width, bucket, count, min_step, min_timestamp, min_value, max_step, max_timestamp, max_value)
      select run_id, key, ${sql.lit(to)}, ${bucket}, sum(count),
        (array_agg(min_step ${lowest}))[1], (array_agg(min_timestamp ${lowest}))[1], (array_agg(min_value ${lowest}))[1],
        (array_agg(max_step ${highest}))[1], (array_agg(max_timestamp ${highest}))[1], (array_agg(max_value ${highest}))[1]
      from metric_rollups where width = ${sql.lit(from)}
      group by run_id, key, ${bucket}`.execute(db)
  }
  await sql`delete from metric_rollups where width in (${sql.join(OLD_WIDTHS.map((width) => sql.lit(width)))})`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // The old 16-step level is finer than every new one: the old levels are rebuilt from the points.
  await sql`delete from metric_rollups`.execute(db)
  for (const width of OLD_WIDTHS) {
    const w = sql.lit(width)
    const bucket = sql`(step - (((step % ${w}) + ${w}) % ${w})) / ${w}`
    const lowest = sql`order by value, step, timestamp`
    const highest = sql`order by value = 'NaN', value desc, step, timestamp`
    await sql`
      insert into metric_rollups (run_id, key, width, bucket, count, min_step, min_timestamp, min_value, max_step, max_timestamp, max_value)
      select run_id, key, ${w}, ${bucket}, count(*),
        (array_agg(step ${lowest}))[1], (array_agg(timestamp ${lowest}))[1], (array_agg(value ${lowest}))[1],
        (array_agg(step ${highest}))[1], (array_agg(timestamp ${highest}))[1], (array_agg(value ${highest}))[1]
      from metrics group by run_id, key, ${bucket}`.execute(db)
  }
}
