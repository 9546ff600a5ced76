import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { planBuckets } from '../../src/adapters/native/metric-rollups.js'
import { CreateExperimentDocument, CreateRunDocument, LogMetricsDocument, MetricHistoryDocument } from '../generated/graphql.js'
import { describeEachEngine } from '../support/engines.js'
import { type TestGateway, errorCodes, startNativeGateway } from '../support/gateway.js'

/**
 * Downsampling keeps the shape: the first and last points, and each output
 * bucket's minimum and maximum, checked against the generated series.
 */

interface Point {
  step: number
  value: number
}

type Wire = number | 'NaN' | 'Infinity' | '-Infinity'
const toWire = (value: number): Wire =>
  Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : value
const fromWire = (value: unknown): number => (typeof value === 'number' ? value : Number(value))

function seeded(seed: number) {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}

function makeSeries(steps: number[], seed: number, extra: (step: number, value: number) => number = (_, v) => v): Point[] {
  const next = seeded(seed)
  return steps.map((step) => ({ step, value: extra(step, Math.round(Math.sin(step / 50) * 1000 + next() * 100) / 10) }))
}

const floorDiv = (a: number, b: number) => Math.floor(a / b)

/** Per bucket, the numeric min and max (PostgreSQL order: NaN above all, so a max is NaN only if all are). */
function bucketExtremes(points: Point[], width: number) {
  const buckets = new Map<number, { min: number; max: number }>()
  for (const { step, value } of points) {
    const bucket = floorDiv(step, width)
    const current = buckets.get(bucket)
    if (!current) {
      buckets.set(bucket, { min: value, max: value })
      continue
    }
    if (!Number.isNaN(value) && (Number.isNaN(current.min) || value < current.min)) current.min = value
    if (!Number.isNaN(value) && (Number.isNaN(current.max) || value > current.max)) current.max = value
  }
  return buckets
}

