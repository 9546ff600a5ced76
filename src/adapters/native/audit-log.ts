import { type Insertable, type Kysely, type RawBuilder, type Selectable, sql } from 'kysely'
import type { AuditDoor, AuditEvent, AuditEventInput, AuditLog, AuditQuery } from '../../contract/audit-log.js'
import type { AuditEventTable, Database } from './db/schema.js'

/** The audit trail in `audit_events` (append-only: a trigger refuses updates and deletes). */
export class NativeAuditLog implements AuditLog {
  constructor(private readonly db: Kysely<Database>) {}

  async append(event: AuditEventInput): Promise<void> {
    await insertAuditEvent(this.db, event)
  }

  async list(query: AuditQuery, page: { first: number; after: number | null }): Promise<AuditEvent[]> {
    let select = this.db.selectFrom('audit_events').selectAll()
    if (query.actor !== undefined) select = select.where('actor', '=', query.actor)
    if (query.recordType !== undefined) select = select.where('record_type', '=', query.recordType)
    if (query.backendId !== undefined) select = select.where('backend_id', '=', query.backendId)
    if (query.recordId !== undefined) select = select.where('record_id', '=', query.recordId)
    if (query.operation !== undefined) select = select.where('operation', '=', query.operation)
    if (query.from !== undefined) select = select.where('at', '>=', query.from.getTime())
    if (query.to !== undefined) select = select.where('at', '<', query.to.getTime())
    if (page.after !== null) select = select.where('id', '<', page.after)
    return (await select.orderBy('id', 'desc').limit(page.first).execute()).map(toEvent)
  }
}

/** Appends one event, alone or in a write's transaction (`write-transaction.ts`). */
export async function insertAuditEvent(db: Kysely<Database>, event: AuditEventInput): Promise<void> {
  await db.insertInto('audit_events').values(auditEventRow(event)).execute()
}

/**
 * The event's insert as a part of a write's own statement (a data-modifying
 * `with` clause): it inserts only where `condition` holds, so one round trip
 * and one commit carry the write and its event (metric-store.ts).
 */
export function auditEventInsertWhere(event: AuditEventInput, condition: RawBuilder<unknown>): RawBuilder<unknown> {
  const row = auditEventRow(event)
  return sql`insert into audit_events (at, actor, door, operation, record_type, backend_id, record_id, summary, result)
    select ${row.at}::int8, ${row.actor}, ${row.door}, ${row.operation}, ${row.record_type}, ${row.backend_id}, ${row.record_id}, ${row.summary}::jsonb, ${row.result}
    where ${condition}`
}

function auditEventRow(event: AuditEventInput): Insertable<AuditEventTable> {
  return {
    at: Date.now(),
    actor: event.actor,
    door: event.door,
    operation: event.operation,
    record_type: event.recordType,
    backend_id: event.backendId,
    record_id: event.recordId,
    summary: JSON.stringify(event.summary),
    result: event.result,
  }
}

function toEvent(row: Selectable<AuditEventTable>): AuditEvent {
  return {
    id: Number(row.id),
    at: new Date(row.at),
    actor: row.actor,
    door: row.door as AuditDoor,
    operation: row.operation,
    recordType: row.record_type,
    backendId: row.backend_id,
    recordId: row.record_id,
    summary: row.summary,
    result: row.result,
  }
}
