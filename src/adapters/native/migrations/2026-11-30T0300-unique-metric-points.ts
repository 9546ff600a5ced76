import { type Kysely, sql } from 'kysely'

/** The rollup widths when this migration was written (a later one changed them: see 2026-12-01T0100-rollup-ladder). */
const ROLLUP_WIDTHS = [16, 256, 4096]

/**
 * A run keeps one copy of a point logged twice (same key, step, timestamp
 * and value), as MLflow's SQL store does with its metrics primary key. The
 * history index becomes unique on the point's identity; copies already
 * stored are removed first, and the rollups' counts lose them too (their
 * minima and maxima are the kept copy's).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const widths = sql.join(ROLLUP_WIDTHS.map((width) => sql`(${sql.lit(width)}::int4)`))
  await sql`
    with removed as (
      delete from metrics copy using metrics kept
      where copy.run_id = kept.run_id and copy.key = kept.key and copy.step = kept.step
        and copy.timestamp = kept.timestamp and copy.value = kept.value and copy.seq > kept.seq
      returning copy.run_id, copy.key, copy.step
    ),
    per_bucket as (
      select run_id, key, w.width, div(step - mod(mod(step, w.width) + w.width, w.width), w.width) as bucket, count(*) as copies
      from removed cross join (values ${widths}) as w(width)
      group by run_id, key, w.width, bucket
    )
    update metric_rollups r set count = r.count - p.copies
    from per_bucket p
    where r.run_id = p.run_id and r.key = p.key and r.width = p.width and r.bucket = p.bucket`.execute(db)
  // The same columns as the history index it replaces (reads stay index-only), the value now part of the key.
  await sql`create unique index metrics_point on metrics (run_id, key, step, timestamp, value)`.execute(db)
  await sql`drop index metrics_history`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index metrics_history on metrics (run_id, key, step, timestamp) include (value)`.execute(db)
  await sql`drop index metrics_point`.execute(db)
}