describeEachEngine('metric history downsampling', (engine) => {
  let gw: TestGateway
  let runId: string

  beforeAll(async () => {
    gw = await startNativeGateway(engine)
    const experiment = (await gw.data(CreateExperimentDocument, { input: { name: 'history' } })).createExperiment
    runId = (await gw.data(CreateRunDocument, { input: { experimentId: experiment.id } })).createRun.id
  })
  afterAll(() => gw.close())

  /** Logs in batches of 1,000 in shuffled batch order, so rollups are merged out of order. */
  async function log(key: string, points: Point[]) {
    const batches: Point[][] = []
    for (let i = 0; i < points.length; i += 1000) batches.push(points.slice(i, i + 1000))
    const next = seeded(points.length)
    batches.sort(() => next() - 0.5)
    for (const batch of batches) {
      const metrics = batch.map((point) => ({ key, step: point.step, value: toWire(point.value), timestamp: new Date(1_700_000_000_000 + point.step).toISOString() }))
      await gw.data(LogMetricsDocument, { runId, metrics })
    }
  }

  async function history(key: string, args: { maxPoints?: number; minStep?: number; maxStep?: number }) {
    const result = await gw.data(MetricHistoryDocument, { id: runId, key, ...args })
    const series = result.run?.metricHistory
    if (!series) throw new Error('no series')
    // The columns are the same points, in the same order (non-finite values included).
    expect({ steps: series.steps, values: series.values, timestamps: series.timestamps }).toEqual({
      steps: series.points.map((point) => point.step),
      values: series.points.map((point) => point.value),
      timestamps: series.points.map((point) => point.timestamp),
    })
    return { ...series, points: series.points.map((point) => ({ step: point.step, value: fromWire(point.value), timestamp: point.timestamp })) }
  }

  function expectShapeKept(series: Point[], returned: Point[], maxPoints: number) {
    expect(returned.length).toBeLessThanOrEqual(maxPoints)
    const sorted = [...series].sort((a, b) => a.step - b.step)
    expect(returned[0]).toMatchObject(sorted[0])
    expect(returned.at(-1)).toMatchObject(sorted.at(-1)!)
    // Every returned point is a real point of the series.
    const real = new Set(series.map((point) => `${point.step}:${point.value}`))
    for (const point of returned) expect(real.has(`${point.step}:${point.value}`)).toBe(true)
    // Steps ascend.
    for (let i = 1; i < returned.length; i++) expect(returned[i].step).toBeGreaterThanOrEqual(returned[i - 1].step)
    // Each bucket's min and max survive.
    const { queryWidth } = planBuckets(sorted[0].step, sorted.at(-1)!.step, maxPoints)
    const expected = bucketExtremes(series, queryWidth)
    const got = new Map<number, number[]>()
    for (const point of returned) {
      const bucket = floorDiv(point.step, queryWidth)
      got.set(bucket, [...(got.get(bucket) ?? []), point.value])
    }
    for (const [bucket, { min, max }] of expected) {
      const values = got.get(bucket) ?? []
      expect(values.some((value) => Object.is(value, min) || value === min), `bucket ${bucket} min ${min}`).toBe(true)
      expect(values.some((value) => Object.is(value, max) || value === max), `bucket ${bucket} max ${max}`).toBe(true)
    }
  }

  describe('a 20,000-point series with spikes', () => {
    const spikeSteps = new Set([777, 9_999, 15_123])
    const series = makeSeries(
      Array.from({ length: 20_000 }, (_, i) => i),
      7,
      (step, value) => (spikeSteps.has(step) ? (step === 9_999 ? -5_000 : 5_000) : value),
    )
    beforeAll(() => log('dense', series))

    it.each([100, 1000, 10_000])('keeps first, last and every bucket min and max at maxPoints %i', async (maxPoints) => {
      const result = await history('dense', { maxPoints })
      expect(result.totalPoints).toBe(20_000)
      expect(result.sampled).toBe(true)
      expectShapeKept(series, result.points, maxPoints)
      for (const step of spikeSteps) expect(result.points.some((point) => point.step === step)).toBe(true)
    })

    it('reduces a step range, counting only the points inside it', async () => {
      const inside = series.filter((point) => point.step >= 1_234 && point.step <= 15_678)
      const result = await history('dense', { maxPoints: 60, minStep: 1_234, maxStep: 15_678 })
      expect(result.totalPoints).toBe(inside.length)
      expectShapeKept(inside, result.points, 60)
    })

    it('returns every point of a short range without sampling', async () => {
      const result = await history('dense', { minStep: 100, maxStep: 149 })
      expect(result.sampled).toBe(false)
      expect(result.totalPoints).toBe(50)
      expect(result.points.map((point) => point.step)).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i))
      expect(result.points.map((point) => point.value)).toEqual(series.slice(100, 150).map((point) => point.value))
    })
  })

  it('samples from raw points when the series is only a little longer than maxPoints', async () => {
    const series = makeSeries(Array.from({ length: 300 }, (_, i) => i * 3), 11)
    await log('short', series)
    const result = await history('short', { maxPoints: 40 })
    expect(result.sampled).toBe(true)
    expect(result.totalPoints).toBe(300)
    expectShapeKept(series, result.points, 40)
  })

  it('buckets negative steps correctly', async () => {
    const series = makeSeries(Array.from({ length: 5_000 }, (_, i) => i - 2_500), 13)
    await log('negative', series)
    const result = await history('negative', { maxPoints: 50 })
    expect(result.totalPoints).toBe(5_000)
    expectShapeKept(series, result.points, 50)
  })

  it('prefers numbers to NaN for a maximum and keeps infinities', async () => {
    const series = makeSeries(Array.from({ length: 4_000 }, (_, i) => i), 17, (step, value) =>
      step % 97 === 0 ? Number.NaN : step === 2_000 ? Infinity : step === 3_000 ? -Infinity : value,
    )
    await log('nonfinite', series)
    const result = await history('nonfinite', { maxPoints: 30 })
    expectShapeKept(series, result.points, 30)
    expect(result.points.some((point) => point.value === Infinity)).toBe(true)
    expect(result.points.some((point) => point.value === -Infinity)).toBe(true)
  })

  it('keeps one copy of a point logged again, so counts and reductions are those of the series logged once', async () => {
    const series = makeSeries(Array.from({ length: 3_000 }, (_, i) => i), 19, (step, value) => (step % 101 === 0 ? Number.NaN : value))
    await log('copied', series)
    // A retried batch, and a batch holding copies of its own points and of stored ones beside new ones.
    await log('copied', series.slice(1_000, 2_000))
    const extra = makeSeries(Array.from({ length: 10 }, (_, i) => 3_000 + i), 23)
    await log('copied', [...series.slice(0, 5), ...extra, ...extra])
    const whole = [...series, ...extra]
    const sampled = await history('copied', { maxPoints: 40 })
    expect(sampled.totalPoints).toBe(whole.length)
    expectShapeKept(whole, sampled.points, 40)
    const short = await history('copied', { minStep: 995, maxStep: 1_004 })
    expect(short.points.map((point) => point.step)).toEqual(Array.from({ length: 10 }, (_, i) => 995 + i))
  })

  it('answers an unknown key with an empty series, and refuses bad arguments', async () => {
    const empty = await history('never-logged', {})
    expect(empty).toMatchObject({ points: [], totalPoints: 0, sampled: false })
    expect(errorCodes(await gw.request(MetricHistoryDocument, { id: runId, key: 'dense', maxPoints: 5 }))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await gw.request(MetricHistoryDocument, { id: runId, key: 'dense', maxPoints: 10_001 }))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await gw.request(MetricHistoryDocument, { id: runId, key: 'dense', minStep: 10, maxStep: 5 }))).toEqual([
      'BAD_USER_INPUT',
    ])
  })
})
