import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { MetricPoint, MetricSeries, MetricWrite } from '../../domain.js'
import type { MetricHistoryQuery } from '../../contract/backend.js'
import type { Database } from './db/schema.js'
import { type NumberArrays, numberArrays, numberArray, textArray } from './db/array-literal.js'
import { toMetricPoint } from './map.js'
import { type NativeDatabase, PG_UNIQUE_VIOLATION, databaseErrorCode } from './client.js'
import type { AuditEventInput } from '../../contract/audit-log.js'
import { auditEventInsertWhere } from './audit-log.js'
import { COUNT_WIDTH, type StepRange, decomposeRange, latestPerKey, planBuckets, summarizeBatch } from './metric-rollups.js'

type PointRow = { step: number; timestamp: number; value: number }
type PointWrite = PointRow & { key: string }

/**
 * The batch's points, each once: PostgreSQL's float8 equality (NaN equals
 * NaN, 0 equals -0) decides what a copy is, as the unique index does.
 */
function distinctPoints(metrics: MetricWrite[]): PointWrite[] {
  const points = metrics.map((metric) => ({ key: metric.key, step: metric.step, timestamp: metric.timestamp.getTime(), value: metric.value }))
  return stepsRiseWithinKeys(points) ? points : withoutCopies(points)
}

/**
 * True when each key's steps rise through the batch, as a training loop logs
 * them: then no two points are equal, and the batch needs no identity per point.
 */
function stepsRiseWithinKeys(points: readonly PointWrite[]): boolean {
  const lastStep = new Map<string, number>()
  for (const point of points) {
    const last = lastStep.get(point.key)
    if (last !== undefined && point.step <= last) return false
    lastStep.set(point.key, point.step)
  }
  return true
}

function withoutCopies(all: readonly PointWrite[]): PointWrite[] {
  const seen = new Set<string>()
  const points: PointWrite[] = []
  for (const point of all) {
    const identity = `${point.key}\u0000${point.step}\u0000${point.timestamp}\u0000${String(point.value)}`
    if (seen.has(identity)) continue
    seen.add(identity)
    points.push(point)
  }
  return points
}

/**
 * `floor(step / width)` for int8 steps, exact for negative steps too (int8
 * `/` truncates toward zero, so the remainder is taken off first). In int8
 * arithmetic: `div()` works in numeric, a third slower over a chart's rows.
 */
const bucketOf = (step: RawBuilder<unknown>, width: RawBuilder<unknown>) => sql`((${step} - (((${step} % ${width}) + ${width}) % ${width})) / ${width})`

/** Metric points: the history, the latest value per key, and the rollup pyramid. */
export class MetricStore {
  /** How the engine takes a batch's point columns (see array-literal.ts). */
  private readonly arrays: NumberArrays

  constructor(
    private readonly db: Kysely<Database>,
    /** The NOTIFY channel for new points (see `live.ts`). */
    private readonly channel: string,
    engine: NativeDatabase['engine'],
  ) {
    this.arrays = numberArrays(engine)
  }

  /**
   * Appends points the run does not hold yet: a point logged twice (same
   * key, step, timestamp and value, in one batch or across batches) is kept
   * once, as MLflow's SQL store keeps it. As MLflow does, the insert is
   * tried first and the copies are looked for only when the unique index
   * refuses it (in a caller's transaction, behind a savepoint), so an
   * ordinary batch costs no extra read. Returns how many points were
   * written and how many were copies; nothing is written when the run is
   * missing or deleted. An audit event given rides in the statement that
   * writes the points (see insertPoints); `audited` says whether it did.
   */
  async append(runId: string, metrics: MetricWrite[], db: Kysely<Database> = this.db, audit: AuditEventInput | null = null): Promise<{ written: number; copies: number; audited: boolean }> {
    const points = distinctPoints(metrics)
    const inTransaction = db.isTransaction
    if (inTransaction) await sql`savepoint metric_points`.execute(db)
    try {
      return { ...(await this.insertPoints(runId, points, db, audit)), copies: metrics.length - points.length }
    } catch (error) {
      if (databaseErrorCode(error) !== PG_UNIQUE_VIOLATION) throw error
      if (inTransaction) await sql`rollback to savepoint metric_points`.execute(db)
    }
    const fresh = await this.notYetStored(runId, points, db)
    const { written, audited } = fresh.length === 0 ? { written: 0, audited: false } : await this.insertPoints(runId, fresh, db, audit)
    return { written, audited, copies: metrics.length - fresh.length }
  }

