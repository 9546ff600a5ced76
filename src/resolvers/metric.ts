import type { LatestMetric, MetricPoint, MetricSeries } from '../domain.js'
import { badInput } from '../errors.js'
import type { RecordKey } from '../federation/record-key.js'
import { decodeGlobalIdOf } from '../ids.js'
import { builder } from './builder.js'
import { RunRef } from './refs.js'

/** Metrics: latest values on a run, history with downsampling, logMetrics, and logMetricSeries for training loops. */

export const MetricRef = builder.objectRef<LatestMetric>('Metric').implement({
  description: 'The latest value of one metric of a run (highest step, then latest timestamp).',
  fields: (t) => ({
    key: t.exposeString('key'),
    value: t.field({ type: 'MetricValue', resolve: (metric) => metric.value }),
    step: t.exposeInt('step'),
    timestamp: t.field({ type: 'DateTime', resolve: (metric) => metric.timestamp }),
  }),
})

export const MetricPointRef = builder.objectRef<MetricPoint>('MetricPoint').implement({
  fields: (t) => ({
    step: t.exposeInt('step'),
    timestamp: t.field({ type: 'DateTime', resolve: (point) => point.timestamp }),
    value: t.field({ type: 'MetricValue', resolve: (point) => point.value }),
  }),
})

const MetricSeriesRef = builder.objectRef<MetricSeries>('MetricSeries').implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    points: t.field({ type: [MetricPointRef], resolve: (series) => series.points }),
    // The same points as columns: a list of scalars costs graphql-js a fraction of
    // what a list of objects does (no field resolution per point), and a comparison
    // chart of 20 runs asks for 20,000 points in one request.
    steps: t.field({
      type: ['Int'],
      description: "The points' steps, in the order of `points`: with `values` and `timestamps`, the series as columns (lighter than `points` for long series).",
      resolve: (series) => series.points.map((point) => point.step),
    }),
    values: t.field({ type: ['MetricValue'], description: "The points' values, in the order of `points`.", resolve: (series) => series.points.map((point) => point.value) }),
    timestamps: t.field({ type: ['DateTime'], description: "The points' timestamps, in the order of `points`.", resolve: (series) => series.points.map((point) => point.timestamp) }),
    totalPoints: t.exposeInt('totalPoints', { description: 'Points in the requested step range before downsampling.' }),
    sampled: t.exposeBoolean('sampled', { description: 'True when `points` is a reduction of a longer series.' }),
  }),
})

builder.objectFields(RunRef, (t) => ({
  metrics: t.field({
    type: [MetricRef],
    args: { keys: t.arg.stringList({ description: 'Only these keys.' }) },
    resolve: (run, { keys }) => (keys ? run.metrics.filter((metric) => keys.includes(metric.key)) : run.metrics),
  }),
  metricHistory: t.field({
    type: MetricSeriesRef,
    description:
      'Every point of one metric in step order. A series longer than maxPoints is reduced to at most maxPoints ' +
      "points that keep its shape: the first and last points and each step bucket's minimum and maximum.",
    args: {
      key: t.arg.string({ required: true }),
      maxPoints: t.arg.int({ description: '10-10,000; default 1,000.' }),
      minStep: t.arg.int(),
      maxStep: t.arg.int(),
    },
    resolve: (run, args, { federation }) =>
      federation.metricHistory(
        { backendId: run.backendId, nativeId: run.nativeId },
        { key: args.key, maxPoints: args.maxPoints ?? null, minStep: args.minStep ?? null, maxStep: args.maxStep ?? null },
      ),
  }),
}))

const MetricInput = builder.inputType('MetricInput', {
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.field({ type: 'MetricValue', required: true }),
    step: t.int({ description: 'Default: 0.' }),
    timestamp: t.field({ type: 'DateTime', description: 'Default: now.' }),
  }),
})

builder.mutationFields((t) => ({
  logMetrics: t.field({
    type: RunRef,
    description: 'Logs metric points (at most 1,000 per call, all or none).',
    args: {
      runId: t.arg.id({ required: true }),
      metrics: t.arg({ type: [MetricInput], required: true }),
    },
    resolve: (_, { runId, metrics }, { federation }) => {
      const now = new Date()
      return federation.logMetrics(
        decodeGlobalIdOf('Run', runId),
        metrics.map((metric) => ({ key: metric.key, value: metric.value, step: metric.step ?? 0, timestamp: metric.timestamp ?? now })),
      )
    },
  }),
}))

const MetricSeriesWriteRef = builder.objectRef<{ run: RecordKey; points: number }>('MetricSeriesWrite').implement({
  description: 'What logMetricSeries logged. The run is read only when selected.',
  fields: (t) => ({
    points: t.exposeInt('points', { description: 'Points in the call; a point the run already holds (same step, timestamp and value) is kept once.' }),
    run: t.field({ type: RunRef, resolve: (written, _, { federation }) => federation.reloadRun(written.run) }),
  }),
})

builder.mutationFields((t) => ({
  logMetricSeries: t.field({
    type: MetricSeriesWriteRef,
    description:
      "Logs one metric's points as columns: steps[i], values[i] and timestamps[i] are one point (timestamps default to now). " +
      'The same write as logMetrics (at most 1,000 points, all or none), for training loops: a thousand numbers cost the gateway far less to read than a thousand objects.',
    args: {
      runId: t.arg.id({ required: true }),
      key: t.arg.string({ required: true }),
      steps: t.arg.intList({ required: true }),
      values: t.arg({ type: ['MetricValue'], required: true }),
      timestamps: t.arg({ type: ['DateTime'] }),
    },
    resolve: async (_, { runId, key, steps, values, timestamps }, { federation }) => {
      if (values.length !== steps.length) throw badInput(`logMetricSeries: values has ${values.length} entries and steps ${steps.length}; each point needs both`)
      if (timestamps && timestamps.length !== steps.length) throw badInput(`logMetricSeries: timestamps has ${timestamps.length} entries and steps ${steps.length}; give one per point, or none`)
      const run = decodeGlobalIdOf('Run', runId)
      const now = new Date()
      await federation.appendMetrics(
        run,
        steps.map((step, i) => ({ key, step, value: values[i], timestamp: timestamps?.[i] ?? now })),
      )
      return { run, points: steps.length }
    },
  }),
}))
