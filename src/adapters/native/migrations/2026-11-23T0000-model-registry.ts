import { type Kysely, sql } from 'kysely'

/** Registered models, their versions, tags and aliases (MLflow's registry model). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('registered_models')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text')
    .addColumn('created_at', 'int8', (c) => c.notNull())
    .addColumn('updated_at', 'int8', (c) => c.notNull())
    .execute()
  // Lists order by name in code-point order, whatever the database's collation.
  await db.schema.createIndex('registered_models_name_c').on('registered_models').expression(sql`name collate "C"`).execute()

  await db.schema
    .createTable('registered_model_tags')
    .addColumn('model_name', 'text', (c) => c.notNull().references('registered_models.name').onDelete('cascade').onUpdate('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('registered_model_tags_pk', ['model_name', 'key'])
    .execute()

  await db.schema
    .createTable('model_versions')
    .addColumn('model_name', 'text', (c) => c.notNull().references('registered_models.name').onDelete('cascade').onUpdate('cascade'))
    .addColumn('version', 'int4', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('NONE'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('READY'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('description', 'text')
    .addColumn('created_at', 'int8', (c) => c.notNull())
    .addColumn('updated_at', 'int8', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_versions_pk', ['model_name', 'version'])
    .addCheckConstraint('model_versions_stage', sql`stage in ('NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED')`)
    .addCheckConstraint('model_versions_version', sql`version >= 1`)
    .execute()
  await db.schema
    .createIndex('model_versions_order')
    .on('model_versions')
    .expression(sql`model_name collate "C", version desc`)
    .execute()
  await db.schema.createIndex('model_versions_run_id').on('model_versions').column('run_id').execute()

  await db.schema
    .createTable('model_version_tags')
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('version', 'int4', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_version_tags_pk', ['model_name', 'version', 'key'])
    .addForeignKeyConstraint('model_version_tags_version', ['model_name', 'version'], 'model_versions', ['model_name', 'version'], (c) =>
      c.onDelete('cascade').onUpdate('cascade'),
    )
    .execute()

  await db.schema
    .createTable('model_aliases')
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('version', 'int4', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_aliases_pk', ['model_name', 'alias'])
    .addForeignKeyConstraint('model_aliases_version', ['model_name', 'version'], 'model_versions', ['model_name', 'version'], (c) =>
      c.onDelete('cascade').onUpdate('cascade'),
    )
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['model_aliases', 'model_version_tags', 'model_versions', 'registered_model_tags', 'registered_models']) {
    await db.schema.dropTable(table).execute()
  }
}
