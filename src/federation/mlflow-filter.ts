import { GatewayError } from '../errors.js'
import type {
  ExperimentFilter,
  ExperimentPredicate,
  LacksTagPredicate,
  LoggedModelFilter,
  LoggedModelPredicate,
  ModelVersionFilter,
  ModelVersionPredicate,
  NumberOp,
  RegisteredModelFilter,
  RegisteredModelPredicate,
  RunFilter,
  RunPredicate,
  RunStringAttribute,
  RunTimeAttribute,
  StringOp,
} from '../contract/filter.js'

/**
 * MLflow's search syntax, parsed into the gateway's filter AST. For runs:
 *
 *   metrics.acc > 0.9 and params.lr = '0.01' and tags.`my tag` LIKE 'x%'
 *   attributes.status IN ('FINISHED', 'FAILED') and attributes.start_time >= 1700000000000
 *
 * and the same grammar over the attributes of experiments, registered models
 * and model versions. Clauses are joined by AND (MLflow has no OR). Keys
 * with special characters go in backticks or double quotes; strings in single
 * or double quotes. A syntax error names the offending token and its position.
 * `argument` names the filter's argument in error messages.
 */
export function parseMlflowFilter(text: string, argument = 'mlflowFilter'): RunFilter {
  return { all: new Parser(tokenize(text, argument), argument, runComparison).parse() }
}

/** search_experiments' filter: `name` and `tags.<key>`. */
export function parseMlflowExperimentFilter(text: string, argument: string): ExperimentFilter {
  return { all: new Parser(tokenize(text, argument), argument, namedEntityComparison<ExperimentPredicate>('name')).parse() }
}

/** search_registered_models' filter: `name` and `tags.<key>`. */
export function parseMlflowModelFilter(text: string, argument: string): RegisteredModelFilter {
  return { all: new Parser(tokenize(text, argument), argument, namedEntityComparison<RegisteredModelPredicate>('name')).parse() }
}

/** search_model_versions' filter: `name`, `run_id` (also IN), `source_path` and `tags.<key>`. */
export function parseMlflowVersionFilter(text: string, argument: string): ModelVersionFilter {
  return { all: new Parser(tokenize(text, argument), argument, versionComparison).parse() }
}

/** search_logged_models' filter: `name`, `model_id`, `model_type`, `status`, `source_run_id`, the creation and update times, `tags.<key>`, `params.<key>` and `metrics.<key>`. */
export function parseMlflowLoggedModelFilter(text: string, argument: string): LoggedModelFilter {
  return { all: new Parser(tokenize(text, argument), argument, loggedModelComparison).parse() }
}

/** The tag MLflow marks prompts (kept in its model registry) with. */
export const IS_PROMPT_TAG = 'mlflow.prompt.is_prompt'

/**
 * MLflow's registry searches hide prompts unless the filter asks for them
 * (`tags.\`mlflow.prompt.is_prompt\` = 'true'`, or `!= 'false'`): any other
 * clause on that tag is dropped and prompts are left out. The stock client
 * adds `!= 'true'` to every search, which on its own would need the tag and
 * so match no ordinary model (mlflow/store/model_registry/sqlalchemy_store.py,
 * `_is_querying_prompt` and `_update_query_to_exclude_prompts`).
 */
export function hidingPromptsAsMlflowDoes<P extends RegisteredModelPredicate | ModelVersionPredicate>(filter: { all: P[] }): { all: (P | LacksTagPredicate)[] } {
  const promptClause = filter.all.find((predicate) => predicate.field === 'tag' && predicate.key === IS_PROMPT_TAG)
  if (promptClause && promptClause.field === 'tag') {
    const value = promptClause.value.toLowerCase()
    const queryingPrompts = (promptClause.op === 'EQ' && value === 'true') || (promptClause.op === 'NEQ' && value === 'false')
    if (queryingPrompts) return filter
  }
  return {
    all: [
      ...filter.all.filter((predicate) => !(predicate.field === 'tag' && predicate.key === IS_PROMPT_TAG)),
      { field: 'lacksTag', key: IS_PROMPT_TAG, value: 'true' },
    ],
  }
}

type TokenKind = 'identifier' | 'quotedKey' | 'string' | 'number' | 'operator' | 'keyword' | 'lparen' | 'rparen' | 'comma' | 'dot' | 'end'

