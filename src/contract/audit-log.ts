import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * The audit trail: who changed what, when, through which door, and how it
 * ended. Kept append-only by the gateway's own store (the native backend);
 * summaries name what was written (keys, counts, stages), never a
 * parameter value or a secret.
 */
export const AUDIT_DOORS = ['graphql', 'mlflow-api'] as const
export type AuditDoor = (typeof AUDIT_DOORS)[number]

export interface AuditEventInput {
  actor: string
  door: AuditDoor
  /** What was done, e.g. `logBatch`, `transitionModelVersion`, `grantPermission`. */
  operation: string
  /** The record written, as its kind, backend and native id (a user or role for permission changes). */
  recordType: string
  backendId: string | null
  recordId: string | null
  summary: Record<string, unknown>
  /** `ok`, or the error code it failed with. */
  result: string
}

export interface AuditEvent extends AuditEventInput {
  id: number
  at: Date
}

export interface AuditQuery {
  actor?: string
  recordType?: string
  backendId?: string
  recordId?: string
  operation?: string
  from?: Date
  to?: Date
}

export interface AuditLog {
  append(event: AuditEventInput): Promise<void>
  /** Newest first; `after` is the id of the last event of the previous page. */
  list(query: AuditQuery, page: { first: number; after: number | null }): Promise<AuditEvent[]>
}

/**
 * The audit event of the write now running, offered to the store that keeps
 * the trail: when the write's own transaction is in that store, the store
 * commits the event with it (one commit instead of two, and never a write
 * without its event, nor an event without its write). Taken at most once per
 * write; whatever store does not take it, the audit layer appends the event
 * after the write as before. Only events whose record is known before the
 * write are offered (a created record's id is known after).
 */
export class PendingAuditEvent {
  private state: 'open' | 'claimed' | 'committed' = 'open'

  constructor(
    /** The native backend whose database keeps the trail. */
    readonly storeBackendId: string,
    private readonly event: AuditEventInput,
  ) {}

  /** Whether `backendId`'s database may still take the event. */
  isOfferedTo(backendId: string): boolean {
    return this.state === 'open' && backendId === this.storeBackendId
  }

  /** The event, for a transaction about to commit in `backendId`'s database; null when that is not the trail's store or the event is taken. */
  claim(backendId: string): AuditEventInput | null {
    if (!this.isOfferedTo(backendId)) return null
    this.state = 'claimed'
    return this.event
  }

  /** How the claiming transaction ended: a rolled-back one hands the event back. */
  settle(committed: boolean): void {
    this.state = committed ? 'committed' : 'open'
  }

  get committed(): boolean {
    return this.state === 'committed'
  }
}

const pendingEvents = new AsyncLocalStorage<PendingAuditEvent>()

/** Runs a write with its audit event on offer to the stores it writes to. */
export function offeringAuditEvent<T>(event: PendingAuditEvent, write: () => Promise<T>): Promise<T> {
  return pendingEvents.run(event, write)
}

/** The audit event on offer to the write running now, if any. */
export function pendingAuditEvent(): PendingAuditEvent | undefined {
  return pendingEvents.getStore()
}
