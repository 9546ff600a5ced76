import { type Kysely, sql } from 'kysely'
import type { Experiment, KeyValue } from '../../domain.js'
import { GatewayError, notFound } from '../../errors.js'
import type { CreateExperimentInput, ExperimentQuery, Page, PageRequest } from '../../contract/backend.js'
import { PG_UNIQUE_VIOLATION, databaseErrorCode } from './client.js'
import type { Database } from './db/schema.js'
import { writeTransaction } from './write-transaction.js'
import { compileExperimentFilter } from './filter.js'
import { type ExperimentRow, toExperiment } from './map.js'
import { pageFromRows, pageOffset } from './page-token.js'

/** Experiments and their tags. */
export class ExperimentStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly backendId: string,
  ) {}

  async list(query: ExperimentQuery, page: PageRequest): Promise<Page<Experiment>> {
    const offset = pageOffset(page, this.backendId)
    const rows = await this.selectExperiments(this.db)
      .where((eb) => compileExperimentFilter(eb, query.filter, query.lifecycle))
      // Newest first, ties by id: the order the federation layer merges in.
      .orderBy('experiments.created_at', 'desc')
      .orderBy('experiments.id')
      .limit(page.first + 1)
      .offset(offset)
      .execute()
    return pageFromRows(rows.map((row) => toExperiment(this.backendId, row)), page, offset)
  }

  async count(query: ExperimentQuery): Promise<number> {
    const row = await this.db
      .selectFrom('experiments')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where((eb) => compileExperimentFilter(eb, query.filter, query.lifecycle))
      .executeTakeFirstOrThrow()
    return Number(row.count)
  }

  async getMany(ids: readonly string[]): Promise<(Experiment | null)[]> {
    const numeric = ids.filter(isExperimentId).map(Number)
    const rows = numeric.length === 0 ? [] : await this.selectExperiments(this.db).where('experiments.id', 'in', numeric).execute()
    const byId = new Map(rows.map((row) => [String(row.id), toExperiment(this.backendId, row)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  async get(id: string, db: Kysely<Database> = this.db): Promise<Experiment> {
    const row = isExperimentId(id)
      ? await this.selectExperiments(db).where('experiments.id', '=', Number(id)).executeTakeFirst()
      : undefined
    if (!row) throw notFound(`experiment ${id}`, this.backendId)
    return toExperiment(this.backendId, row)
  }

  async create(input: CreateExperimentInput): Promise<Experiment> {
    const now = Date.now()
    try {
      return await writeTransaction(this.db, this.backendId, async (trx) => {
        const { id } = await trx
          .insertInto('experiments')
          .values({ name: input.name, artifact_location: input.artifactLocation, created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow()
        // Unless one was asked for, MLflow's layout for a server that proxies artifacts: mlflow-artifacts:/<experiment id>.
        if (input.artifactLocation === null) await trx.updateTable('experiments').set({ artifact_location: `mlflow-artifacts:/${id}` }).where('id', '=', id).execute()
        await this.upsertTags(trx, id, input.tags)
        return this.get(String(id), trx)
      })
    } catch (error) {
      if (databaseErrorCode(error) === PG_UNIQUE_VIOLATION) {
        throw new GatewayError('CONFLICT', `an active experiment named "${input.name}" already exists`, { backend: this.backendId })
      }
      throw error
    }
  }

  async setTags(id: string, tags: KeyValue[]): Promise<Experiment> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      const experiment = await this.get(id, trx)
      await this.upsertTags(trx, Number(experiment.nativeId), tags)
      await trx.updateTable('experiments').set({ updated_at: Date.now() }).where('id', '=', Number(id)).execute()
      return this.get(id, trx)
    })
  }

  async deleteTag(id: string, key: string): Promise<Experiment> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      const experiment = await this.get(id, trx)
      const deleted = await trx.deleteFrom('experiment_tags').where('experiment_id', '=', Number(experiment.nativeId)).where('key', '=', key).executeTakeFirst()
      if (deleted.numDeletedRows === 0n) throw notFound(`tag "${key}" of experiment ${id}`, this.backendId)
      await trx.updateTable('experiments').set({ updated_at: Date.now() }).where('id', '=', Number(id)).execute()
      return this.get(id, trx)
    })
  }

  async rename(id: string, name: string): Promise<Experiment> {
    try {
      return await writeTransaction(this.db, this.backendId, async (trx) => {
        await this.get(id, trx)
        await trx.updateTable('experiments').set({ name, updated_at: Date.now() }).where('id', '=', Number(id)).execute()
        return this.get(id, trx)
      })
    } catch (error) {
      if (databaseErrorCode(error) === PG_UNIQUE_VIOLATION) {
        throw new GatewayError('CONFLICT', `an active experiment named "${name}" already exists`, { backend: this.backendId })
      }
      throw error
    }
  }

  /** MLflow's soft delete and restore: the experiment and its runs change lifecycle stage together. */
  async setLifecycle(id: string, stage: 'active' | 'deleted'): Promise<Experiment> {
    try {
      return await writeTransaction(this.db, this.backendId, async (trx) => {
        await this.get(id, trx)
        await trx.updateTable('experiments').set({ lifecycle_stage: stage, updated_at: Date.now() }).where('id', '=', Number(id)).execute()
        await trx.updateTable('runs').set({ lifecycle_stage: stage }).where('experiment_id', '=', Number(id)).execute()
        return this.get(id, trx)
      })
    } catch (error) {
      if (databaseErrorCode(error) === PG_UNIQUE_VIOLATION) {
        throw new GatewayError('CONFLICT', `experiment ${id} cannot be restored: another active experiment has its name`, { backend: this.backendId })
      }
      throw error
    }
  }

  private async upsertTags(db: Kysely<Database>, experimentId: number, tags: KeyValue[]): Promise<void> {
    if (tags.length === 0) return
    await db
      .insertInto('experiment_tags')
      .values(tags.map((tag) => ({ experiment_id: experimentId, key: tag.key, value: tag.value })))
      .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
      .execute()
  }

  private selectExperiments(db: Kysely<Database>) {
    return db
      .selectFrom('experiments')
      .selectAll('experiments')
      .select(
        sql<ExperimentRow['tags']>`(select json_object_agg(t.key, t.value) from experiment_tags t where t.experiment_id = experiments.id)`.as(
          'tags',
        ),
      )
  }
}

/** Native experiment ids are int8s; anything else names no experiment (rather than a SQL error). */
export function isExperimentId(id: string): boolean {
  return /^\d{1,18}$/.test(id)
}
