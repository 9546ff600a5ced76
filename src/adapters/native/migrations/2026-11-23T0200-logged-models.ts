import { type Kysely, sql } from 'kysely'

/** MLflow 3's logged models (what `log_model` creates), their tags, params and linked metrics, and runs' model outputs. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('logged_models')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('experiment_id', 'int8', (c) => c.notNull().references('experiments.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source_run_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_message', 'text')
    .addColumn('model_type', 'text')
    .addColumn('artifact_location', 'text', (c) => c.notNull())
    .addColumn('lifecycle_stage', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'int8', (c) => c.notNull())
    .addColumn('updated_at', 'int8', (c) => c.notNull())
    .addCheckConstraint('logged_models_status', sql`status in ('LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED')`)
    .addCheckConstraint('logged_models_lifecycle_stage', sql`lifecycle_stage in ('active', 'deleted')`)
    .execute()
  await db.schema.createIndex('logged_models_experiment').on('logged_models').columns(['experiment_id', 'created_at desc', 'id']).execute()

  for (const table of ['logged_model_tags', 'logged_model_params'] as const) {
    await db.schema
      .createTable(table)
      .addColumn('model_id', 'text', (c) => c.notNull().references('logged_models.id').onDelete('cascade'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['model_id', 'key'])
      .execute()
  }

  await db.schema
    .createTable('logged_model_metrics')
    .addColumn('model_id', 'text', (c) => c.notNull().references('logged_models.id').onDelete('cascade'))
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('step', 'int8', (c) => c.notNull())
    .addColumn('timestamp', 'int8', (c) => c.notNull())
    .addColumn('value', 'float8', (c) => c.notNull())
    .addPrimaryKeyConstraint('logged_model_metrics_pk', ['model_id', 'run_id', 'key', 'step', 'timestamp'])
    .execute()

  await db.schema
    .createTable('run_outputs')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('model_id', 'text', (c) => c.notNull().references('logged_models.id').onDelete('cascade'))
    .addColumn('step', 'int8', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_outputs_pk', ['run_id', 'model_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['run_outputs', 'logged_model_metrics', 'logged_model_params', 'logged_model_tags', 'logged_models']) {
    await db.schema.dropTable(table).execute()
  }
}
