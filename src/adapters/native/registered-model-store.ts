import { type Kysely, sql } from 'kysely'
import type { KeyValue, RegisteredModel } from '../../domain.js'
import { GatewayError, notFound } from '../../errors.js'
import type { CreateRegisteredModelInput, Page, PageRequest, RegisteredModelQuery } from '../../contract/backend.js'
import { PG_UNIQUE_VIOLATION, databaseErrorCode } from './client.js'
import type { Database } from './db/schema.js'
import { writeTransaction } from './write-transaction.js'
import { compileRegisteredModelFilter } from './filter.js'
import { type RegisteredModelRow, toRegisteredModel } from './map.js'
import { pageFromRows, pageOffset } from './page-token.js'

/** Registered models, their tags and aliases. */
export class RegisteredModelStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly backendId: string,
  ) {}

  async list(query: RegisteredModelQuery, page: PageRequest): Promise<Page<RegisteredModel>> {
    const offset = pageOffset(page, this.backendId)
    const rows = await this.selectModels(this.db)
      .where((eb) => compileRegisteredModelFilter(eb, query.filter))
      .orderBy(sql`registered_models.name collate "C"`)
      .limit(page.first + 1)
      .offset(offset)
      .execute()
    return pageFromRows(rows.map((row) => toRegisteredModel(this.backendId, row)), page, offset)
  }

  async count(query: RegisteredModelQuery): Promise<number> {
    const row = await this.db
      .selectFrom('registered_models')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where((eb) => compileRegisteredModelFilter(eb, query.filter))
      .executeTakeFirstOrThrow()
    return Number(row.count)
  }

  async getMany(names: readonly string[]): Promise<(RegisteredModel | null)[]> {
    const rows = names.length === 0 ? [] : await this.selectModels(this.db).where('registered_models.name', 'in', [...names]).execute()
    const byName = new Map(rows.map((row) => [row.name, toRegisteredModel(this.backendId, row)]))
    return names.map((name) => byName.get(name) ?? null)
  }

  async get(name: string, db: Kysely<Database> = this.db): Promise<RegisteredModel> {
    const row = await this.selectModels(db).where('registered_models.name', '=', name).executeTakeFirst()
    if (!row) throw notFound(`registered model "${name}"`, this.backendId)
    return toRegisteredModel(this.backendId, row)
  }

  async create(input: CreateRegisteredModelInput): Promise<RegisteredModel> {
    const now = Date.now()
    try {
      return await writeTransaction(this.db, this.backendId, async (trx) => {
        await trx
          .insertInto('registered_models')
          .values({ name: input.name, description: input.description, created_at: now, updated_at: now })
          .execute()
        await this.upsertTags(trx, input.name, input.tags)
        return this.get(input.name, trx)
      })
    } catch (error) {
      if (databaseErrorCode(error) === PG_UNIQUE_VIOLATION) {
        throw new GatewayError('CONFLICT', `a registered model named "${input.name}" already exists`, { backend: this.backendId })
      }
      throw error
    }
  }

  async setTags(name: string, tags: KeyValue[]): Promise<RegisteredModel> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      await this.lock(trx, name)
      await this.upsertTags(trx, name, tags)
      await this.touch(trx, name)
      return this.get(name, trx)
    })
  }

  /** Points `alias` at `version` of the model, moving it if it pointed elsewhere. */
  async setAlias(name: string, alias: string, version: number): Promise<RegisteredModel> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      await this.lock(trx, name)
      const exists = await trx
        .selectFrom('model_versions')
        .select('version')
        .where('model_name', '=', name)
        .where('version', '=', version)
        .executeTakeFirst()
      if (!exists) throw notFound(`version ${version} of registered model "${name}"`, this.backendId)
      await trx
        .insertInto('model_aliases')
        .values({ model_name: name, alias, version })
        .onConflict((oc) => oc.columns(['model_name', 'alias']).doUpdateSet({ version }))
        .execute()
      await this.touch(trx, name)
      return this.get(name, trx)
    })
  }

  async deleteAlias(name: string, alias: string): Promise<RegisteredModel> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      await this.lock(trx, name)
      const deleted = await trx.deleteFrom('model_aliases').where('model_name', '=', name).where('alias', '=', alias).executeTakeFirst()
      if (deleted.numDeletedRows === 0n) throw notFound(`alias "${alias}" of registered model "${name}"`, this.backendId)
      await this.touch(trx, name)
      return this.get(name, trx)
    })
  }

  async deleteTag(name: string, key: string): Promise<RegisteredModel> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      await this.lock(trx, name)
      const deleted = await trx.deleteFrom('registered_model_tags').where('model_name', '=', name).where('key', '=', key).executeTakeFirst()
      if (deleted.numDeletedRows === 0n) throw notFound(`tag "${key}" of registered model "${name}"`, this.backendId)
      await this.touch(trx, name)
      return this.get(name, trx)
    })
  }

  async update(name: string, patch: { description: string | null }): Promise<RegisteredModel> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      await this.lock(trx, name)
      await trx.updateTable('registered_models').set({ description: patch.description, updated_at: Date.now() }).where('name', '=', name).execute()
      return this.get(name, trx)
    })
  }

  /** Versions, tags and aliases follow through their foreign keys (ON UPDATE CASCADE). */
  async rename(name: string, newName: string): Promise<RegisteredModel> {
    try {
      return await writeTransaction(this.db, this.backendId, async (trx) => {
        await this.lock(trx, name)
        await trx.updateTable('registered_models').set({ name: newName, updated_at: Date.now() }).where('name', '=', name).execute()
        return this.get(newName, trx)
      })
    } catch (error) {
      if (databaseErrorCode(error) === PG_UNIQUE_VIOLATION) {
        throw new GatewayError('CONFLICT', `a registered model named "${newName}" already exists`, { backend: this.backendId })
      }
      throw error
    }
  }

  /** Versions, tags and aliases go with it (ON DELETE CASCADE). */
  async delete(name: string): Promise<void> {
    const deleted = await this.db.deleteFrom('registered_models').where('name', '=', name).executeTakeFirst()
    if (deleted.numDeletedRows === 0n) throw notFound(`registered model "${name}"`, this.backendId)
  }

  /** Locks the model's row for the transaction; NOT_FOUND if there is none. */
  async lock(db: Kysely<Database>, name: string): Promise<void> {
    const row = await db.selectFrom('registered_models').select('name').where('name', '=', name).forUpdate().executeTakeFirst()
    if (!row) throw notFound(`registered model "${name}"`, this.backendId)
  }

  async touch(db: Kysely<Database>, name: string): Promise<void> {
    await db.updateTable('registered_models').set({ updated_at: Date.now() }).where('name', '=', name).execute()
  }

  private async upsertTags(db: Kysely<Database>, name: string, tags: KeyValue[]): Promise<void> {
    if (tags.length === 0) return
    await db
      .insertInto('registered_model_tags')
      .values(tags.map((tag) => ({ model_name: name, key: tag.key, value: tag.value })))
      .onConflict((oc) => oc.columns(['model_name', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
      .execute()
  }

  private selectModels(db: Kysely<Database>) {
    return db
      .selectFrom('registered_models')
      .selectAll('registered_models')
      .select([
        sql<RegisteredModelRow['tags']>`(select json_object_agg(t.key, t.value) from registered_model_tags t where t.model_name = registered_models.name)`.as(
          'tags',
        ),
        sql<RegisteredModelRow['aliases']>`(select json_agg(json_build_object('alias', a.alias, 'version', a.version)) from model_aliases a where a.model_name = registered_models.name)`.as(
          'aliases',
        ),
      ])
  }
}