interface Token {
  kind: TokenKind
  text: string
  /** The token's value: the unquoted string, or the keyword/operator upper-cased. */
  value: string
  position: number
}

const KEYWORDS = new Set(['AND', 'OR', 'LIKE', 'ILIKE', 'IN', 'NOT', 'IS', 'NULL'])

function tokenize(text: string, argument: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const char = text[i]
    if (/\s/.test(char)) {
      i += 1
      continue
    }
    const start = i
    if (char === "'" || char === '"' || char === '`') {
      // Quotes are escaped by doubling them, as in SQL, or with a backslash.
      let value = ''
      i += 1
      for (;;) {
        if (i >= text.length) throw syntaxError(argument, `unterminated quote ${char}`, start)
        if (text[i] === '\\' && i + 1 < text.length) {
          value += text[i + 1]
          i += 2
        } else if (text[i] === char && text[i + 1] === char) {
          value += char
          i += 2
        } else if (text[i] === char) {
          i += 1
          break
        } else {
          value += text[i]
          i += 1
        }
      }
      // A double-quoted token is a key after a dot, a string anywhere else (MLflow accepts both).
      const kind = char === '`' ? 'quotedKey' : char === '"' && tokens.at(-1)?.kind === 'dot' ? 'quotedKey' : 'string'
      tokens.push({ kind, text: text.slice(start, i), value, position: start })
      continue
    }
    const operator = /^(<=|>=|!=|<>|=|<|>)/.exec(text.slice(i))
    if (operator) {
      tokens.push({ kind: 'operator', text: operator[0], value: operator[0] === '<>' ? '!=' : operator[0], position: start })
      i += operator[0].length
      continue
    }
    const number = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i))
    if (number && !/[A-Za-z_]/.test(text[i + number[0].length] ?? '')) {
      tokens.push({ kind: 'number', text: number[0], value: number[0], position: start })
      i += number[0].length
      continue
    }
    const single = { '(': 'lparen', ')': 'rparen', ',': 'comma', '.': 'dot' } as const
    if (char in single) {
      tokens.push({ kind: single[char as keyof typeof single], text: char, value: char, position: start })
      i += 1
      continue
    }
    const word = /^[A-Za-z_][\w\-/]*/.exec(text.slice(i))
    if (word) {
      const upper = word[0].toUpperCase()
      tokens.push({ kind: KEYWORDS.has(upper) ? 'keyword' : 'identifier', text: word[0], value: KEYWORDS.has(upper) ? upper : word[0], position: start })
      i += word[0].length
      continue
    }
    throw syntaxError(argument, `unexpected character "${char}"`, start)
  }
  tokens.push({ kind: 'end', text: 'end of input', value: '', position: text.length })
  return tokens
}

const ENTITY_PREFIXES: Record<string, 'metric' | 'param' | 'tag' | 'attribute'> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
}

const STRING_ATTRIBUTES: Record<string, RunStringAttribute> = {
  status: 'status',
  run_name: 'name',
  run_id: 'runId',
  artifact_uri: 'artifactUri',
}

const TIME_ATTRIBUTES: Record<string, RunTimeAttribute> = {
  start_time: 'startTime',
  created: 'startTime',
  end_time: 'endTime',
}

const NUMBER_OPERATORS: Record<string, NumberOp> = { '=': 'EQ', '!=': 'NEQ', '>': 'GT', '>=': 'GTE', '<': 'LT', '<=': 'LTE' }
const STRING_OPERATORS: Record<string, StringOp> = { '=': 'EQ', '!=': 'NEQ', LIKE: 'LIKE', ILIKE: 'ILIKE' }

interface Clause {
  entity: 'metric' | 'param' | 'tag' | 'attribute'
  key: string
  keyToken: Token
  operator: Token
}

class Parser<P> {
  private index = 0

  constructor(
    private readonly tokens: Token[],
    private readonly argument: string,
    /** Turns one clause into a predicate, reading its value through the parser. */
    private readonly comparison: (clause: Clause, parser: Parser<P>) => P,
  ) {}

