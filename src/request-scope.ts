import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * What the work of one HTTP request can know about that request, wherever
 * it runs (a resolver, a DataLoader batch, an adapter): its abort signal,
 * which fires when the client goes away before the answer is complete, and
 * whether it is heavy work. The native store cancels that request's running
 * PostgreSQL statements on the signal, so a client that left stops costing
 * the database anything; and it gives the database to light work first
 * (work-priority.ts).
 */
interface RequestScope {
  signal: AbortSignal
  heavy: boolean
}

const scope = new AsyncLocalStorage<RequestScope>()

export function runInRequestScope<T>(signal: AbortSignal, work: () => T): T {
  return scope.run({ signal, heavy: false }, work)
}

/** Runs work marked heavy (a GraphQL operation in the heavy lane): its statements yield to light work's. */
export function runAsHeavyWork<T>(work: () => T): T {
  const current = scope.getStore()
  return scope.run({ signal: current?.signal ?? new AbortController().signal, heavy: true }, work)
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

/** Whether the current work was marked heavy (runAsHeavyWork). */
export function currentWorkIsHeavy(): boolean {
  return scope.getStore()?.heavy ?? false
}