  /** The points of `points` the run does not hold yet. */
  private async notYetStored(runId: string, points: PointWrite[], db: Kysely<Database>): Promise<PointWrite[]> {
    const { rows } = await sql<{ index: string }>`
      select t.index from unnest(${textArray(column(points, 'key'))}::text[], ${numberArray(column(points, 'step'))}::int8[],
                                 ${numberArray(column(points, 'timestamp'))}::int8[], ${numberArray(column(points, 'value'))}::float8[])
        with ordinality as t(key, step, timestamp, value, index)
      where not exists (select 1 from metrics m where m.run_id = ${runId} and m.key = t.key and m.step = t.step and m.timestamp = t.timestamp and m.value = t.value)`.execute(db)
    return rows.map((row) => points[Number(row.index) - 1])
  }

  /**
   * Appends points and merges the batch's latest values and rollup deltas
   * (summarized in memory, see `metric-rollups.ts`) in one statement: one
   * round trip, and atomic. The run check sits in the statement too: a
   * missing or deleted run empties every input, and nothing is written.
   * The write's audit event, when given, is one more clause of the same
   * statement, under the same run check: no second round trip or commit.
   * Returns how many points were written and whether the event was.
   */
  private async insertPoints(runId: string, points: PointWrite[], db: Kysely<Database>, audit: AuditEventInput | null): Promise<{ written: number; audited: boolean }> {
    const latest = latestPerKey(points)
    const deltas = summarizeBatch(points)
    // A training loop's batch is mostly one key (logMetricSeries always): then the key goes once, not once a point.
    const onlyKey = latest.length === 1 ? latest[0].key : null
    const { int8, float8 } = this.arrays
    const columns = sql`${int8(column(points, 'step'))}::int8[], ${int8(column(points, 'timestamp'))}::int8[], ${float8(column(points, 'value'))}::float8[]`
    const pointRows =
      onlyKey !== null
        ? sql`select ${onlyKey}::text as key, step, timestamp, value from unnest(${columns}) as t(step, timestamp, value)`
        : sql`select key, step, timestamp, value from unnest(${textArray(column(points, 'key'))}::text[], ${columns}) as t(key, step, timestamp, value)`
    const { rows } = await sql<{ written: number; audited: boolean }>`
      with run as (
        -- The row lock serializes appends to one run until commit, so a run's
        -- sequence order is its commit order (live subscribers resume by it).
        select 1 from runs where id = ${runId} and lifecycle_stage = 'active' for no key update
      ),
      inserted as (
        insert into metrics (run_id, key, step, timestamp, value)
        select ${runId}, key, step, timestamp, value from (${pointRows}) as t
        where exists (select 1 from run)
        returning seq
      ),
      latest as (
        insert into latest_metrics (run_id, key, step, timestamp, value)
        select ${runId}, key, step, timestamp, value
        from unnest(${textArray(column(latest, 'key'))}::text[], ${numberArray(column(latest, 'step'))}::int8[],
                    ${numberArray(column(latest, 'timestamp'))}::int8[], ${numberArray(column(latest, 'value'))}::float8[]) as t(key, step, timestamp, value)
        where exists (select 1 from run)
        on conflict (run_id, key) do update
          set step = excluded.step, timestamp = excluded.timestamp, value = excluded.value
          where (excluded.step, excluded.timestamp, excluded.value)
              > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)
      ),
      rollups as (
        insert into metric_rollups (run_id, key, width, bucket, count,
          min_step, min_timestamp, min_value, max_step, max_timestamp, max_value)
        select ${runId}, t.*
        from unnest(
          ${textArray(deltas.map((d) => d.key))}::text[], ${numberArray(deltas.map((d) => d.width))}::int4[],
          ${numberArray(deltas.map((d) => d.bucket))}::int8[], ${numberArray(deltas.map((d) => d.count))}::int8[],
          ${numberArray(deltas.map((d) => d.min.step))}::int8[], ${numberArray(deltas.map((d) => d.min.timestamp))}::int8[],
          ${numberArray(deltas.map((d) => d.min.value))}::float8[],
          ${numberArray(deltas.map((d) => d.max.step))}::int8[], ${numberArray(deltas.map((d) => d.max.timestamp))}::int8[],
          ${numberArray(deltas.map((d) => d.max.value))}::float8[]
        ) as t
        where exists (select 1 from run)
        on conflict (run_id, key, width, bucket) do update set
          count = metric_rollups.count + excluded.count,
          min_step = case when ${newMin} then excluded.min_step else metric_rollups.min_step end,
          min_timestamp = case when ${newMin} then excluded.min_timestamp else metric_rollups.min_timestamp end,
          min_value = case when ${newMin} then excluded.min_value else metric_rollups.min_value end,
          max_step = case when ${newMax} then excluded.max_step else metric_rollups.max_step end,
          max_timestamp = case when ${newMax} then excluded.max_timestamp else metric_rollups.max_timestamp end,
          max_value = case when ${newMax} then excluded.max_value else metric_rollups.max_value end
      ),
      audited as (${audit ? sql`${auditEventInsertWhere(audit, sql`exists (select 1 from run)`)} returning 1` : sql`select 1 where false`}),
      summary as (
        select count(*)::int8 as written, min(seq) as first_seq, max(seq) as last_seq from inserted
      )
      -- NOTIFY is delivered at commit: the doorbell for live subscribers, naming the rows to read.
      select written, exists (select 1 from audited) as audited, case when written > 0
        then pg_notify(${this.channel}, ${runId} || ':' || first_seq || ':' || last_seq) end as notified
      from summary`.execute(db)
    return { written: Number(rows[0]?.written ?? 0), audited: rows[0]?.audited === true }
  }