  parse(): P[] {
    const all: P[] = []
    if (this.peek().kind === 'end') return all
    for (;;) {
      const { entity, key, keyToken } = this.identifier()
      all.push(this.comparison({ entity, key, keyToken, operator: this.operator() }, this))
      const next = this.next()
      if (next.kind === 'end') return all
      if (next.kind === 'keyword' && next.value === 'AND') continue
      if (next.kind === 'keyword' && next.value === 'OR') throw this.error(next, 'OR is not supported by MLflow search syntax; combine clauses with AND')
      throw this.error(next, 'expected AND or the end of the filter')
    }
  }

  /** `metrics.acc`, `tags.\`a b\``, `params."x.y"`, or a bare attribute like `status`. */
  private identifier(): { entity: 'metric' | 'param' | 'tag' | 'attribute'; key: string; keyToken: Token } {
    const head = this.next()
    if (head.kind !== 'identifier' && head.kind !== 'quotedKey') throw this.error(head, 'expected a key such as metrics.<name>, params.<name>, tags.<name> or attributes.<name>')
    if (this.peek().kind !== 'dot') return { entity: 'attribute', key: head.value, keyToken: head }
    const entity = ENTITY_PREFIXES[head.value.toLowerCase()]
    if (head.kind !== 'identifier' || !entity) throw this.error(head, 'expected metrics, params, tags or attributes before "."')
    this.next()
    const keyToken = this.next()
    if (keyToken.kind === 'quotedKey' || keyToken.kind === 'string') return { entity, key: keyToken.value, keyToken }
    if (keyToken.kind !== 'identifier' && keyToken.kind !== 'number') throw this.error(keyToken, 'expected a key name')
    // Unquoted keys may contain dots (tags.mlflow.user): join the pieces up to the operator.
    let key = keyToken.text
    while (this.peek().kind === 'dot' && ['identifier', 'number'].includes(this.tokens[this.index + 1]?.kind ?? '')) {
      this.next()
      key += `.${this.next().text}`
    }
    return { entity, key, keyToken }
  }

  private operator(): Token {
    const token = this.next()
    if (token.kind === 'operator') return token
    if (token.kind === 'keyword' && ['LIKE', 'ILIKE', 'IN'].includes(token.value)) return token
    if (token.kind === 'keyword' && token.value === 'NOT' && this.peek().kind === 'keyword' && this.peek().value === 'IN') {
      this.next()
      return { ...token, value: 'NOT IN' }
    }
    if (token.kind === 'keyword' && token.value === 'IS') {
      const negated = this.peek().kind === 'keyword' && this.peek().value === 'NOT'
      if (negated) this.next()
      const nullToken = this.next()
      if (nullToken.kind !== 'keyword' || nullToken.value !== 'NULL') throw this.error(nullToken, `expected NULL after IS${negated ? ' NOT' : ''}`)
      return { ...token, text: negated ? 'IS NOT NULL' : 'IS NULL', value: negated ? 'IS NOT NULL' : 'IS NULL' }
    }
    throw this.error(token, 'expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL, IS NOT NULL)')
  }

  numberOperator(operator: Token, what: string): NumberOp {
    const op = NUMBER_OPERATORS[operator.value]
    if (!op) throw this.error(operator, `operator ${operator.text} does not apply to ${what}; use =, !=, <, <=, > or >=`)
    return op
  }

  stringOperator(operator: Token, what: string): StringOp {
    const op = STRING_OPERATORS[operator.value]
    if (!op) throw this.error(operator, `operator ${operator.text} does not apply to ${what}; use =, !=, LIKE or ILIKE`)
    return op
  }

  /** `mlflowWording`: what MLflow's parser says when the value is not a number (the MLflow API answers with it). */
  numberValue(mlflowWording?: (found: string) => string): number {
    const token = this.next()
    if (token.kind !== 'number') throw this.error(token, 'expected a number', mlflowWording?.(token.text))
    return Number(token.value)
  }

  /** Epoch milliseconds: an integer a timestamp column can hold (what PostgreSQL's int8 and JavaScript both represent exactly). */
  timeValue(what: string): number {
    const token = this.peek()
    const value = this.numberValue((found) => `Expected numeric value type for numeric attribute: ${what}. Found ${found}`)
    if (!Number.isSafeInteger(value)) throw this.error(token, `${what} must be an integer number of milliseconds since the epoch, at most ${Number.MAX_SAFE_INTEGER}`)
    return value
  }

