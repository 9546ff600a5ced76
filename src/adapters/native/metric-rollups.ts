/**
 * The rollup pyramid: for each (run, key), min/max/count summaries of step
 * buckets `width` wide, at a few widths, maintained by every logMetrics.
 *
 * Why: bucketing a 1,000,000-point series into 500 min/max buckets by
 * scanning it takes 250-310 ms on PostgreSQL even with a covering index;
 * reading the precomputed buckets takes a few ms. Widths grow 16x per level,
 * so a query reads at most ~16 rollup rows per output bucket. Buckets are
 * aligned to multiples of their width in absolute step space, so a query
 * bucket whose width is a multiple of a level's width is an exact union of
 * that level's buckets.
 */
export const ROLLUP_WIDTHS = [16, 256, 4096] as const

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
  const rollupWidth = [...ROLLUP_WIDTHS].reverse().find((width) => width <= wanted) ?? 1
  return { queryWidth: Math.ceil(wanted / rollupWidth) * rollupWidth, rollupWidth }
}
