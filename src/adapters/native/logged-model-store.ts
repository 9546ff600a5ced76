import { randomUUID } from 'node:crypto'
import { appendToUriPath } from './artifact-uri.js'
import { type Kysely, sql } from 'kysely'
import type { KeyValue, LoggedModel, LoggedModelStatus, LinkedMetric, ModelOutput } from '../../domain.js'
import { badInput, notFound } from '../../errors.js'
import type { CreateLoggedModelInput, LoggedModelStore, Page, PageRequest } from '../../contract/backend.js'
import type { Database } from './db/schema.js'
import { writeTransaction } from './write-transaction.js'
import { isExperimentId } from './experiment-store.js'
import { type LoggedModelRow, toLoggedModel } from './map.js'
import { pageFromRows, pageOffset } from './page-token.js'

/** MLflow 3's logged models, kept for the MLflow API (`mlflow.<flavor>.log_model`). */
export class NativeLoggedModelStore implements LoggedModelStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly backendId: string,
  ) {}

  async create(input: CreateLoggedModelInput): Promise<LoggedModel> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      const experiment = isExperimentId(input.experimentId)
        ? await trx.selectFrom('experiments').select(['id', 'lifecycle_stage', 'artifact_location']).where('id', '=', Number(input.experimentId)).executeTakeFirst()
        : undefined
      if (!experiment) throw notFound(`experiment ${input.experimentId}`, this.backendId)
      if (experiment.lifecycle_stage !== 'active') throw badInput(`experiment ${input.experimentId} is deleted`, this.backendId)
      const id = `m-${randomUUID().replaceAll('-', '')}`
      const now = Date.now()
      await trx
        .insertInto('logged_models')
        .values({
          id,
          experiment_id: experiment.id,
          // MLflow names an unnamed model after its id.
          name: input.name ?? id,
          source_run_id: input.sourceRunId,
          status: 'LOGGED_MODEL_PENDING',
          status_message: null,
          model_type: input.modelType,
          // MLflow's layout: <experiment artifact location>/models/<model id>/artifacts.
          artifact_location: appendToUriPath(experiment.artifact_location ?? `mlflow-artifacts:/${experiment.id}`, 'models', id, 'artifacts'),
          created_at: now,
          updated_at: now,
        })
        .execute()
      await this.upsert(trx, 'logged_model_tags', id, input.tags)
      await this.upsert(trx, 'logged_model_params', id, input.params)
      return this.get(trx, id)
    })
  }

  async getMany(ids: readonly string[]): Promise<(LoggedModel | null)[]> {
    const rows = ids.length === 0 ? [] : await this.selectModels(this.db).where('logged_models.id', 'in', [...ids]).execute()
    const byId = new Map(rows.map((row) => [row.id, toLoggedModel(this.backendId, row)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  async list(experimentIds: readonly string[], page: PageRequest): Promise<Page<LoggedModel>> {
    const offset = pageOffset(page, this.backendId)
    const ids = experimentIds.filter(isExperimentId).map(Number)
    if (ids.length === 0) return { items: [], nextToken: null }
    const rows = await this.selectModels(this.db)
      .where('logged_models.experiment_id', 'in', ids)
      .where('logged_models.lifecycle_stage', '=', 'active')
      .orderBy('logged_models.created_at', 'desc')
      .orderBy('logged_models.id')
      .limit(page.first + 1)
      .offset(offset)
      .execute()
    return pageFromRows(rows.map((row) => toLoggedModel(this.backendId, row)), page, offset)
  }

  finalize(id: string, status: LoggedModelStatus): Promise<LoggedModel> {
    return this.change(id, (trx) => trx.updateTable('logged_models').set({ status }).where('id', '=', id).execute())
  }

  setTags(id: string, tags: KeyValue[]): Promise<LoggedModel> {
    return this.change(id, (trx) => this.upsert(trx, 'logged_model_tags', id, tags))
  }

  logParams(id: string, params: KeyValue[]): Promise<LoggedModel> {
    return this.change(id, (trx) => this.upsert(trx, 'logged_model_params', id, params))
  }

  deleteTag(id: string, key: string): Promise<LoggedModel> {
    return this.change(id, async (trx) => {
      const deleted = await trx.deleteFrom('logged_model_tags').where('model_id', '=', id).where('key', '=', key).executeTakeFirst()
      if (deleted.numDeletedRows === 0n) throw notFound(`tag "${key}" of logged model ${id}`, this.backendId)
    })
  }

  async delete(id: string): Promise<void> {
    await this.change(id, (trx) => trx.updateTable('logged_models').set({ lifecycle_stage: 'deleted' }).where('id', '=', id).execute())
  }

  async logOutputs(runId: string, outputs: ModelOutput[]): Promise<void> {
    if (outputs.length === 0) return
    await writeTransaction(this.db, this.backendId, async (trx) => {
      const run = await trx.selectFrom('runs').select('lifecycle_stage').where('id', '=', runId).executeTakeFirst()
      if (!run) throw notFound(`run ${runId}`, this.backendId)
      if (run.lifecycle_stage !== 'active') throw badInput(`run ${runId} is deleted; restore it before writing to it`, this.backendId)
      const found = await trx.selectFrom('logged_models').select('id').where('id', 'in', outputs.map((output) => output.modelId)).execute()
      const missing = outputs.find((output) => !found.some((row) => row.id === output.modelId))
      if (missing) throw notFound(`logged model ${missing.modelId}`, this.backendId)
      await trx
        .insertInto('run_outputs')
        .values(outputs.map((output) => ({ run_id: runId, model_id: output.modelId, step: output.step })))
        .onConflict((oc) => oc.columns(['run_id', 'model_id']).doUpdateSet((eb) => ({ step: eb.ref('excluded.step') })))
        .execute()
    })
  }

  async linkMetrics(modelId: string, runId: string, metrics: LinkedMetric[]): Promise<void> {
    if (metrics.length === 0) return
    await this.change(modelId, (trx) =>
      trx
        .insertInto('logged_model_metrics')
        .values(
          metrics.map((m) => ({
            model_id: modelId,
            run_id: runId,
            key: m.key,
            step: m.step,
            timestamp: m.timestamp.getTime(),
            value: m.value,
            dataset_name: m.datasetName,
            dataset_digest: m.datasetDigest,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['model_id', 'run_id', 'key', 'step', 'timestamp']).doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            dataset_name: eb.ref('excluded.dataset_name'),
            dataset_digest: eb.ref('excluded.dataset_digest'),
          })),
        )
        .execute(),
    )
  }

  /** Applies `write` to an existing model under its row lock and stamps the update. */
  private change(id: string, write: (trx: Kysely<Database>) => Promise<unknown>): Promise<LoggedModel> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      const row = await trx.selectFrom('logged_models').select('id').where('id', '=', id).where('lifecycle_stage', '=', 'active').forUpdate().executeTakeFirst()
      if (!row) throw notFound(`logged model ${id}`, this.backendId)
      await write(trx)
      await trx.updateTable('logged_models').set({ updated_at: Date.now() }).where('id', '=', id).execute()
      return this.get(trx, id)
    })
  }

  private async get(db: Kysely<Database>, id: string): Promise<LoggedModel> {
    const row = await this.selectModels(db).where('logged_models.id', '=', id).executeTakeFirst()
    if (!row) throw notFound(`logged model ${id}`, this.backendId)
    return toLoggedModel(this.backendId, row)
  }

  private async upsert(db: Kysely<Database>, table: 'logged_model_tags' | 'logged_model_params', id: string, entries: KeyValue[]): Promise<void> {
    if (entries.length === 0) return
    await db
      .insertInto(table)
      .values(entries.map((entry) => ({ model_id: id, key: entry.key, value: entry.value })))
      .onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
      .execute()
  }

  private selectModels(db: Kysely<Database>) {
    return db
      .selectFrom('logged_models')
      .selectAll('logged_models')
      .select([
        sql<LoggedModelRow['tags']>`(select json_object_agg(t.key, t.value) from logged_model_tags t where t.model_id = logged_models.id)`.as('tags'),
        sql<LoggedModelRow['params']>`(select json_object_agg(p.key, p.value) from logged_model_params p where p.model_id = logged_models.id)`.as('params'),
        sql<LoggedModelRow['metrics']>`(select json_agg(json_build_array(m.key, m.value, m.step, m.timestamp, m.run_id, m.dataset_name, m.dataset_digest) order by m.key, m.step, m.timestamp)
          from logged_model_metrics m where m.model_id = logged_models.id)`.as('metrics'),
      ])
  }
}
