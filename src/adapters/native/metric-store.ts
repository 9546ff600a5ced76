import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { MetricPoint, MetricSeries, MetricWrite } from '../../domain.js'
import type { MetricHistoryQuery } from '../backend.js'
import type { Database } from './db/schema.js'
import { toMetricPoint } from './map.js'
import { COUNT_WIDTH, ROLLUP_WIDTHS, type StepRange, decomposeRange, planBuckets } from './metric-rollups.js'

type PointRow = { step: number; timestamp: number; value: number }

/** `floor(step / width)` for int8 steps, exact for negative steps too (SQL's `/` truncates toward zero). */
const bucketOf = (step: RawBuilder<unknown>, width: RawBuilder<unknown>) =>
  sql`div(${step} - mod(mod(${step}, ${width}) + ${width}, ${width}), ${width})`

/** Metric points: the history, the latest value per key, and the rollup pyramid. */
export class MetricStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Appends points, updates latest values and rollups, in one statement (so
   * one round trip, and atomic). The run check sits in the statement too: a
   * missing or deleted run makes the input empty, and nothing is written.
   * Returns how many points were written.
   */
  async append(runId: string, points: MetricWrite[]): Promise<number> {
    const widths = sql.join(ROLLUP_WIDTHS.map((width) => sql`(${sql.lit(width)})`))
    const { rows } = await sql<{ written: number }>`
      with input as (
        select * from unnest(
          ${points.map((p) => p.key)}::text[], ${points.map((p) => p.step)}::int8[],
          ${points.map((p) => p.timestamp.getTime())}::int8[], ${points.map((p) => p.value)}::float8[]
        ) as t(key, step, timestamp, value)
        where exists (select 1 from runs where id = ${runId} and lifecycle_stage = 'active')
      ),
      inserted as (
        insert into metrics (run_id, key, step, timestamp, value)
        select ${runId}, key, step, timestamp, value from input
        returning 1
      ),
      latest as (
        -- MLflow's "latest": highest step, then latest timestamp, then largest value.
        insert into latest_metrics (run_id, key, step, timestamp, value)
        select distinct on (key) ${runId}, key, step, timestamp, value from input
        order by key, step desc, timestamp desc, value desc
        on conflict (run_id, key) do update
          set step = excluded.step, timestamp = excluded.timestamp, value = excluded.value
          where (excluded.step, excluded.timestamp, excluded.value)
              > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)
      ),
      bucketed as (
        select i.key, w.width, ${bucketOf(sql`i.step`, sql`w.width`)} as bucket, i.step, i.timestamp, i.value
        from input i cross join (values ${widths}) as w(width)
      ),
      -- PostgreSQL sorts NaN above every number: a minimum is NaN only when all
      -- values are, and the maximum prefers numbers to NaN the same way.
      mins as (
        select distinct on (key, width, bucket) key, width, bucket, step, timestamp, value
        from bucketed order by key, width, bucket, value asc, step
      ),
      maxs as (
        select distinct on (key, width, bucket) key, width, bucket, step, timestamp, value
        from bucketed order by key, width, bucket, (value = 'NaN') asc, value desc, step
      ),
      counts as (
        select key, width, bucket, count(*) as count from bucketed group by key, width, bucket
      ),
      rollups as (
        insert into metric_rollups (run_id, key, width, bucket, count,
          min_step, min_timestamp, min_value, max_step, max_timestamp, max_value)
        select ${runId}, c.key, c.width, c.bucket, c.count,
          mn.step, mn.timestamp, mn.value, mx.step, mx.timestamp, mx.value
        from counts c join mins mn using (key, width, bucket) join maxs mx using (key, width, bucket)
        on conflict (run_id, key, width, bucket) do update set
          count = metric_rollups.count + excluded.count,
          min_step = case when excluded.min_value < metric_rollups.min_value then excluded.min_step else metric_rollups.min_step end,
          min_timestamp = case when excluded.min_value < metric_rollups.min_value then excluded.min_timestamp else metric_rollups.min_timestamp end,
          min_value = least(excluded.min_value, metric_rollups.min_value),
          max_step = case when ${newMax} then excluded.max_step else metric_rollups.max_step end,
          max_timestamp = case when ${newMax} then excluded.max_timestamp else metric_rollups.max_timestamp end,
          max_value = case when ${newMax} then excluded.max_value else metric_rollups.max_value end
      )
      select count(*)::int8 as written from inserted`.execute(this.db)
    return Number(rows[0]?.written ?? 0)
  }

  async history(query: MetricHistoryQuery): Promise<MetricSeries> {
    const range: StepRange = { min: query.minStep, max: query.maxStep }
    const totalPoints = await this.countPoints(query.runId, query.key, range)
    if (totalPoints <= query.maxPoints) {
      const rows = await this.rawPoints(query.runId, query.key, range).orderBy('step').orderBy('timestamp').execute()
      return { key: query.key, points: rows.map(toMetricPoint), totalPoints, sampled: false }
    }
    const [first, last] = await Promise.all([
      this.rawPoints(query.runId, query.key, range).orderBy('step', 'asc').orderBy('timestamp', 'asc').limit(1).executeTakeFirstOrThrow(),
      this.rawPoints(query.runId, query.key, range).orderBy('step', 'desc').orderBy('timestamp', 'desc').limit(1).executeTakeFirstOrThrow(),
    ])
    const extremes = await this.bucketExtremes(query.runId, query.key, range, planBuckets(first.step, last.step, query.maxPoints))
    return { key: query.key, points: mergePoints([toMetricPoint(first), ...extremes, toMetricPoint(last)]), totalPoints, sampled: true }
  }

  /** Points in a step range: whole buckets of the coarsest rollup, raw points at the ragged edges. */
  private async countPoints(runId: string, key: string, range: StepRange): Promise<number> {
    const { buckets, edges } = decomposeRange(range, COUNT_WIDTH)
    const parts = edges.map(
      (edge) =>
        sql<number>`(select count(*) from metrics where run_id = ${runId} and key = ${key} and step between ${edge.min} and ${edge.max})`,
    )
    if (buckets) {
      parts.push(sql<number>`(select coalesce(sum(count), 0) from metric_rollups
        where run_id = ${runId} and key = ${key} and width = ${COUNT_WIDTH} ${bucketBounds(buckets)})`)
    }
    const { rows } = await sql<{ total: number }>`select (${sql.join(parts, sql` + `)})::int8 as total`.execute(this.db)
    return Number(rows[0]?.total ?? 0)
  }

  /**
   * The min and max point of every output bucket, in SQL: candidates are the
   * min and max points of the rollup buckets inside the range (or the raw
   * points, for short series) plus raw points at the range's ragged edges.
   */
  private async bucketExtremes(
    runId: string,
    key: string,
    range: StepRange,
    plan: { queryWidth: number; rollupWidth: number },
  ): Promise<MetricPoint[]> {
    const candidates: RawBuilder<unknown>[] = []
    if (plan.rollupWidth === 1) {
      candidates.push(sql`select step, timestamp, value from metrics where run_id = ${runId} and key = ${key} ${stepBounds(range)}`)
    } else {
      const { buckets, edges } = decomposeRange(range, plan.rollupWidth)
      if (buckets) {
        const where = sql`where run_id = ${runId} and key = ${key} and width = ${plan.rollupWidth} ${bucketBounds(buckets)}`
        candidates.push(sql`select min_step as step, min_timestamp as timestamp, min_value as value from metric_rollups ${where}`)
        candidates.push(sql`select max_step as step, max_timestamp as timestamp, max_value as value from metric_rollups ${where}`)
      }
      for (const edge of edges) {
        candidates.push(
          sql`select step, timestamp, value from metrics where run_id = ${runId} and key = ${key} and step between ${edge.min} and ${edge.max}`,
        )
      }
    }
    const width = sql.lit(plan.queryWidth)
    const { rows } = await sql<PointRow>`
      with candidates as (${sql.join(candidates, sql` union all `)}),
      bucketed as (select step, timestamp, value, ${bucketOf(sql`step`, width)} as bucket from candidates)
      select * from (select distinct on (bucket) step, timestamp, value from bucketed order by bucket, value asc, step) as mins
      union
      select * from (select distinct on (bucket) step, timestamp, value from bucketed
                     order by bucket, (value = 'NaN') asc, value desc, step) as maxs`.execute(this.db)
    return rows.map(toMetricPoint)
  }

  private rawPoints(runId: string, key: string, range: StepRange) {
    let select = this.db.selectFrom('metrics').select(['step', 'timestamp', 'value']).where('run_id', '=', runId).where('key', '=', key)
    if (range.min !== null) select = select.where('step', '>=', range.min)
    if (range.max !== null) select = select.where('step', '<=', range.max)
    return select
  }
}

