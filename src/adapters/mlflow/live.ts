import type { MetricPoint, Run } from '../../domain.js'
import { GatewayError } from '../../errors.js'
import type { LiveMetrics, MetricBatch, RunEvent } from '../../contract/backend.js'
import { joinPoller } from '../shared-pollers.js'
import { logUnexpected } from '../../log.js'

/**
 * Live points from an MLflow server, which cannot push: one shared poller
 * per watched run, however many subscribers. Each tick is one `runs/get`
 * (latest value of every key); only keys whose latest point moved cost a
 * history read, and only points newer than the last seen (by step, then
 * timestamp) are handed on. A run that leaves RUNNING gets one final poll,
 * then its poller stops; the last subscriber leaving stops it too.
 */
export interface MlflowLiveSource {
  getRun(runId: string): Promise<Run | null>
  history(runId: string, key: string): Promise<MetricPoint[]>
  /** The experiment's runs, newest first (one page: the runs a dashboard is watching). */
  recentRuns(experimentId: string): Promise<Run[]>
}

type Seen = Record<string, [step: number, timestamp: number]>

export class MlflowLiveMetrics implements LiveMetrics {
  private readonly pollers = new Map<string, RunPoller>()
  private readonly experimentPollers = new Map<string, ExperimentPoller>()

  constructor(
    private readonly source: MlflowLiveSource,
    private readonly intervalMs: number,
    private readonly backendId: string,
  ) {}

  async ready(): Promise<void> {}

  watcherCount(): number {
    return [...this.pollers.values(), ...this.experimentPollers.values()].reduce((sum, poller) => sum + poller.listeners.size, 0)
  }

  /** Stops every poller (the gateway is shutting down). */
  close(): void {
    for (const poller of [...this.pollers.values(), ...this.experimentPollers.values()]) poller.stop()
    this.pollers.clear()
    this.experimentPollers.clear()
  }

  /** Run changes, by diffing one shared `runs/search` per watched experiment and interval. */
  watchRuns(experimentId: string, listener: (event: RunEvent) => void): () => void {
    return joinPoller(this.experimentPollers, experimentId, () => new ExperimentPoller(experimentId, this.source, this.intervalMs), listener)
  }

  watch(runId: string, listener: (batches: MetricBatch[]) => void): () => void {
    return joinPoller(this.pollers, runId, () => new RunPoller(runId, this.source, this.intervalMs), listener)
  }

  async currentPosition(runId: string): Promise<string> {
    // A poller's last look is as current as the server's answer would be, and costs no request.
    const seen = this.pollers.get(runId)?.lastSeen()
    if (seen) return encodePosition(seen)
    const run = await this.source.getRun(runId)
    if (!run) throw new GatewayError('NOT_FOUND', `run ${runId} does not exist`, { backend: this.backendId })
    return encodePosition(Object.fromEntries(run.metrics.map((metric) => [metric.key, [metric.step, metric.timestamp.getTime()]])))
  }

  async replay(runId: string, keys: readonly string[] | null, position: string): Promise<MetricBatch[]> {
    const seen = decodePosition(position, this.backendId)
    const run = await this.source.getRun(runId)
    if (!run) return []
    const batches: MetricBatch[] = []
    for (const metric of run.metrics) {
      if (keys && !keys.includes(metric.key)) continue
      if (!isNewer(metric.step, metric.timestamp.getTime(), seen[metric.key])) continue
      const points = (await this.source.history(runId, metric.key)).filter((point) => isNewer(point.step, point.timestamp.getTime(), seen[metric.key]))
      if (points.length === 0) continue
      seen[metric.key] = lastOf(points)
      batches.push({ runId, key: metric.key, points, order: 0, position: encodePosition(seen) })
    }
    return batches
  }
}

class RunPoller {
  readonly listeners = new Set<(batches: MetricBatch[]) => void>()
  private seen: Seen | null = null
  private ticks = 0
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(
    private readonly runId: string,
    private readonly source: MlflowLiveSource,
    private readonly intervalMs: number,
  ) {
    void this.tick()
  }

  lastSeen(): Seen | null {
    return this.seen && { ...this.seen }
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
  }

