import { type Kysely, sql } from 'kysely'

/** The user a run belongs to (MLflow's `user_id`), '' when the creator named none, as on MLflow's server. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('user_id', 'text', (c) => c.notNull().defaultTo(sql`''`)).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('user_id').execute()
}
