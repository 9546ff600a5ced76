import type { MetricRuleConfig } from '../../config.js'
import type { LiveMetrics, MetricBatch } from '../../contract/backend.js'
import { isBackendFailure } from '../../errors.js'
import { logUnexpected } from '../../log.js'
import type { Backends } from '../backends.js'
import { TrackingFederation } from '../tracking.js'
import { type EventSink, events } from './events.js'

const COMPARISONS = {
  '<': (value: number, bound: number) => value < bound,
  '<=': (value: number, bound: number) => value <= bound,
  '>': (value: number, bound: number) => value > bound,
  '>=': (value: number, bound: number) => value >= bound,
} as const

/** `< 0.9` → the comparison; the config already refused anything else. */
export function parseCondition(condition: string): (value: number) => boolean {
  const match = /^\s*(<=|>=|<|>)\s*(\S+)\s*$/.exec(condition)
  if (!match) throw new Error(`not a condition: ${condition}`)
  const compare = COMPARISONS[match[1] as keyof typeof COMPARISONS]
  const bound = Number(match[2])
  return (value) => compare(value, bound)
}

/**
 * One run's metric under one rule: the newest `window` points averaged; a
 * crossing is the average going from not meeting the condition to meeting
 * it, and fires once (it fires again only after the average left and came back).
 */
export class ThresholdWatch {
  private readonly recent: number[] = []
  private met = false

  constructor(
    private readonly window: number,
    private readonly holds: (value: number) => boolean,
  ) {}

  /** The averages that crossed, with the point that made each cross. */
  add(points: readonly { step: number; value: number; timestamp: Date }[]): { value: number; step: number; timestamp: number }[] {
    const crossings = []
    for (const point of points) {
      this.recent.push(point.value)
      if (this.recent.length > this.window) this.recent.shift()
      if (this.recent.length < this.window) continue
      const average = this.recent.reduce((sum, value) => sum + value, 0) / this.window
      const holds = this.holds(average)
      if (holds && !this.met) crossings.push({ value: average, step: point.step, timestamp: point.timestamp.getTime() })
      this.met = holds
    }
    return crossings
  }
}

/**
 * `webhooks.metricRules`: each rule watches its run, or every running run
 * of its experiment (those started later too), on the backend's live
 * stream (NOTIFY on the native store, the shared pollers on MLflow), and
 * publishes `metric.threshold_crossed` at each crossing. Replicas each
 * watch; the event's key (rule, run, point) makes it one delivery.
 */
export class MetricRules {
  private readonly stops: (() => void)[] = []
  private readonly watched = new Map<string, () => void>()

  constructor(
    private readonly rules: readonly MetricRuleConfig[],
    private readonly backends: Backends,
    private readonly sink: EventSink,
  ) {}

  start(): void {
    for (const rule of this.rules) {
      const live = this.backends.get(rule.backend).live
      if (!live) {
        logUnexpected(`metric rule ${rule.name}: backend ${rule.backend} has no live metrics`, new Error('no live part'))
        continue
      }
      if (rule.runId !== undefined) {
        this.watchRun(rule, live, rule.runId)
        continue
      }
      const experimentId = rule.experimentId as string
      this.stops.push(
        live.watchRuns(experimentId, (event) => {
          if (event.kind === 'CREATED') this.watchRun(rule, live, event.runId)
          if (event.kind === 'FINISHED' || event.kind === 'DELETED') this.unwatchRun(rule, event.runId)
        }),
      )
      void this.watchRunning(rule, live, experimentId)
    }
  }

  async close(): Promise<void> {
    for (const stop of this.stops.splice(0)) stop()
    for (const stop of this.watched.values()) stop()
    this.watched.clear()
  }

  /** Runs of the experiment running when the gateway starts. */
  private async watchRunning(rule: MetricRuleConfig, live: LiveMetrics, experimentId: string): Promise<void> {
    try {
      const tracking = new TrackingFederation(this.backends)
      let after: string | null = null
      do {
        const page = await tracking.listRuns({
          backends: [rule.backend],
          experiments: [{ backendId: rule.backend, nativeId: experimentId }],
          filter: { all: [{ field: 'status', op: 'EQ', value: 'RUNNING' }] },
          lifecycle: 'active',
          orderBy: [],
          first: 100,
          after,
        })
        for (const edge of page.edges) this.watchRun(rule, live, edge.node.nativeId)
        after = page.hasNextPage ? (page.edges.at(-1)?.cursor ?? null) : null
      } while (after)
    } catch (error) {
      if (!isBackendFailure(error)) logUnexpected(`metric rule ${rule.name}: listing running runs failed`, error)
    }
  }

  private watchRun(rule: MetricRuleConfig, live: LiveMetrics, runId: string): void {
    const key = `${rule.name}\u0000${runId}`
    if (this.watched.has(key)) return
    const threshold = new ThresholdWatch(rule.window, parseCondition(rule.condition))
    const onBatches = (batches: MetricBatch[]) => {
      const crossings = batches.filter((batch) => batch.key === rule.key).flatMap((batch) => threshold.add(batch.points))
      void this.sink.publish(crossings.map((crossing) => events.thresholdCrossed({ rule: rule.name, backend: rule.backend, runId, key: rule.key, condition: rule.condition.trim(), window: rule.window, ...crossing })))
    }
    try {
      this.watched.set(key, live.watch(runId, onBatches))
    } catch (error) {
      // The backend's circuit is open: the run goes unwatched, as a subscription would be refused.
      if (!isBackendFailure(error)) logUnexpected(`metric rule ${rule.name}: watching a run failed`, error)
    }
  }

  private unwatchRun(rule: MetricRuleConfig, runId: string): void {
    const key = `${rule.name}\u0000${runId}`
    this.watched.get(key)?.()
    this.watched.delete(key)
  }
}
