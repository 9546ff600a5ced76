import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely'
import { type ModelStage, MODEL_STAGES, PROMOTION_OF_STAGE } from '../../domain.js'
import type {
  ExperimentFilter,
  ExperimentPredicate,
  LifecycleView,
  ModelVersionFilter,
  ModelVersionPredicate,
  NumberOp,
  RegisteredModelFilter,
  SetOp,
  RunFilter,
  RunPredicate,
  StringOp,
} from '../../contract/filter.js'
import type { Database } from './db/schema.js'
import { numberArray, textArray } from './db/array-literal.js'

/**
 * The native store pushes down every predicate: the whole filter becomes SQL.
 *
 * Each key-value clause (a param, tag or metric) is an EXISTS over its
 * table. PostgreSQL turns each into a semi-join, which it plans well for a
 * few clauses (a metric filter over 10,000 runs: 4.5 ms); but N of them make
 * an N-way join order to search, and a search's time grew with N² and worse
 * (PGlite, 500 runs: 100 clauses 4.6 s, 200 clauses 32 s). Past a few
 * clauses each EXISTS is therefore kept a correlated subplan with OFFSET 0
 * (PostgreSQL will not turn an EXISTS with an OFFSET into a join:
 * subselect.c, simplify_EXISTS_query): one index probe per candidate record,
 * evaluated only while the earlier clauses hold, so the cost grows linearly.
 */

/** Up to this many key-value clauses stay joins: the planner orders them well, and quickly. */
const JOINED_CLAUSES = 4

type ClauseShape = 'join' | 'subplan'

/** Clauses that test a key-value table with an EXISTS (or NOT EXISTS) subquery. */
const KEY_VALUE_FIELDS = new Set(['param', 'tag', 'metric', 'paramPresence', 'tagPresence', 'lacksTag'])

function shapeOf(filter: { all: readonly { field: string }[] }): ClauseShape {
  const keyValueClauses = filter.all.filter((predicate) => KEY_VALUE_FIELDS.has(predicate.field)).length
  return keyValueClauses > JOINED_CLAUSES ? 'subplan' : 'join'
}

/** The EXISTS subquery of one key-value clause, in the shape its filter needs. */
function shaped<Q extends { offset(offset: number): Q }>(shape: ClauseShape, query: Q): Q {
  return shape === 'subplan' ? query.offset(0) : query
}

const STRING_SQL = { EQ: '=', NEQ: '<>', LIKE: 'like', ILIKE: 'ilike' } as const satisfies Record<StringOp, string>
const NUMBER_SQL = { EQ: '=', NEQ: '<>', GT: '>', GTE: '>=', LT: '<', LTE: '<=' } as const satisfies Record<NumberOp, string>

const RUN_COLUMNS = {
  status: 'runs.status',
  name: 'runs.name',
  runId: 'runs.id',
  artifactUri: 'runs.artifact_uri',
  startTime: 'runs.start_time',
  endTime: 'runs.end_time',
} as const

type RunsBuilder = ExpressionBuilder<Database, 'runs'>
type ExperimentsBuilder = ExpressionBuilder<Database, 'experiments'>

export function compileRunFilter(eb: RunsBuilder, filter: RunFilter, lifecycle: LifecycleView): Expression<SqlBool> {
  const shape = shapeOf(filter)
  const conditions = filter.all.map((predicate) => compileRunPredicate(eb, predicate, shape))
  if (lifecycle !== 'all') conditions.push(eb('runs.lifecycle_stage', '=', lifecycle))
  return eb.and(conditions)
}