  private async tick(): Promise<void> {
    if (this.stopped) return
    let finished = false
    try {
      const run = await this.source.getRun(this.runId)
      finished = !run || run.status !== 'RUNNING'
      if (run) await this.emitNewPoints(run)
    } catch (error) {
      // A failed poll is retried at the next tick; subscribers keep waiting.
      if (!(error instanceof GatewayError)) logUnexpected('polling MLflow failed', error)
    }
    // The tick that sees the run leave RUNNING was the final poll.
    if (!finished && !this.stopped) this.timer = setTimeout(() => void this.tick(), this.intervalMs)
  }

  private async emitNewPoints(run: Run): Promise<void> {
    const first = this.seen === null
    const seen: Seen = this.seen ?? {}
    this.ticks += 1
    const batches: MetricBatch[] = []
    for (const metric of run.metrics) {
      const latest: [number, number] = [metric.step, metric.timestamp.getTime()]
      if (first) {
        // The first poll is the baseline: what was there before anyone watched is not news.
        seen[metric.key] = latest
        continue
      }
      if (!isNewer(latest[0], latest[1], seen[metric.key])) continue
      const points = (await this.source.history(this.runId, metric.key)).filter((point) =>
        isNewer(point.step, point.timestamp.getTime(), seen[metric.key]),
      )
      if (points.length === 0) continue
      seen[metric.key] = lastOf(points)
      batches.push({ runId: this.runId, key: metric.key, points, order: this.ticks, position: encodePosition(seen) })
    }
    this.seen = seen
    if (batches.length > 0) for (const listener of this.listeners) listener(batches)
  }
}

class ExperimentPoller {
  readonly listeners = new Set<(event: RunEvent) => void>()
  private known: Map<string, { fingerprint: string; run: Run }> | null = null
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(
    private readonly experimentId: string,
    private readonly source: MlflowLiveSource,
    private readonly intervalMs: number,
  ) {
    void this.tick()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
  }

  private async tick(): Promise<void> {
    if (this.stopped) return
    try {
      const runs = await this.source.recentRuns(this.experimentId)
      const baseline = this.known === null
      const known = this.known ?? new Map()
      for (const run of runs) {
        const fingerprint = JSON.stringify([run.status, run.lifecycleStage, run.name, run.endTime?.getTime(), run.params, run.tags])
        const before = known.get(run.nativeId)
        known.set(run.nativeId, { fingerprint, run })
        if (baseline || before?.fingerprint === fingerprint) continue
        const kind: RunEvent['kind'] = !before
          ? 'CREATED'
          : run.lifecycleStage === 'deleted' && before.run.lifecycleStage !== 'deleted'
            ? 'DELETED'
            : run.status !== 'RUNNING' && before.run.status === 'RUNNING'
              ? 'FINISHED'
              : 'UPDATED'
        for (const listener of this.listeners) listener({ kind, runId: run.nativeId })
      }
      this.known = known
    } catch (error) {
      if (!(error instanceof GatewayError)) logUnexpected('polling MLflow failed', error)
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.intervalMs)
  }
}

function isNewer(step: number, timestamp: number, seen: [number, number] | undefined): boolean {
  return !seen || step > seen[0] || (step === seen[0] && timestamp > seen[1])
}

function lastOf(points: MetricPoint[]): [number, number] {
  return points.reduce<[number, number]>(
    (max, point) => (isNewer(point.step, point.timestamp.getTime(), max) ? [point.step, point.timestamp.getTime()] : max),
    [points[0].step, points[0].timestamp.getTime()],
  )
}

const encodePosition = (seen: Seen) => `m${Buffer.from(JSON.stringify(seen)).toString('base64url')}`

function decodePosition(position: string, backendId: string): Seen {
  try {
    if (!position.startsWith('m')) throw new Error('not an MLflow position')
    return JSON.parse(Buffer.from(position.slice(1), 'base64url').toString('utf8')) as Seen
  } catch {
    throw new GatewayError('BAD_USER_INPUT', '`since` is not a cursor this gateway issued', { backend: backendId })
  }
}
