import { randomUUID } from 'node:crypto'
import { appendToUriPath } from './artifact-uri.js'
import { type Kysely, sql } from 'kysely'
import { DATASET_CONTEXT_TAG, type DatasetInput, type DatasetSummary, type KeyValue, type ModelInput, type Run, TERMINAL_RUN_STATUSES, datasetContextOf } from '../../domain.js'
import { endTimeAfterUpdate } from '../../contract/run-end-time.js'
import { GatewayError, badInput, notFound } from '../../errors.js'
import { type CreateRunInput, DATASET_SUMMARIES_LIMIT, type Page, type PageRequest, type RunBatch, type RunEventKind, type RunQuery, type UpdateRunInput } from '../../contract/backend.js'
import type { Database } from './db/schema.js'
import { writeTransaction } from './write-transaction.js'
import { isExperimentId } from './experiment-store.js'
import type { NativeDatabase } from './client.js'
import { type RunRow, toRun } from './map.js'
import { pageFromRows, pageOffset } from './page-token.js'
import { pageIdsSubquery, pageRunIds, runQueryCondition } from './run-page.js'

/**
 * How many whole runs one statement reads (see getMany): on PGlite the
 * statement runs inside the gateway's own process, so fewer; a PostgreSQL
 * server works beside it, and a lineage level of 700 runs is one read.
 */
const RUNS_PER_READ: Record<NativeDatabase['engine'], number> = { pglite: 100, postgres: 1000 }

