import { type Kysely, sql } from 'kysely'

/** Users and their API tokens (see contract/identity-store.ts): secrets only as hashes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('auth_users')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text')
    .addColumn('is_admin', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'int8', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('auth_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'int8', (c) => c.notNull().references('auth_users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'int8', (c) => c.notNull())
    .addColumn('expires_at', 'int8')
    .addColumn('last_used_at', 'int8')
    .addColumn('revoked_at', 'int8')
    .execute()
  await sql`create index auth_tokens_user on auth_tokens (user_id, created_at desc)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('auth_tokens').execute()
  await db.schema.dropTable('auth_users').execute()
}
