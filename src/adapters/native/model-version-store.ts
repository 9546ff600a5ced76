import { type Kysely, sql } from 'kysely'
import { type KeyValue, MODEL_STAGES, type ModelStage, type ModelVersion } from '../../domain.js'
import { notFound } from '../../errors.js'
import type { CreateModelVersionInput, ModelVersionQuery, Page, PageRequest } from '../../contract/backend.js'
import { modelVersionId, parseModelVersionId } from '../../contract/model-version-id.js'
import type { Database } from './db/schema.js'
import { writeTransaction } from './write-transaction.js'
import { compileModelVersionFilter } from './filter.js'
import { type ModelVersionRow, toModelVersion } from './map.js'
import { pageFromRows, pageOffset } from './page-token.js'
import type { RegisteredModelStore } from './registered-model-store.js'

/** Model versions and their tags; numbering and stage transitions happen under the model's row lock. */
export class ModelVersionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly backendId: string,
    private readonly models: RegisteredModelStore,
  ) {}

  async list(query: ModelVersionQuery, page: PageRequest): Promise<Page<ModelVersion>> {
    const offset = pageOffset(page, this.backendId)
    let select = this.selectVersions(this.db).where((eb) => compileModelVersionFilter(eb, query.filter))
    if (query.modelIds) select = query.modelIds.length === 0 ? select.where(sql.lit(false)) : select.where('model_versions.model_name', 'in', query.modelIds)
    const rows = await select
      .orderBy(sql`model_versions.model_name collate "C"`)
      .orderBy('model_versions.version', 'desc')
      .limit(page.first + 1)
      .offset(offset)
      .execute()
    return pageFromRows(rows.map((row) => toModelVersion(this.backendId, row)), page, offset)
  }

  async count(query: ModelVersionQuery): Promise<number> {
    let select = this.db
      .selectFrom('model_versions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where((eb) => compileModelVersionFilter(eb, query.filter))
    if (query.modelIds) select = query.modelIds.length === 0 ? select.where(sql.lit(false)) : select.where('model_versions.model_name', 'in', query.modelIds)
    return Number((await select.executeTakeFirstOrThrow()).count)
  }

  async getMany(ids: readonly string[]): Promise<(ModelVersion | null)[]> {
    const keys = ids.map(parseModelVersionId).filter((key) => key !== null)
    const rows =
      keys.length === 0
        ? []
        : await this.selectVersions(this.db)
            .where((eb) => eb.or(keys.map((key) => eb.and([eb('model_versions.model_name', '=', key.modelName), eb('model_versions.version', '=', key.version)]))))
            .execute()
    const byId = new Map(rows.map((row) => toModelVersion(this.backendId, row)).map((version) => [version.nativeId, version]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  async get(id: string, db: Kysely<Database> = this.db): Promise<ModelVersion> {
    const key = parseModelVersionId(id)
    const row = key
      ? await this.selectVersions(db).where('model_versions.model_name', '=', key.modelName).where('model_versions.version', '=', key.version).executeTakeFirst()
      : undefined
    if (!row) throw notFound(`model version ${id}`, this.backendId)
    return toModelVersion(this.backendId, row)
  }

  /** The newest version in each stage. */
  async latest(modelName: string): Promise<ModelVersion[]> {
    const rows = await this.selectVersions(this.db)
      .distinctOn('model_versions.stage')
      .where('model_versions.model_name', '=', modelName)
      .orderBy('model_versions.stage')
      .orderBy('model_versions.version', 'desc')
      .execute()
    const versions = rows.map((row) => toModelVersion(this.backendId, row))
    return versions.sort((a, b) => MODEL_STAGES.indexOf(a.stage ?? 'NONE') - MODEL_STAGES.indexOf(b.stage ?? 'NONE'))
  }

  async create(input: CreateModelVersionInput): Promise<ModelVersion> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      await this.models.lock(trx, input.modelId)
      const { highest } = await trx
        .selectFrom('model_versions')
        .select((eb) => eb.fn.coalesce(eb.fn.max('version'), sql.lit(0)).as('highest'))
        .where('model_name', '=', input.modelId)
        .executeTakeFirstOrThrow()
      const version = Number(highest) + 1
      const now = Date.now()
      await trx
        .insertInto('model_versions')
        .values({
          model_name: input.modelId,
          version,
          source: input.source,
          run_id: input.runId,
          description: input.description,
          created_at: now,
          updated_at: now,
        })
        .execute()
      await this.upsertTags(trx, input.modelId, version, input.tags)
      await this.models.touch(trx, input.modelId)
      return this.get(modelVersionId(input.modelId, version), trx)
    })
  }

  /**
   * Moves a version to `stage`. With `archiveExisting` (MLflow's flag), the
   * model's other versions in that stage move to ARCHIVED in the same
   * transaction, so there is never a moment with two in production.
   */
  async transition(id: string, stage: ModelStage, archiveExisting: boolean): Promise<ModelVersion> {
    const key = parseModelVersionId(id)
    if (!key) throw notFound(`model version ${id}`, this.backendId)
    return writeTransaction(this.db, this.backendId, async (trx) => {
      await this.models.lock(trx, key.modelName)
      const now = Date.now()
      const updated = await trx
        .updateTable('model_versions')
        .set({ stage, updated_at: now })
        .where('model_name', '=', key.modelName)
        .where('version', '=', key.version)
        .executeTakeFirst()
      if (updated.numUpdatedRows === 0n) throw notFound(`model version ${id}`, this.backendId)
      if (archiveExisting && (stage === 'STAGING' || stage === 'PRODUCTION')) {
        await trx
          .updateTable('model_versions')
          .set({ stage: 'ARCHIVED', updated_at: now })
          .where('model_name', '=', key.modelName)
          .where('version', '<>', key.version)
          .where('stage', '=', stage)
          .execute()
      }
      await this.models.touch(trx, key.modelName)
      return this.get(id, trx)
    })
  }

  setTags(id: string, tags: KeyValue[]): Promise<ModelVersion> {
    return this.change(id, (trx, modelName, version) => this.upsertTags(trx, modelName, version, tags))
  }

  async deleteTag(id: string, key: string): Promise<ModelVersion> {
    return this.change(id, async (trx, modelName, version) => {
      const deleted = await trx
        .deleteFrom('model_version_tags')
        .where('model_name', '=', modelName)
        .where('version', '=', version)
        .where('key', '=', key)
        .executeTakeFirst()
      if (deleted.numDeletedRows === 0n) throw notFound(`tag "${key}" of model version ${id}`, this.backendId)
    })
  }

  update(id: string, patch: { description: string | null }): Promise<ModelVersion> {
    return this.change(id, (trx, modelName, version) =>
      trx.updateTable('model_versions').set({ description: patch.description }).where('model_name', '=', modelName).where('version', '=', version).execute(),
    )
  }

  /** Its tags and aliases go with it (ON DELETE CASCADE); the numbers of later versions stay. */
  async delete(id: string): Promise<void> {
    const key = parseModelVersionId(id)
    if (!key) throw notFound(`model version ${id}`, this.backendId)
    await writeTransaction(this.db, this.backendId, async (trx) => {
      await this.models.lock(trx, key.modelName)
      const deleted = await trx.deleteFrom('model_versions').where('model_name', '=', key.modelName).where('version', '=', key.version).executeTakeFirst()
      if (deleted.numDeletedRows === 0n) throw notFound(`model version ${id}`, this.backendId)
      await this.models.touch(trx, key.modelName)
    })
  }

  /** Applies `write` to an existing version under its model's row lock and stamps the update. */
  private change(id: string, write: (trx: Kysely<Database>, modelName: string, version: number) => Promise<unknown>): Promise<ModelVersion> {
    const key = parseModelVersionId(id)
    if (!key) throw notFound(`model version ${id}`, this.backendId)
    return writeTransaction(this.db, this.backendId, async (trx) => {
      await this.models.lock(trx, key.modelName)
      const updated = await trx
        .updateTable('model_versions')
        .set({ updated_at: Date.now() })
        .where('model_name', '=', key.modelName)
        .where('version', '=', key.version)
        .executeTakeFirst()
      if (updated.numUpdatedRows === 0n) throw notFound(`model version ${id}`, this.backendId)
      await write(trx, key.modelName, key.version)
      return this.get(id, trx)
    })
  }

  private async upsertTags(db: Kysely<Database>, modelName: string, version: number, tags: KeyValue[]): Promise<void> {
    if (tags.length === 0) return
    await db
      .insertInto('model_version_tags')
      .values(tags.map((tag) => ({ model_name: modelName, version, key: tag.key, value: tag.value })))
      .onConflict((oc) => oc.columns(['model_name', 'version', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
      .execute()
  }

  private selectVersions(db: Kysely<Database>) {
    return db
      .selectFrom('model_versions')
      .selectAll('model_versions')
      .select([
        sql<ModelVersionRow['tags']>`(select json_object_agg(t.key, t.value) from model_version_tags t where t.model_name = model_versions.model_name and t.version = model_versions.version)`.as(
          'tags',
        ),
        sql<ModelVersionRow['aliases']>`(select json_agg(a.alias) from model_aliases a where a.model_name = model_versions.model_name and a.version = model_versions.version)`.as(
          'aliases',
        ),
      ])
  }
}
