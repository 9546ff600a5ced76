import type { LatestMetric, MetricPoint, MetricSeries } from '../domain.js'
import { decodeGlobalIdOf } from '../ids.js'
import { builder } from './builder.js'
import { RunRef } from './refs.js'

/** Metrics: latest values on a run, history with downsampling, and logMetrics. */

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
