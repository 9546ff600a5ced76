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
