import { type Kysely, sql } from 'kysely'

/**
 * MLflow 3.17's permission model: roles holding (resource type, pattern,
 * permission) rows, assigned to users. A user's own grants live in a role
 * of their own (`__user_<id>__`), as MLflow keeps them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('auth_roles')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('workspace', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addUniqueConstraint('auth_roles_name', ['workspace', 'name'])
    .execute()
  await db.schema
    .createTable('auth_role_permissions')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('role_id', 'int8', (c) => c.notNull().references('auth_roles.id').onDelete('cascade'))
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_pattern', 'text', (c) => c.notNull())
    .addColumn('permission', 'text', (c) => c.notNull())
    .addUniqueConstraint('auth_role_permissions_row', ['role_id', 'resource_type', 'resource_pattern'])
    .execute()
  await db.schema
    .createTable('auth_user_roles')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'int8', (c) => c.notNull().references('auth_users.id').onDelete('cascade'))
    .addColumn('role_id', 'int8', (c) => c.notNull().references('auth_roles.id').onDelete('cascade'))
    .addUniqueConstraint('auth_user_roles_pair', ['user_id', 'role_id'])
    .execute()
  await sql`create index auth_user_roles_role on auth_user_roles (role_id)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('auth_user_roles').execute()
  await db.schema.dropTable('auth_role_permissions').execute()
  await db.schema.dropTable('auth_roles').execute()
}
