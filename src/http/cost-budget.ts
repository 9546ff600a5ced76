import { complexityFromQuery } from '@pothos/plugin-complexity'
import { type ASTNode, type DocumentNode, type ExecutionArgs, GraphQLError, Kind, type OperationDefinitionNode, visit } from 'graphql'
import { COST_ARGUMENTS } from '../resolvers/builder.js'
import type { Plugin } from 'graphql-yoga'
import { RateLimiterMemory } from 'rate-limiter-flexible'
import type { Limits } from '../config.js'
import type { GatewayContext } from '../context.js'
import { runAsHeavyWork } from '../request-scope.js'
import { lightWorkStarted } from '../work-priority.js'
import { HeavyLane } from './heavy-lane.js'
import type { Identity } from '../auth/identity.js'

/**
 * How much GraphQL work one client (a signed-in user, else an address; clientKeyOf) may ask for: the estimated cost
 * of its operations (the same estimate the per-query limit uses) is charged
 * to a budget of limits.queryCostPerClientPerMinute (or its role's, auth.roleLimits), kept in windows of
 * ten seconds (rate-limiter-flexible) so a client cannot spend a minute's
 * budget in one burst. An operation is admitted while the client's window
 * has budget left, and charged in full (a window may go into debt by one
 * operation, so a single query at the cost limit always runs); an exhausted
 * client is refused RATE_LIMITED, with the seconds until its window resets,
 * at once and before its next body is even read (`standing`, in server.ts).
 *
 * The per-query limits bound the damage of one request; this bounds the
 * damage of one client, so ten clients at their limits leave the gateway
 * and its database to everyone else.
 */
export class CostBudget {
  /** One limiter per budget size: the general one, and each role's (auth.roleLimits) a caller spends. */
  private readonly limiters = new Map<number, { limiter: RateLimiterMemory; perWindow: number }>()

  /**
   * Where `client` stands in its current window of a `perMinute` budget: the
   * seconds until it may spend again (0 when it may now), and the share of
   * the window it has spent.
   */
  async standing(client: string, perMinute: number): Promise<{ waitSeconds: number; spentShare: number }> {
    const { limiter, perWindow } = this.limiterFor(perMinute)
    const spent = await limiter.get(client)
    if (!spent) return { waitSeconds: 0, spentShare: 0 }
    const spentShare = spent.consumedPoints / perWindow
    return { waitSeconds: spentShare >= 1 ? Math.max(1, Math.ceil(spent.msBeforeNext / 1000)) : 0, spentShare }
  }

  async charge(client: string, cost: number, perMinute: number): Promise<void> {
    if (cost > 0) await this.limiterFor(perMinute).limiter.penalty(client, cost)
  }

  private limiterFor(perMinute: number): { limiter: RateLimiterMemory; perWindow: number } {
    let entry = this.limiters.get(perMinute)
    if (!entry) {
      const perWindow = Math.max(1, Math.ceil(perMinute / 6))
      entry = { limiter: new RateLimiterMemory({ points: perWindow, duration: 10 }), perWindow }
      this.limiters.set(perMinute, entry)
    }
    return entry
  }
}

/** The client address of operations that come through no socket. */
export const IN_PROCESS_CLIENT = 'in-process'

/**
 * Whose budget a request spends: the signed-in user's (wherever they call
 * from), or, when no one signed in, the client address's.
 */
export function clientKeyOf(identity: Identity | null, address: string): string {
  return identity ? `user:${identity.username}` : `address:${address}`
}

/** A RATE_LIMITED refusal: the seconds to wait in `extensions.retryAfterSeconds` and, over HTTP, a 429 with Retry-After. */
export function rateLimited(
  retryAfterSeconds: number,
  why = 'this client has used its query budget (limits.queryCostPerClientPerMinute)',
): GraphQLError {
  return new GraphQLError(`${why}; retry in ${retryAfterSeconds} s`, {
    extensions: { code: 'RATE_LIMITED', retryAfterSeconds, http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } } },
  })
}

/**
 * Charges each operation's estimated cost to its client's budget, refusing
 * clients that have none left, and sorts work into light and heavy. An
 * operation is heavy when it costs at least limits.heavyQueryCost, or when
 * its client has already spent half its window. Heavy operations run in the
 * heavy lane (heavy-lane.ts: one at a time, for a bounded share of the time,
 * refusing RATE_LIMITED when the wait would be long) and their statements yield to light
 * work's (work-priority.ts); light operations run at once. Operations share
 * the event loop (and, on PGlite, the database) by turns, so without this
 * ten clients' heavy queries would each take a tenth of every light one's
 * time; with it, a light request waits for at most one heavy statement.
 */
