import type { FilterPlan, RunOrder } from '../../contract/backend.js'
import type {
  ExperimentFilter,
  ModelVersionFilter,
  ModelVersionPredicate,
  NumberOp,
  RegisteredModelFilter,
  RunFilter,
  RunPredicate,
  StringOp,
} from '../../contract/filter.js'
import { GatewayError } from '../../errors.js'

/**
 * The filter AST → MLflow's search syntax. What MLflow's grammar cannot say
 * stays in the residual for the gateway: IN over attributes other than
 * run_id, LIKE on run ids, a key containing a backtick, a string containing
 * both quote characters (MLflow's parser strips quotes but never unescapes).
 */

const NUMBER_OPERATORS: Record<NumberOp, string> = { EQ: '=', NEQ: '!=', GT: '>', GTE: '>=', LT: '<', LTE: '<=' }
const STRING_OPERATORS: Record<StringOp, string> = { EQ: '=', NEQ: '!=', LIKE: 'LIKE', ILIKE: 'ILIKE' }
const STRING_ATTRIBUTES = { status: 'status', name: 'run_name', runId: 'run_id', artifactUri: 'artifact_uri' } as const
const TIME_ATTRIBUTES = { startTime: 'start_time', endTime: 'end_time' } as const

export interface CompiledFilter<F> extends FilterPlan<F> {
  /** MLflow's filter string for `pushed`; empty when nothing is pushed. */
  text: string
}

export function compileRunFilter(filter: RunFilter): CompiledFilter<RunFilter> {
  return compileWith(filter, runClause)
}

export function compileExperimentFilter(filter: ExperimentFilter): CompiledFilter<ExperimentFilter> {
  return compileWith(filter, (predicate) => {
    switch (predicate.field) {
      case 'name':
        return stringClause('attribute.name', predicate.op, predicate.value)
      case 'tag':
        return keyed('tags', predicate.key, (key) => stringClause(key, predicate.op, predicate.value))
      case 'experimentId':
        return null // MLflow's experiment grammar has no ids: left to the gateway
    }
  })
}

/** `registered-models/search` filters on the name and tags. */
export function compileRegisteredModelFilter(filter: RegisteredModelFilter): CompiledFilter<RegisteredModelFilter> {
  return compileWith(filter, (predicate) => {
    switch (predicate.field) {
      case 'name':
        return stringClause('name', predicate.op, predicate.value)
      case 'tag':
        return keyed('tags', predicate.key, (key) => stringClause(key, predicate.op, predicate.value))
      case 'lacksTag':
        return null // MLflow's grammar has no NOT: left to the gateway
      case 'names':
        return null // what the caller may read: left to the gateway
    }
  })
}

/**
 * `model-versions/search` filters on the model name, run id, source and
 * tags (LIKE only on names and sources); stages, promotion and approval are
 * left to the gateway.
 */
export function compileModelVersionFilter(filter: ModelVersionFilter): CompiledFilter<ModelVersionFilter> {
  return compileWith(filter, modelVersionClause)
}

const VERSION_ATTRIBUTES = { modelName: 'name', runId: 'run_id', source: 'source_path' } as const

/** The longest `run_id IN (...)` sent to MLflow: about 100 run ids, 5 KB once URL-encoded (its server takes 16 KB of request head). */
export const MAX_PUSHED_IN_CHARS = 4000

function modelVersionClause(predicate: ModelVersionPredicate): string | null {
  switch (predicate.field) {
    case 'tag':
      return keyed('tags', predicate.key, (key) => stringClause(key, predicate.op, predicate.value))
    case 'modelName':
    case 'source':
      return stringClause(VERSION_ATTRIBUTES[predicate.field], predicate.op, predicate.value)
    case 'runId':
      return predicate.op === 'EQ' || predicate.op === 'NEQ' ? stringClause('run_id', predicate.op, predicate.value) : null
    case 'runIds': {
      const literals = predicate.values.map(stringLiteral)
      const clause = literals.length === 0 || literals.includes(null) ? null : `run_id IN (${literals.join(', ')})`
      // Longer, it is not pushed (a caller splits the list: federation/links.ts): model-versions/search
      // is a GET, and MLflow's server refused (HTTP 431) the request line of 350 run ids a lineage level asked for.
      return clause !== null && clause.length <= MAX_PUSHED_IN_CHARS ? clause : null
    }
    default:
      return null
  }
}

