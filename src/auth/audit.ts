import { type AuditEventInput, type PendingAuditEvent, offeringAuditEvent } from '../contract/audit-log.js'
import { GatewayError } from '../errors.js'
import { logUnexpected } from '../log.js'

/** An audit event before the write ran (actor and door aside): its result is added, and the record id may come from the write's result (a created record's). */
export type AuditDraft = Omit<AuditEventInput, 'actor' | 'door' | 'result' | 'recordId' | 'backendId'> & { backendId?: string | null; recordId?: string | null }
/** The event once the write ended. */
export type AuditEnded = Omit<AuditEventInput, 'actor' | 'door'>

/** Where a write's event goes: appended after the write, or first offered to the write's own transaction. */
export interface AuditSink {
  append(event: AuditEnded): Promise<void>
  /** The `ok` event as one the trail's store can commit with the write (contract/audit-log.ts); null where it cannot. */
  offer?(event: AuditEnded): PendingAuditEvent | null
}

/**
 * Runs a write (its permission check included) and appends it to the audit
 * trail with how it ended: `ok`, or the code it was refused or failed with.
 * An `ok` event whose record is known beforehand is offered to the write's
 * transaction first, and appended after only when no transaction took it.
 * A trail that cannot be written is logged, not the caller's failure: the
 * write itself stands (or failed) as it did.
 */
export async function runAudited<T>(sink: AuditSink, event: AuditDraft, write: () => Promise<T>, recordIdOf?: (result: T) => string): Promise<T> {
  const appendSafely = async (ended: AuditEnded) => {
    try {
      await sink.append(ended)
    } catch (error) {
      logUnexpected(`the audit trail did not take ${ended.operation}`, error)
    }
  }
  const offered = recordIdOf ? null : (sink.offer?.({ ...event, backendId: event.backendId ?? null, recordId: event.recordId ?? null, result: 'ok' }) ?? null)
  let result: T
  try {
    result = offered ? await offeringAuditEvent(offered, write) : await write()
  } catch (error) {
    // A write of several steps may have committed its event with a first step: the failure is appended beside it.
    await appendSafely({ ...event, backendId: event.backendId ?? null, recordId: event.recordId ?? null, result: error instanceof GatewayError ? error.code : 'INTERNAL' })
    throw error
  }
  if (!offered?.committed) await appendSafely({ ...event, backendId: event.backendId ?? null, recordId: recordIdOf ? recordIdOf(result) : (event.recordId ?? null), result: 'ok' })
  return result
}
