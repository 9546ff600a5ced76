import type { Kysely, Transaction } from 'kysely'
import { pendingAuditEvent } from '../../contract/audit-log.js'
import { insertAuditEvent } from './audit-log.js'
import type { Database } from './db/schema.js'

/**
 * A write's transaction. When the audit trail lives in this backend's
 * database and the write's event is on offer (contract/audit-log.ts), the
 * event is appended last, inside the transaction: one commit for both, so
 * an audited write costs one statement more instead of a second commit.
 */
export async function writeTransaction<T>(db: Kysely<Database>, backendId: string, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const pending = pendingAuditEvent()
  const event = pending?.claim(backendId) ?? null
  if (!pending || !event) return db.transaction().execute(work)
  let committed = false
  try {
    const result = await db.transaction().execute(async (trx) => {
      const result = await work(trx)
      await insertAuditEvent(trx, event)
      return result
    })
    committed = true
    return result
  } finally {
    pending.settle(committed)
  }
}

/** Whether a write in `backendId`'s database has an audit event to commit with it (a single-statement write then takes a transaction). */
export function auditEventOfferedTo(backendId: string): boolean {
  return pendingAuditEvent()?.isOfferedTo(backendId) ?? false
}
