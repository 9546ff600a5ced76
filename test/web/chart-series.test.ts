import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { downsample } from '../../src/adapters/downsample.js'
import { layersOf } from '../../web/src/charts/layers.js'
import { type ChartOptions, type Point, type RunSeries, drawnRunOf, ema, envelopeOf } from '../../web/src/charts/series.js'

/** The dashboard's chart rules, without a browser: envelopes keep every extreme, smoothing, the x axes, lineage layers. */
const STEP: ChartOptions = { x: 'step', logScale: false, smoothing: 0 }
const seriesOf = (points: Point[], sampled: boolean): RunSeries => ({ runGid: 'Run:local:r', name: 'r', color: 'hsl(0 70% 42%)', origin: 1_000_000, points, sampled, totalPoints: points.length })
const pointsOf = (values: readonly number[]): Point[] => values.map((value, step) => ({ step, timestamp: 1_000_000 + step * 1000, value }))

describe('chart envelopes', () => {
  it("keep the whole series' maximum and minimum when drawn from the gateway's min/max reduction", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 20, maxLength: 3000 }), fc.integer({ min: 10, max: 200 }), (values, maxPoints) => {
        const all = pointsOf(values)
        const reduced = downsample(all.map((point) => ({ ...point, timestamp: new Date(point.timestamp) })), maxPoints).map((point) => ({ ...point, timestamp: point.timestamp.getTime() }))
        const envelope = envelopeOf(seriesOf(reduced, reduced.length < all.length), STEP)
        expect(Math.max(...envelope.upper.map((value) => value ?? Number.NEGATIVE_INFINITY))).toBe(Math.max(...values))
        expect(Math.min(...envelope.lower.map((value) => value ?? Number.POSITIVE_INFINITY))).toBe(Math.min(...values))
        envelope.upper.forEach((upper, i) => expect(upper).toBeGreaterThanOrEqual(envelope.lower[i] as number))
      }),
    )
  })

  it('pair a reduced series into buckets, and leave a whole one point for point', () => {
    const points = pointsOf([1, 5, 2, 8, 3, 3])
    expect(envelopeOf(seriesOf(points, true), STEP)).toEqual({ x: [0, 2, 4], upper: [5, 8, 3], lower: [1, 2, 3] })
    expect(envelopeOf(seriesOf(points, false), STEP).upper).toEqual([1, 5, 2, 8, 3, 3])
  })

  it('leave gaps where a log scale cannot place a value, and for non-finite values', () => {
    const points = pointsOf([1, 0, -2, Number.NaN, 4])
    expect(envelopeOf(seriesOf(points, false), { ...STEP, logScale: true }).upper).toEqual([1, null, null, null, 4])
    expect(envelopeOf(seriesOf(points, false), STEP).upper).toEqual([1, 0, -2, null, 4])
  })

  it('place points by step, wall time (seconds) or time since the run started', () => {
    const series = seriesOf(pointsOf([1, 2]), false)
    expect(envelopeOf(series, { ...STEP, x: 'wall' }).x).toEqual([1000, 1001])
    expect(envelopeOf(series, { ...STEP, x: 'relative' }).x).toEqual([0, 1])
  })

  it('draw points logged at one x as one, spanning their values, in x order', () => {
    const points: Point[] = [
      { step: 2, timestamp: 5000, value: 3 },
      { step: 1, timestamp: 5000, value: 1 },
      { step: 0, timestamp: 4000, value: 7 },
    ]
    const drawn = drawnRunOf(seriesOf(points, false), { ...STEP, x: 'wall' })
    expect([drawn.x, drawn.upper, drawn.lower]).toEqual([[4, 5], [7, 3], [7, 1]])
  })
})

describe('smoothing', () => {
  it('is the debiased exponential moving average: weight 0 is the raw curve, a constant stays constant, gaps stay gaps', () => {
    expect(ema([1, 2, 3], 0)).toEqual([1, 2, 3])
    for (const value of ema([5, 5, null, 5], 0.9)) expect(value === null ? null : Number(value.toFixed(12))).toBeOneOf([5, null])
    expect(ema([5, 5, null, 5], 0.9)[2]).toBeNull()
    const smoothed = ema([0, 10], 0.5) as number[]
    expect(smoothed[0]).toBe(0)
    expect(smoothed[1]).toBeCloseTo((0.5 * 0 * 0.5 + 0.5 * 10) / (1 - 0.25))
  })
})

describe('lineage layers', () => {
  it('put what a record depends on to its left and what depends on it to its right, by the shortest path', () => {
    const edges = [
      { from: 'version', to: 'run' },
      { from: 'run', to: 'experiment' },
      { from: 'child', to: 'run' },
      { from: 'run', to: 'dataset' },
      { from: 'version', to: 'model' },
    ]
    expect(Object.fromEntries(layersOf('run', edges))).toEqual({ run: 0, version: 1, child: 1, experiment: -1, dataset: -1, model: 0 })
  })
})