  /** `mlflowWording`: what MLflow's parser says when the value is not a quoted string. */
  stringValue(mlflowWording?: (found: Token) => string): string {
    const token = this.next()
    if (token.kind !== 'string') throw this.error(token, "expected a quoted string such as 'value'", mlflowWording?.(token))
    return token.value
  }

  stringList(): string[] {
    const open = this.next()
    if (open.kind !== 'lparen') throw this.error(open, "expected ( to start a list such as ('a', 'b')")
    const values: string[] = []
    for (;;) {
      values.push(this.stringValue())
      const next = this.next()
      if (next.kind === 'rparen') return values
      if (next.kind !== 'comma') throw this.error(next, 'expected , or )')
    }
  }

  private peek(): Token {
    return this.tokens[this.index]
  }

  private next(): Token {
    const token = this.tokens[this.index]
    if (token.kind !== 'end') this.index += 1
    return token
  }

  error(token: Token, expectation: string, mlflowMessage?: string): FilterSyntaxError {
    const shown = token.kind === 'end' ? 'end of input' : `"${token.text}"`
    return syntaxError(this.argument, `${expectation}; found ${shown}`, token.position, mlflowMessage)
  }
}

/**
 * A filter the parser refused: the message names the problem and its
 * position; `mlflowMessage`, where set, is what MLflow's SearchUtils says
 * for the same mistake (the MLflow API answers with it, so scripts that
 * match MLflow's messages keep working). Unset where MLflow's message is
 * not stable: several of its messages print a Python set, whose order
 * changes from process to process.
 */
export class FilterSyntaxError extends GatewayError {
  constructor(
    message: string,
    readonly mlflowMessage: string | undefined,
    position: number,
  ) {
    super('BAD_USER_INPUT', message, { position })
  }
}

function syntaxError(argument: string, message: string, position: number, mlflowMessage?: string): FilterSyntaxError {
  return new FilterSyntaxError(`${argument}: ${message} at position ${position}`, mlflowMessage, position)
}

/** MLflow's name for an entity in its messages (SearchUtils' identifiers). */
const MLFLOW_ENTITY_NAMES = { metric: 'metric', param: 'parameter', tag: 'tag', attribute: 'attribute' } as const

function runComparison({ entity, key, keyToken, operator }: Clause, parser: Parser<RunPredicate>): RunPredicate {
  if (entity === 'metric' && operator.value !== 'IS NULL' && operator.value !== 'IS NOT NULL') {
    return { field: 'metric', key, op: parser.numberOperator(operator, 'metrics'), value: parser.numberValue((found) => `Expected numeric value type for metric. Found ${found}`) }
  }
  if (entity === 'param' || entity === 'tag') {
    if (operator.value === 'IS NULL' || operator.value === 'IS NOT NULL') {
      return { field: entity === 'param' ? 'paramPresence' : 'tagPresence', key, present: operator.value === 'IS NOT NULL' }
    }
    const op = parser.stringOperator(operator, `${entity}s`)
    const value = parser.stringValue((found) =>
      found.kind === 'identifier'
        ? `Parameter value is either not quoted or unidentified quote types used for string value ${found.text}. Use either single or double quotes.`
        : `Expected a quoted string value for ${MLFLOW_ENTITY_NAMES[entity]} (e.g. 'my-value'). Got value ${found.text}`,
    )
    return { field: entity, key, op, value }
  }
  if (operator.value === 'IS NULL' || operator.value === 'IS NOT NULL') {
    throw parser.error(
      operator,
      'IS NULL / IS NOT NULL is only supported for tags and params',
      `IS NULL / IS NOT NULL is only supported for tags and params, not for '${MLFLOW_ENTITY_NAMES[entity]}' '${key}'`,
    )
  }
  const attribute = key.toLowerCase()
  if (attribute in TIME_ATTRIBUTES) {
    return { field: TIME_ATTRIBUTES[attribute], op: parser.numberOperator(operator, attribute), value: parser.timeValue(attribute) }
  }
  if (attribute in STRING_ATTRIBUTES) {
    const field = STRING_ATTRIBUTES[attribute]
    if (operator.value === 'IN' || operator.value === 'NOT IN') {
      return { field, op: operator.value === 'IN' ? 'IN' : 'NOT_IN', values: parser.stringList() }
    }
    const op = parser.stringOperator(operator, attribute)
    return { field, op, value: parser.stringValue((found) => `Expected a quoted string value for attributes. Got value ${found.text}`) }
  }
  throw parser.error(
    keyToken,
    `unknown attribute "${key}"; expected one of ${[...Object.keys(STRING_ATTRIBUTES), ...Object.keys(TIME_ATTRIBUTES)].join(', ')}`,
  )
}