export function costBudgetPlugin(budget: CostBudget, limits: Pick<Limits, 'queryCost' | 'heavyQueryCost' | 'heavyQueryShare' | 'heavyQueryWaitMs'>): Plugin {
  const heavyLane = new HeavyLane(limits.heavyQueryShare, limits.heavyQueryWaitMs)
  type Admission = 'refused' | 'unbudgeted' | 'light' | 'heavy'
  const admit = async (args: ExecutionArgs, stop: (errors: GraphQLError[]) => void): Promise<Admission> => {
    const context = args.contextValue as GatewayContext
    // In-process callers (the embedding application, yoga.fetch) are not network clients.
    if (context.clientAddress === IN_PROCESS_CLIENT) return 'unbudgeted'
    const client = clientKeyOf(context.identity, context.clientAddress)
    const { queryCostPerMinute } = await context.allowance()
    const { waitSeconds, spentShare } = await budget.standing(client, queryCostPerMinute)
    if (waitSeconds > 0) {
      stop([rateLimited(waitSeconds)])
      return 'refused'
    }
    const cost = operationCost(args, context)
    // Past the per-query limit the operation is refused (QUERY_TOO_COMPLEX) before it runs: nothing to charge.
    if (cost > limits.queryCost) {
      await budget.charge(client, 1, queryCostPerMinute)
      return 'unbudgeted'
    }
    await budget.charge(client, cost, queryCostPerMinute)
    return cost >= limits.heavyQueryCost || spentShare >= 0.5 ? 'heavy' : 'light'
  }
  return {
    onExecute: async ({ args, executeFn, setExecuteFn, setResultAndStopExecution }) => {
      const admission = await admit(args, (errors) => setResultAndStopExecution({ errors }))
      if (admission === 'light') {
        setExecuteFn(async (executionArgs) => {
          const ended = lightWorkStarted()
          try {
            return await executeFn(executionArgs)
          } finally {
            ended()
          }
        })
      }
      if (admission !== 'heavy') return
      setExecuteFn(async (executionArgs) => {
        // The turn is taken only when the operation runs: a turn taken earlier would be held forever by one stopped in between.
        const turn = heavyLane.enter()
        if (!turn) return { errors: [rateLimited(1, 'the gateway is busy with heavy queries (limits.heavyQueryCost, heavyQueryWaitMs)')] }
        const release = await turn
        try {
          return await runAsHeavyWork(() => executeFn(executionArgs))
        } finally {
          release()
        }
      })
    },
    // A subscription's events are light one by one; only its start is charged.
    onSubscribe: async ({ args, setResultAndStopExecution }) => {
      await admit(args, (errors) => setResultAndStopExecution({ errors }))
    },
  }
}

/**
 * The estimated cost of the operation that runs (not merely the document's
 * first), as the complexity plugin counts it. The estimate depends only on
 * the document and the values of the variables its cost arguments
 * (COST_ARGUMENTS) take, so it is kept per document under those values: a
 * training loop's write sends one document a thousand times with a thousand
 * points in other variables, and estimating it afresh coerced all of them a
 * second time (execution coerces them too), 1.2 ms of each 1,000-point batch.
 */
function operationCost(args: ExecutionArgs, context: GatewayContext): number {
  const operations = args.document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION)
  const selected = args.operationName ? operations.find((operation) => operation.name?.value === args.operationName) : operations[0]
  if (!selected) return 0
  const variables = (args.variableValues ?? {}) as Record<string, unknown>
  let known = estimates.get(selected)
  if (!known) estimates.set(selected, (known = { costVariables: costVariablesOf(args.document, selected), costs: new Map() }))
  const key = JSON.stringify(known.costVariables.map((name) => variables[name] ?? null))
  const kept = known.costs.get(key)
  if (kept !== undefined) return kept
  const document: DocumentNode = {
    ...args.document,
    definitions: args.document.definitions.filter((definition) => definition === selected || definition.kind === Kind.FRAGMENT_DEFINITION),
  }
  let cost: number
  try {
    cost = complexityFromQuery(document, { schema: args.schema, ctx: context, variables }).complexity
  } catch {
    // Variables that do not coerce: execution refuses them, at no cost worth charging (and nothing kept).
    return 0
  }
  // Bounded: a client varying `first` (or sending long filters) cannot grow it without end.
  if (key.length > ESTIMATE_KEY_CHARS) return cost
  if (known.costs.size >= ESTIMATES_PER_DOCUMENT) known.costs.delete(known.costs.keys().next().value as string)
  known.costs.set(key, cost)
  return cost
}

const ESTIMATES_PER_DOCUMENT = 100
const ESTIMATE_KEY_CHARS = 2000

/** Estimates per operation node: yoga's parser cache hands the same document object to every request of one query text. */
const estimates = new WeakMap<OperationDefinitionNode, { costVariables: string[]; costs: Map<string, number> }>()

/**
 * The variables that reach a cost argument, in the operation or the
 * document's fragments (all of them, used or not: naming a variable too many
 * only makes the key longer).
 */
function costVariablesOf(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  const names = new Set<string>()
  const collect = (node: ASTNode) =>
    visit(node, {
      Argument(argument) {
        if (!COST_ARGUMENTS.has(argument.name.value)) return false
        visit(argument.value, { Variable: (variable) => void names.add(variable.name.value) })
        return false
      },
    })
  collect(operation)
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) collect(definition)
  return [...names].sort()
}
