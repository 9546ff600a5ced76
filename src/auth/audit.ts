import type { AuditEventInput } from '../contract/audit-log.js'
import { GatewayError } from '../errors.js'
import { logUnexpected } from '../log.js'

/** An audit event before the write ran (actor and door aside): its result is added, and the record id may come from the write's result (a created record's). */
export type AuditDraft = Omit<AuditEventInput, 'actor' | 'door' | 'result' | 'recordId' | 'backendId'> & { backendId?: string | null; recordId?: string | null }
/** The event once the write ended. */
export type AuditEnded = Omit<AuditEventInput, 'actor' | 'door'>

/**
 * Runs a write (its permission check included) and appends it to the audit
 * trail with how it ended: `ok`, or the code it was refused or failed with.
 * A trail that cannot be written is logged, not the caller's failure: the
 * write itself stands (or failed) as it did.
 */
export async function runAudited<T>(append: (event: AuditEnded) => Promise<void>, event: AuditDraft, write: () => Promise<T>, recordIdOf?: (result: T) => string): Promise<T> {
  const appendSafely = async (ended: AuditEnded) => {
    try {
      await append(ended)
    } catch (error) {
      logUnexpected(`the audit trail did not take ${ended.operation}`, error)
    }
  }
  let result: T
  try {
    result = await write()
  } catch (error) {
    await appendSafely({ ...event, backendId: event.backendId ?? null, recordId: event.recordId ?? null, result: error instanceof GatewayError ? error.code : 'INTERNAL' })
    throw error
  }
  await appendSafely({ ...event, backendId: event.backendId ?? null, recordId: recordIdOf ? recordIdOf(result) : (event.recordId ?? null), result: 'ok' })
  return result
}