/** Entities with a name and tags (experiments, registered models). */
function namedEntityComparison<P extends ExperimentPredicate | RegisteredModelPredicate>(nameAttribute: string) {
  return ({ entity, key, keyToken, operator }: Clause, parser: Parser<P>): P => {
    if (entity === 'tag') return { field: 'tag', key, op: parser.stringOperator(operator, 'tags'), value: parser.stringValue() } as P
    if (entity === 'attribute' && key.toLowerCase() === nameAttribute) {
      return { field: 'name', op: parser.stringOperator(operator, key), value: parser.stringValue() } as P
    }
    throw parser.error(keyToken, `unsupported key "${key}"; expected ${nameAttribute} or tags.<key>`)
  }
}

const LOGGED_MODEL_STRING_ATTRIBUTES = { name: 'name', model_id: 'modelId', model_type: 'modelType', status: 'status', source_run_id: 'sourceRunId' } as const
const LOGGED_MODEL_TIME_ATTRIBUTES = { creation_timestamp: 'createdAt', creation_time: 'createdAt', last_updated_timestamp: 'updatedAt', last_updated_time: 'updatedAt' } as const

function loggedModelComparison({ entity, key, keyToken, operator }: Clause, parser: Parser<LoggedModelPredicate>): LoggedModelPredicate {
  if (entity === 'tag' || entity === 'param') return { field: entity, key, op: parser.stringOperator(operator, `${entity}s`), value: parser.stringValue() }
  if (entity === 'metric') return { field: 'metric', key, op: parser.numberOperator(operator, 'metrics'), value: parser.numberValue() }
  const attribute = key.toLowerCase()
  if (entity === 'attribute' && attribute in LOGGED_MODEL_STRING_ATTRIBUTES) {
    return { field: LOGGED_MODEL_STRING_ATTRIBUTES[attribute as keyof typeof LOGGED_MODEL_STRING_ATTRIBUTES], op: parser.stringOperator(operator, key), value: parser.stringValue() }
  }
  if (entity === 'attribute' && attribute in LOGGED_MODEL_TIME_ATTRIBUTES) {
    return { field: LOGGED_MODEL_TIME_ATTRIBUTES[attribute as keyof typeof LOGGED_MODEL_TIME_ATTRIBUTES], op: parser.numberOperator(operator, attribute), value: parser.timeValue(attribute) }
  }
  throw parser.error(
    keyToken,
    `unsupported key "${key}"; expected ${[...Object.keys(LOGGED_MODEL_STRING_ATTRIBUTES), ...Object.keys(LOGGED_MODEL_TIME_ATTRIBUTES)].join(', ')}, tags.<key>, params.<key> or metrics.<key>`,
  )
}

const VERSION_ATTRIBUTES: Record<string, 'modelName' | 'runId' | 'source'> = { name: 'modelName', run_id: 'runId', source_path: 'source' }

function versionComparison({ entity, key, keyToken, operator }: Clause, parser: Parser<ModelVersionPredicate>): ModelVersionPredicate {
  if (entity === 'tag') return { field: 'tag', key, op: parser.stringOperator(operator, 'tags'), value: parser.stringValue() }
  const field = entity === 'attribute' ? VERSION_ATTRIBUTES[key.toLowerCase()] : undefined
  if (!field) throw parser.error(keyToken, `unsupported key "${key}"; expected ${Object.keys(VERSION_ATTRIBUTES).join(', ')} or tags.<key>`)
  if (field === 'runId' && operator.value === 'IN') return { field: 'runIds', values: parser.stringList() }
  return { field, op: parser.stringOperator(operator, key), value: parser.stringValue() }
}
