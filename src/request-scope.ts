import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * What the work of one HTTP request can know about that request, wherever
 * it runs (a resolver, a DataLoader batch, an adapter): its abort signal,
 * which fires when the client goes away before the answer is complete. The
 * native store cancels that request's running PostgreSQL statements on it,
 * so a client that left stops costing the database anything.
 */
const scope = new AsyncLocalStorage<{ signal: AbortSignal }>()

export function runInRequestScope<T>(signal: AbortSignal, work: () => T): T {
  return scope.run({ signal }, work)
}

/**
 * Runs work that outlives the request that started it (a shared poller, a
 * LISTEN connection) outside that request's scope: otherwise everything it
 * ever does would inherit the first subscriber's request, and be cancelled
 * when that client leaves.
 */
export function detachedFromRequest<T>(work: () => T): T {
  return scope.exit(work)
}

/** The current request's signal; undefined outside a request (start-up, pollers). */
export function currentRequestSignal(): AbortSignal | undefined {
  return scope.getStore()?.signal
}
