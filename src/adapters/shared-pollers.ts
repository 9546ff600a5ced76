import { detachedFromRequest } from '../request-scope.js'

/**
 * Pollers shared by every subscriber of one thing (a run, an experiment, a
 * model): one per id, started by the first listener, stopped by the last.
 */
export interface SharedPoller<L> {
  readonly listeners: Set<L>
  stop(): void
}

/** Adds a listener to the poller for `id` (starting one if none runs); the returned function removes it, and the last to leave stops the poller. */
export function joinPoller<L, P extends SharedPoller<L>>(pollers: Map<string, P>, id: string, start: () => P, listener: L): () => void {
  let poller = pollers.get(id)
  if (!poller) {
    // A poller serves every subscriber: it belongs to no one request.
    poller = detachedFromRequest(start)
    pollers.set(id, poller)
  }
  const running = poller
  running.listeners.add(listener)
  return () => {
    running.listeners.delete(listener)
    if (running.listeners.size > 0) return
    running.stop()
    if (pollers.get(id) === running) pollers.delete(id)
  }
}
