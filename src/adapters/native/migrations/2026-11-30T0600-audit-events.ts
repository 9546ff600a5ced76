import { type Kysely, sql } from 'kysely'

/** The audit trail (contract/audit-log.ts), append-only: the database refuses to change or remove an event. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('at', 'int8', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('door', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('record_type', 'text', (c) => c.notNull())
    .addColumn('backend_id', 'text')
    .addColumn('record_id', 'text')
    .addColumn('summary', 'jsonb', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .execute()
  await sql`create index audit_events_record on audit_events (record_type, backend_id, record_id, id desc)`.execute(db)
  await sql`create index audit_events_actor on audit_events (actor, id desc)`.execute(db)
  await sql`create function audit_events_append_only() returns trigger language plpgsql as $$
    begin raise exception 'the audit trail is append-only'; end $$`.execute(db)
  await sql`create trigger audit_events_append_only before update or delete on audit_events
    for each row execute function audit_events_append_only()`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_events').execute()
  await sql`drop function audit_events_append_only()`.execute(db)
}
