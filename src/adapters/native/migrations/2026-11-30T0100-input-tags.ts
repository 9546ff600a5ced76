import { type Kysely, sql } from 'kysely'

/**
 * Every tag of a run's dataset input (MLflow keeps them all, not only
 * `mlflow.data.context`), and the logged models a run used as inputs
 * (MLflow 3's `models` in log-inputs). Existing inputs keep their context as a tag.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('run_inputs').addColumn('tags', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`)).execute()
  await sql`update run_inputs set tags = jsonb_build_object('mlflow.data.context', context) where context is not null`.execute(db)
  await db.schema
    .createTable('run_model_inputs')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_model_inputs_pk', ['run_id', 'model_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('run_model_inputs').execute()
  await db.schema.alterTable('run_inputs').dropColumn('tags').execute()
}