function compileRunPredicate(eb: RunsBuilder, predicate: RunPredicate, shape: ClauseShape): Expression<SqlBool> {
  switch (predicate.field) {
    case 'param':
    case 'tag':
      return eb.exists(
        shaped(
          shape,
          eb
            // run_params and run_tags have the same columns (db/schema.ts), so one query serves both;
            // Kysely cannot type a select over a union of tables, hence the cast to one of them.
            .selectFrom((predicate.field === 'param' ? 'run_params as kv' : 'run_tags as kv') as 'run_params as kv')
            .select(sql.lit(1).as('one'))
            .whereRef('kv.run_id', '=', 'runs.id')
            .where('kv.key', '=', predicate.key)
            .where('kv.value', STRING_SQL[predicate.op], predicate.value),
        ),
      )
    case 'paramPresence':
    case 'tagPresence': {
      const rows = eb
        .selectFrom((predicate.field === 'paramPresence' ? 'run_params as kv' : 'run_tags as kv') as 'run_params as kv')
        .select(sql.lit(1).as('one'))
        .whereRef('kv.run_id', '=', 'runs.id')
        .where('kv.key', '=', predicate.key)
      return predicate.present ? eb.exists(shaped(shape, rows)) : eb.not(eb.exists(shaped(shape, rows)))
    }
    case 'metric': {
      // MLflow's semantics: a run without the metric matches no comparison on
      // it, and NaN compares as in IEEE 754 (only "not equal" holds), where
      // PostgreSQL would call NaN equal to itself and above every number.
      let latest = eb
        .selectFrom('latest_metrics as lm')
        .select(sql.lit(1).as('one'))
        .whereRef('lm.run_id', '=', 'runs.id')
        .where('lm.key', '=', predicate.key)
        .where('lm.value', NUMBER_SQL[predicate.op], predicate.value)
      if (predicate.op !== 'NEQ') latest = latest.where('lm.value', '<>', Number.NaN)
      return eb.exists(shaped(shape, latest))
    }
    case 'startTime':
    case 'endTime':
      return eb(RUN_COLUMNS[predicate.field], NUMBER_SQL[predicate.op], predicate.value)
    case 'experimentId':
      return inSet('runs.experiment_id', predicate)
    default: {
      const column = RUN_COLUMNS[predicate.field]
      if ('values' in predicate) {
        // `IN ()` is not SQL; an empty set matches nothing, its negation everything.
        if (predicate.values.length === 0) return sql.lit(predicate.op === 'NOT_IN')
        return eb(column, predicate.op === 'IN' ? 'in' : 'not in', predicate.values)
      }
      return eb(column, STRING_SQL[predicate.op], predicate.value)
    }
  }
}

export function compileExperimentFilter(
  eb: ExperimentsBuilder,
  filter: ExperimentFilter,
  lifecycle: LifecycleView,
): Expression<SqlBool> {
  const shape = shapeOf(filter)
  const conditions = filter.all.map((predicate) => compileExperimentPredicate(eb, predicate, shape))
  if (lifecycle !== 'all') conditions.push(eb('experiments.lifecycle_stage', '=', lifecycle))
  return eb.and(conditions)
}

/**
 * A column in (or not in) a set, as one array parameter however long the
 * set. Experiment ids are int8: values that are not numbers name no
 * experiment here. `IN ()` is not SQL; an empty set matches nothing, its negation everything.
 */
function inSet(
  column: 'runs.experiment_id' | 'experiments.id' | 'registered_models.name' | 'model_versions.model_name',
  predicate: { op: SetOp; values: string[] },
): Expression<SqlBool> {
  const numeric = column === 'runs.experiment_id' || column === 'experiments.id'
  const values = numeric ? predicate.values.filter((id) => /^\d{1,18}$/.test(id)) : predicate.values
  if (values.length === 0) return sql.lit(predicate.op === 'NOT_IN')
  const array = numeric ? sql`${numberArray(values.map(Number))}::int8[]` : sql`${textArray(values)}::text[]`
  return sql<SqlBool>`${sql.ref(column)} ${predicate.op === 'IN' ? sql`= any` : sql`<> all`}(${array})`
}

