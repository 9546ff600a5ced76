import { type Kysely, sql } from 'kysely'

/** Experiments, runs, params, tags and the metric tables (history, latest, rollups). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('experiments')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('lifecycle_stage', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('artifact_location', 'text')
    .addColumn('created_at', 'int8', (c) => c.notNull())
    .addColumn('updated_at', 'int8', (c) => c.notNull())
    .addCheckConstraint('experiments_lifecycle_stage', sql`lifecycle_stage in ('active', 'deleted')`)
    .execute()
  // Names are unique among active experiments only, so a deleted name can be reused.
  await db.schema
    .createIndex('experiments_active_name')
    .on('experiments')
    .column('name')
    .unique()
    .where(sql.ref('lifecycle_stage'), '=', 'active')
    .execute()
  await db.schema.createIndex('experiments_created_at').on('experiments').columns(['created_at desc', 'id']).execute()

  await db.schema
    .createTable('experiment_tags')
    .addColumn('experiment_id', 'int8', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('experiment_tags_pk', ['experiment_id', 'key'])
    .execute()

  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('experiment_id', 'int8', (c) => c.notNull().references('experiments.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lifecycle_stage', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('start_time', 'int8')
    .addColumn('end_time', 'int8')
    .addColumn('artifact_uri', 'text')
    .addCheckConstraint('runs_status', sql`status in ('RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED')`)
    .addCheckConstraint('runs_lifecycle_stage', sql`lifecycle_stage in ('active', 'deleted')`)
    .execute()
  // The default run order (MLflow's): newest first, ties by id.
  await db.schema
    .createIndex('runs_experiment_start_time')
    .on('runs')
    .columns(['experiment_id', 'start_time desc', 'id'])
    .execute()
  await db.schema.createIndex('runs_start_time').on('runs').columns(['start_time desc', 'id']).execute()

  for (const table of ['run_params', 'run_tags'] as const) {
    await db.schema
      .createTable(table)
      .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['run_id', 'key'])
      .execute()
    // Filters like `params.lr = '0.01'` look up by key and value across runs.
    await db.schema.createIndex(`${table}_key_value`).on(table).columns(['key', 'value']).execute()
  }

  // No foreign key on the metric tables: logMetrics checks the run once per
  // batch in the same statement, instead of once per row (1,000 per batch).
  await db.schema
    .createTable('metrics')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('step', 'int8', (c) => c.notNull())
    .addColumn('timestamp', 'int8', (c) => c.notNull())
    .addColumn('value', 'float8', (c) => c.notNull())
    .execute()
  // History reads are index-only scans: Kysely's index builder has no INCLUDE.
  await sql`create index metrics_history on metrics (run_id, key, step, timestamp) include (value)`.execute(db)

  await db.schema
    .createTable('latest_metrics')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('step', 'int8', (c) => c.notNull())
    .addColumn('timestamp', 'int8', (c) => c.notNull())
    .addColumn('value', 'float8', (c) => c.notNull())
    .addPrimaryKeyConstraint('latest_metrics_pk', ['run_id', 'key'])
    .execute()
  // Searching and sorting runs by a metric's latest value.
  await db.schema.createIndex('latest_metrics_key_value').on('latest_metrics').columns(['key', 'value', 'run_id']).execute()

  await db.schema
    .createTable('metric_rollups')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('width', 'int4', (c) => c.notNull())
    .addColumn('bucket', 'int8', (c) => c.notNull())
    .addColumn('count', 'int8', (c) => c.notNull())
    .addColumn('min_step', 'int8', (c) => c.notNull())
    .addColumn('min_timestamp', 'int8', (c) => c.notNull())
    .addColumn('min_value', 'float8', (c) => c.notNull())
    .addColumn('max_step', 'int8', (c) => c.notNull())
    .addColumn('max_timestamp', 'int8', (c) => c.notNull())
    .addColumn('max_value', 'float8', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_rollups_pk', ['run_id', 'key', 'width', 'bucket'])
    .execute()

  // MLflow's experiment 0, so clients that assume it (the MLflow facade) find it.
  const now = Date.now()
  await sql`insert into experiments (id, name, artifact_location, created_at, updated_at)
            values (0, 'Default', 'mlflow-artifacts:/0', ${now}, ${now})`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'metric_rollups',
    'latest_metrics',
    'metrics',
    'run_tags',
    'run_params',
    'runs',
    'experiment_tags',
    'experiments',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
