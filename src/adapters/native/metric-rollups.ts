/**
 * The rollup pyramid: for each (run, key), min/max/count summaries of step
 * buckets `width` wide, at a few widths, maintained by every logMetrics.
 *
 * Why: bucketing a 1,000,000-point series into 500 min/max buckets by
 * scanning it takes 250-310 ms on PostgreSQL even with a covering index;
 * reading the precomputed buckets takes a few ms. Widths grow 4x per level,
 * so a query reads at most ~8 rollup rows per output bucket (16x per level,
 * as before 2026-12-01, read up to 32: 7,800 rows for a 1M-point chart, 20 ms
 * of PostgreSQL's time; twenty such series in one chart took 450 ms).
 * A 1,000-point batch updates about 45 rollup rows (68 before: the finest
 * level, 32, is coarser than the old 16; series under ~8,000 points are
 * read raw, which their covering index makes cheap). Buckets are
 * aligned to multiples of their width in absolute step space, so a query
 * bucket whose width is a multiple of a level's width is an exact union of
 * that level's buckets.
 */
export const ROLLUP_WIDTHS = [32, 128, 512, 2048, 8192, 32768] as const

/** The coarsest level: counting a range reads the fewest rows there. */
export const COUNT_WIDTH = ROLLUP_WIDTHS[ROLLUP_WIDTHS.length - 1]

export interface StepRange {
  /** Inclusive; null means unbounded. */
  min: number | null
  max: number | null
}

/**
 * Splits a step range into the buckets of `width` it covers whole (read from
 * rollups) and the raw step ranges at its ragged edges (read from points).
 */
export interface RangeDecomposition {
  /** Inclusive bucket numbers; null bounds are open; null when no bucket is whole. */
  buckets: StepRange | null
  /** At most two ranges of raw steps, each shorter than one bucket. */
  edges: { min: number; max: number }[]
}

export function decomposeRange(range: StepRange, width: number): RangeDecomposition {
  const firstWhole = range.min === null ? null : Math.ceil(range.min / width)
  const lastWhole = range.max === null ? null : Math.floor((range.max + 1) / width) - 1
  if (firstWhole !== null && lastWhole !== null && firstWhole > lastWhole) {
    // No bucket lies wholly inside: the range is short, read it raw.
    return { buckets: null, edges: [{ min: range.min as number, max: range.max as number }] }
  }
  const edges: { min: number; max: number }[] = []
  if (range.min !== null && firstWhole !== null && range.min < firstWhole * width) {
    edges.push({ min: range.min, max: firstWhole * width - 1 })
  }
  if (range.max !== null && lastWhole !== null && range.max > (lastWhole + 1) * width - 1) {
    edges.push({ min: (lastWhole + 1) * width, max: range.max })
  }
  return { buckets: { min: firstWhole, max: lastWhole }, edges }
}

export interface BucketPlan {
  /** Width of the output buckets, in steps. */
  queryWidth: number
  /** The rollup level read (a divisor of `queryWidth`), or 1 to read raw points. */
  rollupWidth: number
}

/**
 * Output buckets for `maxPoints`: the first and last points take two slots,
 * every bucket gives at most its min and max, and alignment can add one
 * partial bucket at each end, so `(maxPoints - 4) / 2` buckets always fit.
 */
export function planBuckets(firstStep: number, lastStep: number, maxPoints: number): BucketPlan {
  const buckets = Math.max(1, Math.floor((maxPoints - 4) / 2))
  const wanted = Math.max(1, Math.ceil((lastStep - firstStep + 1) / buckets))
  // The coarsest level up to twice the wanted width: at worst it halves the
  // buckets (still a faithful chart), and it reads up to 16x fewer rows than
  // the level below it.
  const rollupWidth = [...ROLLUP_WIDTHS].reverse().find((width) => width <= 2 * wanted) ?? 1
  return { queryWidth: Math.ceil(wanted / rollupWidth) * rollupWidth, rollupWidth }
}

/** One rollup bucket's summary of a batch, merged into the stored row on write. */
export interface RollupDelta {
  key: string
  width: number
  bucket: number
  count: number
  min: BatchPoint
  max: BatchPoint
}

export interface BatchPoint {
  key: string
  step: number
  timestamp: number
  value: number
}

/**
 * A point replaces a bucket's min when its value is lower (ties: lower step).
 * PostgreSQL's float order puts NaN above every number, so a min is NaN only
 * when every value is; the max prefers numbers to NaN the same way. The SQL
 * merge in `metric-store.ts` applies the same two rules.
 */
const lowerThan = (a: BatchPoint, b: BatchPoint) =>
  Number.isNaN(b.value) ? !Number.isNaN(a.value) || a.step < b.step : !Number.isNaN(a.value) && (a.value < b.value || (a.value === b.value && a.step < b.step))
const higherThan = (a: BatchPoint, b: BatchPoint) =>
  Number.isNaN(b.value) ? !Number.isNaN(a.value) || a.step < b.step : !Number.isNaN(a.value) && (a.value > b.value || (a.value === b.value && a.step < b.step))

/**
 * Summarizes a batch into rollup deltas at every width, in memory: the batch
 * is already in hand, and grouping 1,000 points here costs far less than
 * sorting them three times inside the INSERT.
 */
export function summarizeBatch(points: readonly BatchPoint[]): RollupDelta[] {
  // Per key, per width, bucket → delta: number-keyed maps, no composite string per point and width.
  const byKey = new Map<string, Map<number, RollupDelta>[]>()
  for (const point of points) {
    let levels = byKey.get(point.key)
    if (!levels) byKey.set(point.key, (levels = ROLLUP_WIDTHS.map(() => new Map<number, RollupDelta>())))
    for (let level = 0; level < ROLLUP_WIDTHS.length; level++) {
      const width = ROLLUP_WIDTHS[level]
      const bucket = Math.floor(point.step / width)
      const delta = levels[level].get(bucket)
      if (!delta) {
        levels[level].set(bucket, { key: point.key, width, bucket, count: 1, min: point, max: point })
        continue
      }
      delta.count += 1
      if (lowerThan(point, delta.min)) delta.min = point
      if (higherThan(point, delta.max)) delta.max = point
    }
  }
  // A fixed order (key, width, bucket), so concurrent batches for one run lock rollup rows in the same order (no deadlocks).
  const deltas: RollupDelta[] = []
  for (const [, levels] of [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const level of levels) deltas.push(...[...level.values()].sort((a, b) => a.bucket - b.bucket))
  }
  return deltas
}

/** MLflow's "latest" point per key: highest step, then latest timestamp, then largest value. */
export function latestPerKey(points: readonly BatchPoint[]): BatchPoint[] {
  const latest = new Map<string, BatchPoint>()
  for (const point of points) {
    const current = latest.get(point.key)
    if (!current || comparePoints(point, current) > 0) latest.set(point.key, point)
  }
  return [...latest.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

function comparePoints(a: BatchPoint, b: BatchPoint): number {
  if (a.step !== b.step) return a.step - b.step
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp
  // PostgreSQL's order: NaN is the largest value.
  if (Number.isNaN(a.value) || Number.isNaN(b.value)) return Number(Number.isNaN(a.value)) - Number(Number.isNaN(b.value))
  return a.value - b.value
}