/** Pushes each predicate MLflow's grammar can say (AND-ed); keeps the rest as the residual. */
function compileWith<P>(filter: { all: P[] }, clauseOf: (predicate: P) => string | null): CompiledFilter<{ all: P[] }> {
  const clauses: string[] = []
  const pushed: P[] = []
  const residual: P[] = []
  for (const predicate of filter.all) {
    const clause = clauseOf(predicate)
    if (clause === null) residual.push(predicate)
    else {
      clauses.push(clause)
      pushed.push(predicate)
    }
  }
  return { text: clauses.join(' AND '), pushed: { all: pushed }, residual: { all: residual } }
}

/** `name IN (...)` for a batch lookup; null when a name holds both quote characters. */
export function nameInClause(names: readonly string[]): string | null {
  const literals = names.map(stringLiteral)
  return literals.includes(null) ? null : `name IN (${literals.join(', ')})`
}

function runClause(predicate: RunPredicate): string | null {
  switch (predicate.field) {
    case 'experimentId':
      return null // MLflow's grammar names no experiment: left to the gateway

    case 'metric':
      return keyed('metrics', predicate.key, (key) => `${key} ${NUMBER_OPERATORS[predicate.op]} ${numberLiteral(predicate.value)}`)
    case 'param':
      return keyed('params', predicate.key, (key) => stringClause(key, predicate.op, predicate.value))
    case 'tag':
      return keyed('tags', predicate.key, (key) => stringClause(key, predicate.op, predicate.value))
    case 'paramPresence':
    case 'tagPresence':
      return keyed(predicate.field === 'paramPresence' ? 'params' : 'tags', predicate.key, (key) => `${key} ${predicate.present ? 'IS NOT NULL' : 'IS NULL'}`)
    case 'startTime':
    case 'endTime':
      return `attributes.${TIME_ATTRIBUTES[predicate.field]} ${NUMBER_OPERATORS[predicate.op]} ${numberLiteral(predicate.value)}`
    default: {
      const attribute = `attributes.${STRING_ATTRIBUTES[predicate.field]}`
      if ('values' in predicate) {
        if (predicate.field === 'runId') {
          const values = predicate.values.map(stringLiteral)
          if (values.length === 0 || values.includes(null)) return null
          return `${attribute} ${predicate.op === 'IN' ? 'IN' : 'NOT IN'} (${values.join(', ')})`
        }
        // Other attributes take no lists: IN of one value is `=`, NOT IN is a run of `!=`.
        if (predicate.op === 'IN' && predicate.values.length === 1) return stringClause(attribute, 'EQ', predicate.values[0])
        if (predicate.op === 'NOT_IN' && predicate.values.length > 0) {
          const parts = predicate.values.map((value) => stringClause(attribute, 'NEQ', value))
          return parts.includes(null) ? null : parts.join(' AND ')
        }
        return null
      }
      if (predicate.field === 'runId' && (predicate.op === 'LIKE' || predicate.op === 'ILIKE')) return null
      return stringClause(attribute, predicate.op, predicate.value)
    }
  }
}

function keyed(entity: string, key: string, clause: (quotedKey: string) => string | null): string | null {
  return key.includes('`') ? null : clause(`${entity}.\`${key}\``)
}

function stringClause(subject: string, op: StringOp, value: string): string | null {
  const literal = stringLiteral(value)
  return literal === null ? null : `${subject} ${STRING_OPERATORS[op]} ${literal}`
}

function stringLiteral(value: string): string | null {
  if (!value.includes("'")) return `'${value}'`
  if (!value.includes('"')) return `"${value}"`
  return null
}

function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new GatewayError('BAD_USER_INPUT', 'filters compare metrics with finite numbers only')
  return String(value)
}

/** `RunOrder` → MLflow's `order_by`. MLflow adds its own final tie-breaker, the run id. */
export function compileRunOrder(orderBy: readonly RunOrder[], backendId: string): string[] {
  return orderBy.map((order) => {
    const direction = order.direction === 'asc' ? 'ASC' : 'DESC'
    switch (order.field) {
      case 'startTime':
        return `attributes.start_time ${direction}`
      case 'endTime':
        return `attributes.end_time ${direction}`
      case 'name':
        return `attributes.run_name ${direction}`
      case 'status':
        return `attributes.status ${direction}`
      case 'metric':
      case 'param':
      case 'tag':
        if (!order.key || order.key.includes('`')) {
          throw new GatewayError('UNSUPPORTED', `backend "${backendId}" cannot order by ${order.field} "${order.key}"`, { backend: backendId })
        }
        return `${order.field}s.\`${order.key}\` ${direction}`
    }
  })
}
