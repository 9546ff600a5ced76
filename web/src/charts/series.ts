import type { XAxis } from '../route.js'

/**
 * What a chart draws, computed from the points a run's series holds: pure
 * functions, so the rules (envelopes, smoothing, the x axis) are tested
 * without a browser (test/web/chart-series.test.ts).
 */

export interface Point {
  step: number
  /** Epoch milliseconds. */
  timestamp: number
  /** NaN for MLflow's NaN and the infinities, which are not drawn. */
  value: number
}

/** One run's series for one metric key, as far as the chart has it. */
export interface RunSeries {
  runGid: string
  name: string
  color: string
  /** The run's start (epoch ms): relative time counts from it. */
  origin: number
  /** In step order. */
  points: Point[]
  /** The points are the gateway's min/max reduction of a longer series (each bucket's minimum and maximum, in step order). */
  sampled: boolean
  totalPoints: number
}

export interface ChartOptions {
  x: XAxis
  logScale: boolean
  /** EMA weight, 0 (none) to 0.99. */
  smoothing: number
}

/** What the gateway answers for a point's value: a number, or MLflow's non-finite values as words. */
export function pointOf(point: { step: number; timestamp: string; value: number | string }): Point {
  return { step: point.step, timestamp: Date.parse(point.timestamp), value: typeof point.value === 'number' ? point.value : Number.NaN }
}

export function xOf(point: Point, series: RunSeries, axis: XAxis): number {
  if (axis === 'step') return point.step
  if (axis === 'wall') return point.timestamp / 1000
  return (point.timestamp - series.origin) / 1000
}

/**
 * A series as an envelope: where the points are a min/max reduction, each
 * consecutive pair (a bucket's minimum and maximum, in step order) becomes
 * one x with its upper and lower value, so a spike is the envelope's edge
 * and never averaged away; a full series is its own upper and lower.
 * Values that a log scale cannot place (≤ 0) and non-finite ones are gaps.
 */
export function envelopeOf(series: RunSeries, options: ChartOptions): { x: number[]; upper: (number | null)[]; lower: (number | null)[] } {
  const drawable = (value: number) => (Number.isFinite(value) && (!options.logScale || value > 0) ? value : null)
  const x: number[] = []
  const upper: (number | null)[] = []
  const lower: (number | null)[] = []
  const stride = series.sampled ? 2 : 1
  for (let i = 0; i < series.points.length; i += stride) {
    const group = series.points.slice(i, i + stride)
    const values = group.map((point) => drawable(point.value)).filter((value): value is number => value !== null)
    x.push(xOf(group[0], series, options.x))
    upper.push(values.length > 0 ? Math.max(...values) : null)
    lower.push(values.length > 0 ? Math.min(...values) : null)
  }
  return { x, upper, lower }
}

/**
 * Exponential moving average with the weight TensorBoard and W&B use
 * (0: the raw values; 0.99: very smooth), debiased so the curve starts at
 * the first value rather than rising from zero. Gaps stay gaps.
 */
export function ema(values: readonly (number | null)[], weight: number): (number | null)[] {
  let average = 0
  let count = 0
  return values.map((value) => {
    if (value === null) return null
    count++
    average = average * weight + (1 - weight) * value
    return average / (1 - weight ** count)
  })
}

/** The drawn lines of one run: its envelope (one line where the series is whole) and, with smoothing on, the smoothed middle. */
export interface DrawnRun {
  series: RunSeries
  x: number[]
  upper: (number | null)[]
  lower: (number | null)[]
  smoothed: (number | null)[] | null
}

export function drawnRunOf(series: RunSeries, options: ChartOptions): DrawnRun {
  const envelope = envelopeOf(series, options)
  const middle = envelope.upper.map((value, i) => (value === null || envelope.lower[i] === null ? null : (value + (envelope.lower[i] as number)) / 2))
  const order = envelope.x.map((_, i) => i).sort((a, b) => envelope.x[a] - envelope.x[b])
  const sorted = <T>(values: readonly T[]) => (isSorted(envelope.x) ? [...values] : order.map((i) => values[i]))
  const drawn = mergeSameX({ x: sorted(envelope.x), upper: sorted(envelope.upper), lower: sorted(envelope.lower), middle: sorted(middle) })
  return { series, x: drawn.x, upper: drawn.upper, lower: drawn.lower, smoothed: options.smoothing > 0 ? ema(drawn.middle, options.smoothing) : null }
}

/** Points at the same x (MLflow keeps several values per step) drawn as one, spanning them all: a chart's x values must be distinct. */
function mergeSameX(lines: { x: number[]; upper: (number | null)[]; lower: (number | null)[]; middle: (number | null)[] }) {
  const merged = { x: [] as number[], upper: [] as (number | null)[], lower: [] as (number | null)[], middle: [] as (number | null)[] }
  const pick = (a: number | null, b: number | null, choose: (x: number, y: number) => number) => (a === null ? b : b === null ? a : choose(a, b))
  lines.x.forEach((x, i) => {
    const last = merged.x.length - 1
    if (last >= 0 && merged.x[last] === x) {
      merged.upper[last] = pick(merged.upper[last], lines.upper[i], Math.max)
      merged.lower[last] = pick(merged.lower[last], lines.lower[i], Math.min)
      merged.middle[last] = lines.middle[i] ?? merged.middle[last]
      return
    }
    merged.x.push(x)
    merged.upper.push(lines.upper[i])
    merged.lower.push(lines.lower[i])
    merged.middle.push(lines.middle[i])
  })
  return merged
}

function isSorted(values: readonly number[]): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] < values[i - 1]) return false
  return true
}

/** Colours that stay apart for 20+ runs: hues spread by the golden angle. */
export function colorOf(index: number): string {
  return `hsl(${Math.round((index * 137.508) % 360)} 70% 42%)`
}
