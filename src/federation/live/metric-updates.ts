import { z } from 'zod'
import type { MetricBatch } from '../../contract/backend.js'
import type { MetricPoint } from '../../domain.js'
import { GatewayError } from '../../errors.js'
import type { RecordKey } from '../record-key.js'
import type { Backends } from '../backends.js'
import { EventQueue } from './event-queue.js'

/** What a metricUpdates subscriber receives: one run's new points of one key. */
export interface MetricUpdate {
  run: RecordKey
  key: string
  points: MetricPoint[]
  droppedPoints: number
  /** Resume here (`since`) to continue after this update; encoded only for subscribers that ask for it. */
  cursor: () => string
  /**
   * Equal for subscribers that would see this update identically (same
   * batch, same drops, same positions on every run), so the gateway can
   * execute it once for all of them (see http/shared-subscription-events.ts).
   */
  shareKey: string
}

/** Per subscriber, this many events may wait before its updates start to coalesce. */
const QUEUE_CAPACITY = 256

const cursorSchema = z.record(z.string(), z.string())
const runCursorKey = (run: RecordKey) => `${run.backendId}:${run.nativeId}`

function decodeSince(since: string): Record<string, string> {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(since, 'base64url').toString('utf8')))
  } catch {
    throw new GatewayError('BAD_USER_INPUT', '`since` is not a cursor this gateway issued')
  }
}

const encodeCursor = (positions: Map<string, string>) => Buffer.from(JSON.stringify(Object.fromEntries(positions))).toString('base64url')

/**
 * The stream behind `metricUpdates`: for each run, first every point after
 * `since` from the store, then live batches, with no gap and no repeat (the
 * live watch starts before the replay, and live batches the replay already
 * covered are skipped). Ends when `signal` aborts (client gone or gateway
 * shutting down).
 */
export async function* metricUpdates(options: {
  backends: Backends
  runs: RecordKey[]
  keys: readonly string[] | null
  since: string | null
  signal: AbortSignal
}): AsyncGenerator<MetricUpdate> {
  const { backends, runs, keys, signal } = options
  const sources = runs.map((run) => {
    const live = backends.get(run.backendId).live
    if (!live) throw new GatewayError('UNSUPPORTED', `backend "${run.backendId}" does not stream metrics`, { backend: run.backendId })
    return { run, live }
  })
  const since = options.since ? decodeSince(options.since) : {}
  const positions = new Map<string, string>()
  const queue = new EventQueue<{ run: RecordKey; batch: MetricBatch }>(QUEUE_CAPACITY)
  const stopWatching: (() => void)[] = []
  const end = () => queue.end()
  signal.addEventListener('abort', end, { once: true })
  try {
    await Promise.all(
      sources.map(async ({ run, live }) => {
        const buffered: MetricBatch[] = []
        let replaying = true
        const accept = (batch: MetricBatch) => {
          if (keys && !keys.includes(batch.key)) return
          queue.push({ key: `${runCursorKey(run)}\u0000${batch.key}`, value: { run, batch }, pointCount: batch.points.length })
        }
        stopWatching.push(
          live.watch(run.nativeId, (batches) => {
            if (replaying) buffered.push(...batches)
            else batches.forEach(accept)
          }),
        )
        await live.ready()
        const resumeFrom = since[runCursorKey(run)]
        positions.set(runCursorKey(run), resumeFrom ?? (await live.currentPosition(run.nativeId)))
        // Without `since` there is nothing to replay: the stream starts now.
        const replayed = resumeFrom === undefined ? [] : await live.replay(run.nativeId, keys, resumeFrom)
        replayed.forEach(accept)
        const covered = replayed.reduce((max, batch) => Math.max(max, batch.order), -Infinity)
        buffered.filter((batch) => batch.order > covered).forEach(accept)
        replaying = false
      }),
    )
    if (signal.aborted) return
    for await (const { value, droppedPoints } of queue) {
      positions.set(runCursorKey(value.run), value.batch.position)
      // Per subscriber and event, so kept cheap: one run's position is the whole state of a one-run stream.
      const snapshot = sources.length === 1 ? null : new Map(positions)
      const state = snapshot ? JSON.stringify([...snapshot]) : value.batch.position
      const run = value.run
      const position = value.batch.position
      yield {
        run,
        key: value.batch.key,
        points: value.batch.points,
        droppedPoints,
        cursor: () => encodeCursor(snapshot ?? new Map([[runCursorKey(run), position]])),
        shareKey: `${value.batch.key}\u0000${droppedPoints}\u0000${state}`,
      }
    }
  } finally {
    signal.removeEventListener('abort', end)
    for (const stop of stopWatching) stop()
  }
}
