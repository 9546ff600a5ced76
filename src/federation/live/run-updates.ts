import type { RunEventKind } from '../../contract/backend.js'
import { GatewayError } from '../../errors.js'
import type { RecordKey } from '../record-key.js'
import type { Backends } from '../backends.js'
import { EventQueue } from './event-queue.js'

export interface RunUpdate {
  kind: RunEventKind
  run: RecordKey
}

const QUEUE_CAPACITY = 256

/** The stream behind `runUpdates`: changes to an experiment's runs, until `signal` aborts. */
export async function* runUpdates(options: { backends: Backends; experiment: RecordKey; signal: AbortSignal }): AsyncGenerator<RunUpdate> {
  const { backends, experiment, signal } = options
  const live = backends.get(experiment.backendId).live
  if (!live) throw new GatewayError('UNSUPPORTED', `backend "${experiment.backendId}" does not stream run changes`, { backend: experiment.backendId })
  // A slow subscriber keeps only the latest change of each run once its queue is full.
  const queue = new EventQueue<RunUpdate>(QUEUE_CAPACITY)
  const stop = live.watchRuns(experiment.nativeId, (event) =>
    queue.push({ key: event.runId, value: { kind: event.kind, run: { backendId: experiment.backendId, nativeId: event.runId } }, pointCount: 0 }),
  )
  const end = () => queue.end()
  signal.addEventListener('abort', end, { once: true })
  try {
    await live.ready()
    for await (const { value } of queue) yield value
  } finally {
    signal.removeEventListener('abort', end)
    stop()
  }
}