/** The rollup replaces its max when the new one is a number and larger, or the old one is NaN. */
const newMax = sql`(excluded.max_value <> 'NaN' and (metric_rollups.max_value = 'NaN' or excluded.max_value > metric_rollups.max_value))`

function bucketBounds(buckets: StepRange): RawBuilder<unknown> {
  return sql.join(
    [
      sql``,
      ...(buckets.min === null ? [] : [sql`bucket >= ${buckets.min}`]),
      ...(buckets.max === null ? [] : [sql`bucket <= ${buckets.max}`]),
    ],
    sql` and `,
  )
}

function stepBounds(range: StepRange): RawBuilder<unknown> {
  return sql.join(
    [sql``, ...(range.min === null ? [] : [sql`step >= ${range.min}`]), ...(range.max === null ? [] : [sql`step <= ${range.max}`])],
    sql` and `,
  )
}

/** Sorted by step then timestamp, each point once (a bucket's min can be the series' first point). */
function mergePoints(points: MetricPoint[]): MetricPoint[] {
  const seen = new Set<string>()
  const merged: MetricPoint[] = []
  for (const point of points) {
    const identity = `${point.step}:${point.timestamp.getTime()}:${point.value}`
    if (seen.has(identity)) continue
    seen.add(identity)
    merged.push(point)
  }
  return merged.sort((a, b) => a.step - b.step || a.timestamp.getTime() - b.timestamp.getTime())
}
