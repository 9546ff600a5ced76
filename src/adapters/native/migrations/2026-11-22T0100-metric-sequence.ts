import { type Kysely, sql } from 'kysely'

/**
 * A global, increasing sequence on every metric row: the table is the log
 * live subscribers read and resume from (`since: <cursor>`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Kysely's alterTable cannot add an identity column; the SQL is plain.
  await sql`alter table metrics add column seq int8 generated always as identity`.execute(db)
  await db.schema.createIndex('metrics_run_seq').on('metrics').columns(['run_id', 'seq']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('metrics_run_seq').execute()
  await db.schema.alterTable('metrics').dropColumn('seq').execute()
}
