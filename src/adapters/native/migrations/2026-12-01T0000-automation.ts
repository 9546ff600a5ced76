import { type Kysely, sql } from 'kysely'

/** Webhooks, the outbox every replica works from, and the registry sync's links (contract/automation-store.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', sql`text[]`, (c) => c.notNull())
    .addColumn('encrypted_secret', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'int8', (c) => c.notNull())
    .addColumn('updated_at', 'int8', (c) => c.notNull())
    .execute()
  await sql`create index webhooks_events on webhooks using gin (events)`.execute(db)

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('ordering_key', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('PENDING'))
    .addColumn('attempts', 'int4', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'int8', (c) => c.notNull())
    .addColumn('leased_until', 'int8')
    .addColumn('last_status', 'int4')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'int8', (c) => c.notNull())
    .addColumn('finished_at', 'int8')
    .execute()
  await sql`create unique index outbox_dedupe on outbox (topic, ordering_key, dedupe_key) where dedupe_key is not null`.execute(db)
  await sql`create index outbox_pending on outbox (topic, ordering_key, id) where state = 'PENDING'`.execute(db)
  await sql`create index outbox_log on outbox (topic, ordering_key, id desc)`.execute(db)

  await db.schema
    .createTable('registry_sync_links')
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('source_backend', 'text', (c) => c.notNull())
    .addColumn('source_version', 'text', (c) => c.notNull())
    .addColumn('target_backend', 'text', (c) => c.notNull())
    .addColumn('target_version', 'text', (c) => c.notNull())
    .addColumn('source_promotion', 'text', (c) => c.notNull())
    .addColumn('target_promotion', 'text', (c) => c.notNull())
    .addColumn('conflict', 'text')
    .addColumn('synced_at', 'int8', (c) => c.notNull())
    .addPrimaryKeyConstraint('registry_sync_links_pk', ['rule', 'source_backend', 'source_version'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('registry_sync_links').execute()
  await db.schema.dropTable('outbox').execute()
  await db.schema.dropTable('webhooks').execute()
}