function compileExperimentPredicate(eb: ExperimentsBuilder, predicate: ExperimentPredicate, shape: ClauseShape): Expression<SqlBool> {
  if (predicate.field === 'experimentId') return inSet('experiments.id', predicate)
  if (predicate.field === 'name') return eb('experiments.name', STRING_SQL[predicate.op], predicate.value)
  return eb.exists(
    shaped(
      shape,
      eb
        .selectFrom('experiment_tags as kv')
        .select(sql.lit(1).as('one'))
        .whereRef('kv.experiment_id', '=', 'experiments.id')
        .where('kv.key', '=', predicate.key)
        .where('kv.value', STRING_SQL[predicate.op], predicate.value),
    ),
  )
}

type ModelsBuilder = ExpressionBuilder<Database, 'registered_models'>
type VersionsBuilder = ExpressionBuilder<Database, 'model_versions'>

export function compileRegisteredModelFilter(eb: ModelsBuilder, filter: RegisteredModelFilter): Expression<SqlBool> {
  const shape = shapeOf(filter)
  const tagRows = (key: string, op: (typeof STRING_SQL)[StringOp], value: string) =>
    eb
      .selectFrom('registered_model_tags as kv')
      .select(sql.lit(1).as('one'))
      .whereRef('kv.model_name', '=', 'registered_models.name')
      .where('kv.key', '=', key)
      .where('kv.value', op, value)
  return eb.and(
    filter.all.map((predicate) => {
      switch (predicate.field) {
        case 'name':
          return eb('registered_models.name', STRING_SQL[predicate.op], predicate.value)
        case 'names':
          return inSet('registered_models.name', predicate)
        case 'tag':
          return eb.exists(shaped(shape, tagRows(predicate.key, STRING_SQL[predicate.op], predicate.value)))
        case 'lacksTag':
          return eb.not(eb.exists(shaped(shape, tagRows(predicate.key, '=', predicate.value))))
      }
    }),
  )
}

const VERSION_COLUMNS = { modelName: 'model_versions.model_name', runId: 'model_versions.run_id', source: 'model_versions.source' } as const

export function compileModelVersionFilter(eb: VersionsBuilder, filter: ModelVersionFilter): Expression<SqlBool> {
  const shape = shapeOf(filter)
  return eb.and(filter.all.map((predicate) => compileModelVersionPredicate(eb, predicate, shape)))
}

function compileModelVersionPredicate(eb: VersionsBuilder, predicate: ModelVersionPredicate, shape: ClauseShape): Expression<SqlBool> {
  const tagRows = (key: string, op: (typeof STRING_SQL)[StringOp], value: string) =>
    eb
      .selectFrom('model_version_tags as kv')
      .select(sql.lit(1).as('one'))
      .whereRef('kv.model_name', '=', 'model_versions.model_name')
      .whereRef('kv.version', '=', 'model_versions.version')
      .where('kv.key', '=', key)
      .where('kv.value', op, value)
  switch (predicate.field) {
    case 'tag':
      return eb.exists(shaped(shape, tagRows(predicate.key, STRING_SQL[predicate.op], predicate.value)))
    case 'lacksTag':
      return eb.not(eb.exists(shaped(shape, tagRows(predicate.key, '=', predicate.value))))
    case 'stage':
      return stageIn(eb, predicate.values)
    case 'promotion':
      return stageIn(
        eb,
        MODEL_STAGES.filter((stage) => predicate.values.includes(PROMOTION_OF_STAGE[stage])),
      )
    case 'approvalStatus':
      return sql.lit(false) // the native registry has stages, not approvals
    case 'runIds':
      return predicate.values.length === 0 ? sql.lit(false) : eb('model_versions.run_id', 'in', predicate.values)
    case 'modelNames':
      return inSet('model_versions.model_name', predicate)
    default:
      return eb(VERSION_COLUMNS[predicate.field], STRING_SQL[predicate.op], predicate.value)
  }
}

function stageIn(eb: VersionsBuilder, stages: readonly ModelStage[]): Expression<SqlBool> {
  return stages.length === 0 ? sql.lit(false) : eb('model_versions.stage', 'in', stages)
}