  /**
   * Several series' histories in two statements, however many series: the
   * first reads each one's size and first and last points, the second each
   * one's points (whole when they fit maxPoints, else its step buckets'
   * extremes, read from the rollups). A comparison chart of 20 runs asked
   * four statements a series before: 80 round trips.
   */
  async histories(queries: readonly MetricHistoryQuery[]): Promise<MetricSeries[]> {
    if (queries.length === 0) return []
    const ranges: StepRange[] = queries.map((query) => ({ min: query.minStep, max: query.maxStep }))
    const { rows: endRows } = await sql<SeriesEndsRow>`${sql.join(
      queries.map((query, i) => seriesEnds(i, query, ranges[i])),
      sql` union all `,
    )}`.execute(this.db)
    const ends = new Map(endRows.map((row) => [Number(row.i), row]))
    // Each series' ends when it is longer than its maxPoints (read reduced), else null (read whole).
    const sampled = queries.map((query, i) => {
      const end = ends.get(i)
      return end !== undefined && end.first_step !== null && end.last_step !== null && Number(end.total) > query.maxPoints ? end : null
    })
    const parts: RawBuilder<unknown>[] = []
    queries.forEach((query, i) => {
      if (Number(ends.get(i)?.total ?? 0) === 0) return
      const end = sampled[i]
      if (end === null) {
        parts.push(sql`select ${sql.lit(i)}::int4 as i, step, timestamp, value from metrics where run_id = ${query.runId} and key = ${query.key} ${stepBounds(ranges[i])}`)
      } else {
        const plan = planBuckets(Number(end.first_step), Number(end.last_step), query.maxPoints)
        parts.push(sql`select ${sql.lit(i)}::int4 as i, step, timestamp, value from (${bucketExtremes(query.runId, query.key, ranges[i], plan)}) as extremes`)
      }
    })
    const read = new Map<number, MetricPoint[]>()
    if (parts.length > 0) {
      // A row a series, its points one JSON array of [step, timestamp, value]: twenty thousand rows
      // cost the driver three times what one JSON.parse of the same points does (the values
      // PostgreSQL's JSON cannot write as numbers come as "NaN", "Infinity", "-Infinity").
      // Unordered: each series is sorted here, a thousand points at a time, not twenty thousand in one sort there.
      const { rows } = await sql<{ i: number; points: [number, number, number | string][] }>`
        select i, json_agg(json_build_array(step, timestamp, value)) as points from (${sql.join(parts, sql` union all `)}) as p group by i`.execute(this.db)
      for (const row of rows) {
        read.set(row.i, row.points.map(([step, timestamp, value]) => toMetricPoint({ step, timestamp, value: Number(value) })))
      }
    }
    return queries.map((query, i) => {
      const totalPoints = Number(ends.get(i)?.total ?? 0)
      const points = read.get(i) ?? []
      const end = sampled[i]
      if (end === null) return { key: query.key, points: points.sort(inSeriesOrder), totalPoints, sampled: false }
      // The series' first and last points are kept whatever the buckets hold.
      const first = toMetricPoint({ step: Number(end.first_step), timestamp: Number(end.first_timestamp), value: Number(end.first_value) })
      const last = toMetricPoint({ step: Number(end.last_step), timestamp: Number(end.last_timestamp), value: Number(end.last_value) })
      return { key: query.key, points: mergePoints([first, ...points, last]), totalPoints, sampled: true }
    })
  }
}

type SeriesEndsRow = {
  i: number
  total: number | string
  first_step: number | null
  first_timestamp: number | null
  first_value: number | null
  last_step: number | null
  last_timestamp: number | null
  last_value: number | null
}

