import type { Kysely } from 'kysely'

/** The dataset a logged model's metric was computed on (MLflow's `dataset_name`, `dataset_digest` on log-metric). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('logged_model_metrics').addColumn('dataset_name', 'text').addColumn('dataset_digest', 'text').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('logged_model_metrics').dropColumn('dataset_name').dropColumn('dataset_digest').execute()
}
