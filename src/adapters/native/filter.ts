import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely'
import type {
  ExperimentFilter,
  ExperimentPredicate,
  LifecycleView,
  NumberOp,
  RunFilter,
  RunPredicate,
  StringOp,
} from '../../federation/filter.js'
import type { Database } from './db/schema.js'

/** The native store pushes down every predicate: the whole filter becomes SQL. */

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
  const conditions = filter.all.map((predicate) => compileRunPredicate(eb, predicate))
  if (lifecycle !== 'all') conditions.push(eb('runs.lifecycle_stage', '=', lifecycle))
  return eb.and(conditions)
}

function compileRunPredicate(eb: RunsBuilder, predicate: RunPredicate): Expression<SqlBool> {
  switch (predicate.field) {
    case 'param':
      return eb.exists(
        eb
          .selectFrom('run_params as kv')
          .select(sql.lit(1).as('one'))
          .whereRef('kv.run_id', '=', 'runs.id')
          .where('kv.key', '=', predicate.key)
          .where('kv.value', STRING_SQL[predicate.op], predicate.value),
      )
    case 'tag':
      return eb.exists(
        eb
          .selectFrom('run_tags as kv')
          .select(sql.lit(1).as('one'))
          .whereRef('kv.run_id', '=', 'runs.id')
          .where('kv.key', '=', predicate.key)
          .where('kv.value', STRING_SQL[predicate.op], predicate.value),
      )
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
      return eb.exists(latest)
    }
    case 'startTime':
    case 'endTime':
      return eb(RUN_COLUMNS[predicate.field], NUMBER_SQL[predicate.op], predicate.value)
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
  const conditions = filter.all.map((predicate) => compileExperimentPredicate(eb, predicate))
  if (lifecycle !== 'all') conditions.push(eb('experiments.lifecycle_stage', '=', lifecycle))
  return eb.and(conditions)
}

function compileExperimentPredicate(eb: ExperimentsBuilder, predicate: ExperimentPredicate): Expression<SqlBool> {
  if (predicate.field === 'name') return eb('experiments.name', STRING_SQL[predicate.op], predicate.value)
  return eb.exists(
    eb
      .selectFrom('experiment_tags as kv')
      .select(sql.lit(1).as('one'))
      .whereRef('kv.experiment_id', '=', 'experiments.id')
      .where('kv.key', '=', predicate.key)
      .where('kv.value', STRING_SQL[predicate.op], predicate.value),
  )
}