/** Series `i`'s size in its step range (whole buckets of the coarsest rollup, raw points at the ragged edges) and its first and last points. */
function seriesEnds(i: number, query: MetricHistoryQuery, range: StepRange): RawBuilder<SeriesEndsRow> {
  const { buckets, edges } = decomposeRange(range, COUNT_WIDTH)
  const counts = edges.map((edge) => sql`(select count(*) from metrics where run_id = ${query.runId} and key = ${query.key} and step between ${edge.min} and ${edge.max})`)
  if (buckets) {
    counts.push(sql`(select coalesce(sum(count), 0) from metric_rollups where run_id = ${query.runId} and key = ${query.key} and width = ${COUNT_WIDTH} ${bucketBounds(buckets)})`)
  }
  const points = sql`from metrics where run_id = ${query.runId} and key = ${query.key} ${stepBounds(range)}`
  return sql<SeriesEndsRow>`(select ${sql.lit(i)}::int4 as i, (${sql.join(counts, sql` + `)})::int8 as total,
      f.step as first_step, f.timestamp as first_timestamp, f.value as first_value,
      l.step as last_step, l.timestamp as last_timestamp, l.value as last_value
    from (select 1) as one
    left join lateral (select step, timestamp, value ${points} order by step, timestamp limit 1) as f on true
    left join lateral (select step, timestamp, value ${points} order by step desc, timestamp desc limit 1) as l on true)`
}

/**
 * The min and max point of every output bucket, in SQL: candidates are the
 * min and max points of the rollup buckets inside the range (or the raw
 * points, for short series) plus raw points at the range's ragged edges.
 */
function bucketExtremes(runId: string, key: string, range: StepRange, plan: { queryWidth: number; rollupWidth: number }): RawBuilder<PointRow> {
  const candidates: RawBuilder<unknown>[] = []
  if (plan.rollupWidth === 1) {
    candidates.push(sql`select step, timestamp, value from metrics where run_id = ${runId} and key = ${key} ${stepBounds(range)}`)
  } else {
    const { buckets, edges } = decomposeRange(range, plan.rollupWidth)
    if (buckets) {
      // One scan of the level: each bucket gives its min and its max point.
      candidates.push(sql`select c.step, c.timestamp, c.value from metric_rollups
        cross join lateral (values (min_step, min_timestamp, min_value), (max_step, max_timestamp, max_value)) as c(step, timestamp, value)
        where run_id = ${runId} and key = ${key} and width = ${plan.rollupWidth} ${bucketBounds(buckets)}`)
    }
    for (const edge of edges) {
      candidates.push(sql`select step, timestamp, value from metrics where run_id = ${runId} and key = ${key} and step between ${edge.min} and ${edge.max}`)
    }
  }
  // Output buckets that are the level's own buckets (a whole range, read at its own width): each row's min and max are the answer.
  if (plan.rollupWidth === plan.queryWidth && candidates.length === 1 && plan.rollupWidth > 1) return candidates[0] as RawBuilder<PointRow>
  const width = sql.lit(plan.queryWidth)
  return sql<PointRow>`
    with candidates as (${sql.join(candidates, sql` union all `)}),
    bucketed as (select step, timestamp, value, ${bucketOf(sql`step`, width)} as bucket from candidates)
    select * from (select distinct on (bucket) step, timestamp, value from bucketed order by bucket, value asc, step) as mins
    union all
    select * from (select distinct on (bucket) step, timestamp, value from bucketed
                   order by bucket, (value = 'NaN') asc, value desc, step) as maxs`
}

// The merge rules of `summarizeBatch`, in SQL: PostgreSQL orders NaN above
// every number, so `<` already prefers numbers for the min; the max must
// prefer a number to a stored NaN explicitly.
const newMin = sql`(excluded.min_value < metric_rollups.min_value)`
const newMax = sql`(excluded.max_value <> 'NaN' and (metric_rollups.max_value = 'NaN' or excluded.max_value > metric_rollups.max_value))`

/** One field of every point, as an array parameter for `unnest`. */
function column<T, K extends keyof T>(rows: readonly T[], key: K): T[K][] {
  return rows.map((row) => row[key])
}

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

/** Step, then timestamp, then value (NaN last, as PostgreSQL orders it). */
const inSeriesOrder = (a: MetricPoint, b: MetricPoint) =>
  a.step - b.step || a.timestamp.getTime() - b.timestamp.getTime() || (Number.isNaN(a.value) ? (Number.isNaN(b.value) ? 0 : 1) : Number.isNaN(b.value) ? -1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0)

/** Sorted, each point once (a bucket's min can be its max, or the series' first point). */
function mergePoints(points: MetricPoint[]): MetricPoint[] {
  const sorted = points.sort(inSeriesOrder)
  return sorted.filter((point, index) => index === 0 || inSeriesOrder(sorted[index - 1], point) !== 0)
}
