import { AsyncLocalStorage } from 'node:async_hooks'
import type { Identity } from './auth/identity.js'
import type { AuditDoor } from './contract/audit-log.js'

/**
 * What the work of one HTTP request can know about that request, wherever
 * it runs (a resolver, a DataLoader batch, an adapter): its abort signal,
 * which fires when the client goes away before the answer is complete,
 * whether it is heavy work, and who is asking (set once the request is
 * admitted, http/authentication.ts). The native store cancels that request's running
 * PostgreSQL statements on the signal, so a client that left stops costing
 * the database anything; and it gives the database to light work first
 * (work-priority.ts).
 */
interface RequestScope {
  signal: AbortSignal
  heavy: boolean
  identity: Identity | null
  /** Which API the request came through (the audit trail says). */
  door: AuditDoor
  /** The request's id: in its answer's `X-Request-Id`, its errors' extensions and its log lines. */
  requestId: string | undefined
}

const scope = new AsyncLocalStorage<RequestScope>()

export function runInRequestScope<T>(signal: AbortSignal, requestId: string, work: () => T): T {
  return scope.run({ signal, heavy: false, identity: null, door: 'graphql', requestId }, work)
}

/** The current request's id; undefined outside an HTTP request (a poller, a graphql-ws operation). */
export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId
}

/** Records who the current request is from (after admission); the rest of its work reads it with currentIdentity. */
export function setRequestIdentity(identity: Identity | null, door: AuditDoor): void {
  const current = scope.getStore()
  if (current) {
    current.identity = identity
    current.door = door
  }
}

/** Which API the current request came through; GraphQL outside an HTTP request (graphql-ws operations). */
export function currentDoor(): AuditDoor {
  return scope.getStore()?.door ?? 'graphql'
}

/** Who the current request is from; null without auth, or outside a request. */
export function currentIdentity(): Identity | null {
  return scope.getStore()?.identity ?? null
}

/** Runs work marked heavy (a GraphQL operation in the heavy lane): its statements yield to light work's. */
export function runAsHeavyWork<T>(work: () => T): T {
  const current = scope.getStore()
  return scope.run({ signal: current?.signal ?? new AbortController().signal, heavy: true, identity: current?.identity ?? null, door: current?.door ?? 'graphql', requestId: current?.requestId }, work)
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
