import type { Kysely, Transaction } from 'kysely'
import { type AuditEventInput, pendingAuditEvent } from '../../contract/audit-log.js'
import { insertAuditEvent } from './audit-log.js'
import type { Database } from './db/schema.js'

/**
 * Runs a write that may carry the audit event on offer to this backend's
 * database (contract/audit-log.ts): `work` gets the event (null when none is
 * on offer here) and answers whether its commit included it. An event not
 * carried goes back on offer, and the audit layer appends it itself.
 */
export async function carryingAuditEvent<T>(backendId: string, work: (event: AuditEventInput | null) => Promise<{ value: T; carried: boolean }>): Promise<T> {
  const pending = pendingAuditEvent()
  const event = pending?.claim(backendId) ?? null
  let carried = false
  try {
    const { value, carried: included } = await work(event)
    carried = included && event !== null
    return value
  } finally {
    if (event) pending?.settle(carried)
  }
}

/**
 * A write's transaction; the audit event on offer here, if any, is its last
 * statement: one commit for both, so an audited write never stands without
 * its event, nor the event without its write.
 */
export function writeTransaction<T>(db: Kysely<Database>, backendId: string, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return carryingAuditEvent(backendId, async (event) => {
    const value = await db.transaction().execute(async (trx) => {
      const result = await work(trx)
      if (event) await insertAuditEvent(trx, event)
      return result
    })
    return { value, carried: true }
  })
}