/** Runs, their params and tags. Metric points live in `metric-store.ts`. */
export class RunStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly backendId: string,
    /** The NOTIFY channel for run changes (see `live.ts`). */
    private readonly runsChannel: string,
    private readonly engine: NativeDatabase['engine'],
  ) {}

  /**
   * One page: the page's ids in order (see `run-page.ts`), then those runs
   * whole. On PostgreSQL, unless ordered first by a metric, both in one
   * statement (one round trip; a lineage level's children are one call);
   * on PGlite, in two steps, the runs read RUNS_PER_READ at a time.
   */
  async list(query: RunQuery, page: PageRequest): Promise<Page<Run>> {
    const offset = pageOffset(page, this.backendId)
    const ids = this.engine === 'postgres' ? pageIdsSubquery(this.db, query, page.first + 1, offset) : null
    if (ids) {
      const rows = await this.selectRuns(this.db)
        .innerJoin(sql<{ id: string; place: string }>`(select p.id, p.place from unnest(array(${ids})) with ordinality as p(id, place))`.as('page'), (join) =>
          join.onRef('page.id', '=', 'runs.id'),
        )
        .orderBy('page.place')
        .execute()
      return pageFromRows(rows.map((row) => toRun(this.backendId, row)), page, offset)
    }
    const runs = await this.getMany(await pageRunIds(this.db, query, page.first + 1, offset))
    return pageFromRows(runs.filter((run): run is Run => run !== null), page, offset)
  }

  async count(query: RunQuery): Promise<number> {
    const row = await this.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where((eb) => runQueryCondition(eb, query))
      .executeTakeFirstOrThrow()
    return Number(row.count)
  }

  /**
   * Runs by id, RUNS_PER_READ to a statement: a run comes with all its
   * params, tags and latest metrics, so a thousand in one statement held
   * PGlite (and with it the whole process) for over 100 ms; between
   * statements, other requests get their turn (work-priority.ts).
   */
  async getMany(ids: readonly string[]): Promise<(Run | null)[]> {
    const byId = new Map<string, Run>()
    const perRead = RUNS_PER_READ[this.engine]
    for (let start = 0; start < ids.length; start += perRead) {
      const rows = await this.selectRuns(this.db).where('runs.id', 'in', ids.slice(start, start + perRead)).execute()
      for (const row of rows) byId.set(row.id, toRun(this.backendId, row))
    }
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** MLflow's search-datasets: each (experiment, name, digest, context) once, context from the input's tag. */
  async datasetSummaries(experimentIds: readonly string[]): Promise<DatasetSummary[]> {
    const ids = experimentIds.filter(isExperimentId).map(Number)
    if (ids.length === 0) return []
    const rows = await this.db
      .selectFrom('run_inputs as i')
      .innerJoin('datasets as d', 'd.id', 'i.dataset_id')
      .innerJoin('runs as r', 'r.id', 'i.run_id')
      .select(['r.experiment_id', 'd.name', 'd.digest', sql<string | null>`i.tags ->> ${DATASET_CONTEXT_TAG}`.as('context')])
      .distinct()
      .where('r.experiment_id', 'in', ids)
      .orderBy('r.experiment_id')
      .orderBy('d.name')
      .orderBy('d.digest')
      .orderBy('context')
      .limit(DATASET_SUMMARIES_LIMIT)
      .execute()
    return rows.map((row) => ({ experimentNativeId: String(row.experiment_id), name: row.name, digest: row.digest, context: row.context }))
  }

  async get(id: string, db: Kysely<Database> = this.db): Promise<Run> {
    const row = await this.selectRuns(db).where('runs.id', '=', id).executeTakeFirst()
    if (!row) throw notFound(`run ${id}`, this.backendId)
    return toRun(this.backendId, row)
  }

  async create(input: CreateRunInput): Promise<Run> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      const experiment = isExperimentId(input.experimentId)
        ? await trx
            .selectFrom('experiments')
            .select(['id', 'lifecycle_stage', 'artifact_location'])
            .where('id', '=', Number(input.experimentId))
            .executeTakeFirst()
        : undefined
      if (!experiment) throw notFound(`experiment ${input.experimentId}`, this.backendId)
      if (experiment.lifecycle_stage !== 'active') {
        throw badInput(`experiment ${input.experimentId} is deleted; restore it before adding runs`, this.backendId)
      }
      const id = randomUUID().replaceAll('-', '')
      await trx
        .insertInto('runs')
        .values({
          id,
          experiment_id: experiment.id,
          name: input.name ?? `run-${id.slice(0, 8)}`,
          status: input.status,
          start_time: input.startTime.getTime(),
          end_time: TERMINAL_RUN_STATUSES.includes(input.status) ? input.startTime.getTime() : null,
          artifact_uri: experiment.artifact_location === null ? null : appendToUriPath(experiment.artifact_location, id, 'artifacts'),
          user_id: input.userId ?? '',
        })
        .execute()
      await this.insertParams(trx, id, input.params)
      await this.upsertTags(trx, id, input.tags)
      await this.announce(trx, id, 'CREATED')
      return this.get(id, trx)
    })
  }

  async update(id: string, patch: UpdateRunInput): Promise<Run> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      const run = await this.requireActive(trx, id)
      const after = endTimeAfterUpdate(patch, run.endTime === null ? null : new Date(run.endTime))
      const endTime = after === undefined ? undefined : (after?.getTime() ?? null)
      await trx
        .updateTable('runs')
        .set({
          ...(patch.status !== undefined && { status: patch.status }),
          ...(patch.name !== undefined && { name: patch.name }),
          ...(endTime !== undefined && { end_time: endTime }),
        })
        .where('id', '=', id)
        .execute()
      const finished = patch.status !== undefined && TERMINAL_RUN_STATUSES.includes(patch.status) && !TERMINAL_RUN_STATUSES.includes(run.status)
      await this.announce(trx, id, finished ? 'FINISHED' : 'UPDATED')
      return this.get(id, trx)
    })
  }

  async setLifecycle(id: string, stage: 'active' | 'deleted'): Promise<Run> {
    return writeTransaction(this.db, this.backendId, async (trx) => {
      const result = await trx.updateTable('runs').set({ lifecycle_stage: stage }).where('id', '=', id).executeTakeFirst()
      if (result.numUpdatedRows === 0n) throw notFound(`run ${id}`, this.backendId)
      await this.announce(trx, id, stage === 'deleted' ? 'DELETED' : 'UPDATED')
      return this.get(id, trx)
    })
  }

  async logParams(id: string, params: KeyValue[]): Promise<void> {
    await writeTransaction(this.db, this.backendId, async (trx) => {
      await this.requireActive(trx, id)
      await this.insertParams(trx, id, params)
      await this.announce(trx, id, 'UPDATED')
    })
  }

  async setTags(id: string, tags: KeyValue[]): Promise<void> {
    await writeTransaction(this.db, this.backendId, async (trx) => {
      await this.requireActive(trx, id)
      await this.upsertTags(trx, id, tags)
      await this.announce(trx, id, 'UPDATED')
    })
  }

  async deleteTag(id: string, key: string): Promise<void> {
    await writeTransaction(this.db, this.backendId, async (trx) => {
      await this.requireActive(trx, id)
      const deleted = await trx.deleteFrom('run_tags').where('run_id', '=', id).where('key', '=', key).executeTakeFirst()
      if (deleted.numDeletedRows === 0n) throw notFound(`tag "${key}" of run ${id}`, this.backendId)
      await this.announce(trx, id, 'UPDATED')
    })
  }

  /** MLflow's log-batch in one transaction: a param conflict leaves no metric or tag behind. */
  async logBatch(id: string, batch: RunBatch, appendMetrics: (db: Kysely<Database>) => Promise<void>): Promise<void> {
    await writeTransaction(this.db, this.backendId, async (trx) => {
      await this.lockActive(trx, id)
      await this.insertParams(trx, id, batch.params)
      await this.upsertTags(trx, id, batch.tags)
      await appendMetrics(trx)
      if (batch.params.length > 0 || batch.tags.length > 0) await this.announce(trx, id, 'UPDATED')
    })
  }

  /**
   * Records datasets (shared by name and digest) and logged models as
   * inputs of the run. As MLflow's SQL store: a run lists each dataset once,
   * as first recorded (the first of one call, and never replaced by a later
   * call's), whatever tags (a second role) later inputs of it carry.
   */
  async logInputs(id: string, inputs: DatasetInput[], models: ModelInput[]): Promise<void> {
    const firstOfEach = new Map<string, DatasetInput>()
    for (const input of inputs) {
      const key = `${input.dataset.name}\u0000${input.dataset.digest}`
      if (!firstOfEach.has(key)) firstOfEach.set(key, input)
    }
    await writeTransaction(this.db, this.backendId, async (trx) => {
      await this.requireActive(trx, id)
      for (const input of firstOfEach.values()) {
        const { dataset } = input
        const { id: datasetId } = await trx
          .insertInto('datasets')
          .values({
            name: dataset.name,
            digest: dataset.digest,
            source_type: dataset.sourceType,
            source: dataset.source,
            schema: dataset.schema,
            profile: dataset.profile,
          })
          // A no-op update, so RETURNING yields the existing row's id too.
          .onConflict((oc) => oc.columns(['name', 'digest']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name') })))
          .returning('id')
          .executeTakeFirstOrThrow()
        await trx
          .insertInto('run_inputs')
          .values({ run_id: id, dataset_id: datasetId, context: datasetContextOf(input), tags: JSON.stringify(input.tags) })
          .onConflict((oc) => oc.columns(['run_id', 'dataset_id']).doNothing())
          .execute()
      }
      if (models.length > 0) {
        await trx
          .insertInto('run_model_inputs')
          .values(models.map((model) => ({ run_id: id, model_id: model.modelId })))
          .onConflict((oc) => oc.doNothing())
          .execute()
      }
      await this.announce(trx, id, 'UPDATED')
    })
  }

  /** NOTIFY, delivered at commit: `<experiment>:<run>:<kind>` for runUpdates subscribers on every replica. */
  private async announce(db: Kysely<Database>, runId: string, kind: RunEventKind): Promise<void> {
    await sql`select pg_notify(${this.runsChannel}, experiment_id || ':' || id || ':' || ${kind}) from runs where id = ${runId}`.execute(db)
  }

  /** `requireActive` without reading the run back: locks its row (as metric appends do) and checks its stage. */
  private async lockActive(db: Kysely<Database>, id: string): Promise<void> {
    const row = await db.selectFrom('runs').select('lifecycle_stage').where('id', '=', id).forNoKeyUpdate().executeTakeFirst()
    if (!row) throw notFound(`run ${id}`, this.backendId)
    if (row.lifecycle_stage !== 'active') throw badInput(`run ${id} is deleted; restore it before writing to it`, this.backendId)
  }

  /** Fails unless the run exists and is not deleted; MLflow refuses writes to deleted runs too. */
  async requireActive(db: Kysely<Database>, id: string): Promise<Run> {
    const run = await this.get(id, db)
    if (run.lifecycleStage !== 'active') throw badInput(`run ${id} is deleted; restore it before writing to it`, this.backendId)
    return run
  }

  /**
   * Params are write-once, as in MLflow: logging the same value again is
   * fine, a different one is a CONFLICT. Insert what is new, then compare
   * what is stored; a concurrent writer's row is committed by then (the
   * insert waited on it), so the comparison sees it.
   */
  private async insertParams(db: Kysely<Database>, runId: string, params: KeyValue[]): Promise<void> {
    if (params.length === 0) return
    await db
      .insertInto('run_params')
      .values(params.map((param) => ({ run_id: runId, key: param.key, value: param.value })))
      .onConflict((oc) => oc.columns(['run_id', 'key']).doNothing())
      .execute()
    const stored = await db
      .selectFrom('run_params')
      .select(['key', 'value'])
      .where('run_id', '=', runId)
      .where('key', 'in', params.map((param) => param.key))
      .execute()
    const storedValue = new Map(stored.map((row) => [row.key, row.value]))
    const changed = params.find((param) => storedValue.get(param.key) !== param.value)
    if (changed) {
      throw new GatewayError(
        'CONFLICT',
        `param "${changed.key}" of run ${runId} is already logged with a different value; params are write-once`,
        { backend: this.backendId },
      )
    }
  }

  private async upsertTags(db: Kysely<Database>, runId: string, tags: KeyValue[]): Promise<void> {
    if (tags.length === 0) return
    await db
      .insertInto('run_tags')
      .values(tags.map((tag) => ({ run_id: runId, key: tag.key, value: tag.value })))
      .onConflict((oc) => oc.columns(['run_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
      .execute()
  }

  private selectRuns(db: Kysely<Database>) {
    return db
      .selectFrom('runs')
      .selectAll('runs')
      .select([
        sql<RunRow['params']>`(select json_object_agg(p.key, p.value) from run_params p where p.run_id = runs.id)`.as('params'),
        sql<RunRow['tags']>`(select json_object_agg(t.key, t.value) from run_tags t where t.run_id = runs.id)`.as('tags'),
        sql<RunRow['metrics']>`(select json_agg(json_build_array(m.key, m.value, m.step, m.timestamp)) from latest_metrics m where m.run_id = runs.id)`.as(
          'metrics',
        ),
        sql<RunRow['datasets']>`(select json_agg(json_build_object(
            'dataset', json_build_object('name', d.name, 'digest', d.digest, 'sourceType', d.source_type, 'source', d.source, 'schema', d.schema, 'profile', d.profile),
            'tags', i.tags) order by d.name, d.digest)
          from run_inputs i join datasets d on d.id = i.dataset_id where i.run_id = runs.id)`.as('datasets'),
        sql<RunRow['model_inputs']>`(select json_agg(json_build_object('modelId', mi.model_id) order by mi.model_id)
          from run_model_inputs mi where mi.run_id = runs.id)`.as('model_inputs'),
        sql<RunRow['model_outputs']>`(select json_agg(json_build_object('modelId', o.model_id, 'step', o.step) order by o.model_id)
          from run_outputs o where o.run_id = runs.id)`.as('model_outputs'),
      ])
  }
}
