import type { ModelVersionEventKind } from '../../contract/backend.js'
import { GatewayError } from '../../errors.js'
import type { RecordKey } from '../record-key.js'
import type { Backends } from '../backends.js'
import { EventQueue } from './event-queue.js'

export interface ModelVersionUpdate {
  kind: ModelVersionEventKind
  version: RecordKey
}

const QUEUE_CAPACITY = 256

/**
 * The stream behind `modelVersionEvents`: changes to the versions of one
 * model, or of every model on every registry backend, until `signal` aborts.
 */
export async function* modelVersionUpdates(options: { backends: Backends; model: RecordKey | null; signal: AbortSignal }): AsyncGenerator<ModelVersionUpdate> {
  const { backends, model, signal } = options
  const watched = model ? [backends.get(model.backendId)] : backends.select(null, 'modelRegistry')
  // A slow subscriber keeps only the latest change of each version once its queue is full.
  const queue = new EventQueue<ModelVersionUpdate>(QUEUE_CAPACITY)
  const stops = watched.map((backend) => {
    if (!backend.modelEvents) throw new GatewayError('UNSUPPORTED', `backend "${backend.id}" has no model registry`, { backend: backend.id })
    return backend.modelEvents.watch(model?.nativeId ?? null, (event) =>
      queue.push({
        key: `${event.kind}\u0000${event.versionId}`,
        value: { kind: event.kind, version: { backendId: backend.id, nativeId: event.versionId } },
        pointCount: 0,
      }),
    )
  })
  const end = () => queue.end()
  signal.addEventListener('abort', end, { once: true })
  try {
    for await (const { value } of queue) yield value
  } finally {
    signal.removeEventListener('abort', end)
    for (const stop of stops) stop()
  }
}
