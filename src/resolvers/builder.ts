import SchemaBuilder, { type ObjectRef } from '@pothos/core'
import ComplexityPlugin from '@pothos/plugin-complexity'
import { GraphQLError, Kind, getNullableType, isListType } from 'graphql'
import type { GatewayContext } from '../context.js'
import type { MergedEdge } from '../federation/merge.js'
import { type ListPage, PAGE_SIZE } from '../federation/merged-list.js'
import { HISTORY_POINTS } from '../federation/tracking.js'

/** The one schema builder. Every resolver file adds its types and fields to it. */
export const builder = new SchemaBuilder<{
  Context: GatewayContext
  DefaultFieldNullability: false
  Scalars: {
    ID: { Input: string; Output: string }
    DateTime: { Input: Date; Output: Date }
    MetricValue: { Input: number; Output: number }
  }
}>({
  defaultFieldNullability: false,
  plugins: [ComplexityPlugin],
  complexity: {
    // The cost of an operation is estimated from its shape before anything runs (limits.queryCost, queryDepth, queryBreadth).
    limit: (context) => ({ complexity: context.limits.queryCost, depth: context.limits.queryDepth, breadth: context.limits.queryBreadth }),
    // Reads only the arguments named in COST_ARGUMENTS (the cost budget keeps estimates by their values).
    fieldComplexity: (args, _context, field) => {
      // A page costs its size times its selection: `first` (or the default page size) is the multiplier.
      // Each filter clause tests every candidate record (and totalCount counts them all): 500 a clause.
      if (field.args.some((arg) => arg.name === 'first')) {
        return { field: 1 + 500 * filterClausesOf(args), multiplier: typeof args.first === 'number' ? Math.max(0, args.first) : PAGE_SIZE.default }
      }
      // Lookups by a list of ids cost one each.
      if (Array.isArray(args.ids)) return { field: 1, multiplier: args.ids.length }
      // A history costs by the points it may return, a hundred to a unit.
      if (field.name === 'metricHistory') return { field: Math.ceil((typeof args.maxPoints === 'number' ? args.maxPoints : HISTORY_POINTS.default) / 100), multiplier: 1 }
      // A connection's items were counted by its `first`.
      if (field.args.length === 0 && (field.name === 'nodes' || field.name === 'edges')) return { field: 1, multiplier: 1 }
      // Other lists (params, tags, metrics, points) are as long as what is stored: estimated at ten entries.
      if (isListType(getNullableType(field.type))) return { field: 1, multiplier: 10 }
      return { field: 1, multiplier: 1 }
    },
    complexityError: (kind, result) => {
      const [measured, limit, setting] =
        kind === 'Depth' ? [result.depth, result.maxDepth, 'queryDepth'] : kind === 'Breadth' ? [result.breadth, result.maxBreadth, 'queryBreadth'] : [result.complexity, result.maxComplexity, 'queryCost']
      return new GraphQLError(`the operation's ${kind.toLowerCase()} is ${measured}; the limit is ${limit} (limits.${setting})`, { extensions: { code: 'QUERY_TOO_COMPLEX' } })
    },
  },
})

/** The only arguments an operation's estimated cost depends on (fieldComplexity above reads no other). */
export const COST_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'ids', 'filter', 'mlflowFilter', 'maxPoints'])

/** How many clauses a list's filter arguments hold (typed `filter` fields and MLflow's syntax alike), for the cost estimate. */
function filterClausesOf(args: Record<string, unknown>): number {
  const typed = args.filter && typeof args.filter === 'object' ? Object.values(args.filter).filter((value) => value !== null && value !== undefined) : []
  const typedClauses = typed.reduce<number>((sum, value) => sum + (Array.isArray(value) ? value.length : 1), 0)
  const mlflow = typeof args.mlflowFilter === 'string' && args.mlflowFilter.trim() !== '' ? args.mlflowFilter.split(/\band\b/i).length : 0
  return typedClauses + mlflow
}

builder.queryType({})
builder.mutationType({})

const badScalar = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } })

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string in UTC (for example 2026-11-22T10:00:00.000Z).',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN)
    if (typeof value !== 'string' || Number.isNaN(date.getTime())) throw badScalar(`DateTime must be an ISO 8601 string; got ${JSON.stringify(value)}`)
    return date
  },
  parseLiteral: (ast) => {
    const date = ast.kind === Kind.STRING ? new Date(ast.value) : new Date(Number.NaN)
    if (Number.isNaN(date.getTime())) throw badScalar('DateTime must be an ISO 8601 string')
    return date
  },
})

/** MLflow's JSON convention for non-finite floats: the strings "NaN", "Infinity", "-Infinity". */
const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY }

function parseMetricValue(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string' && value in NON_FINITE) return NON_FINITE[value]
  throw badScalar(`MetricValue must be a number or one of "NaN", "Infinity", "-Infinity"; got ${JSON.stringify(value)}`)
}

builder.scalarType('MetricValue', {
  description: 'A metric value: a JSON number, or one of the strings "NaN", "Infinity", "-Infinity".',
  serialize: (value) => (Number.isFinite(value) ? value : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'),
  parseValue: parseMetricValue,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseMetricValue(Number(ast.value))
    if (ast.kind === Kind.STRING) return parseMetricValue(ast.value)
    throw badScalar('MetricValue must be a number or one of "NaN", "Infinity", "-Infinity"')
  },
})

/**
 * A GraphQL enum over source constants: GraphQL spells each in capitals
 * (`startTime` → START_TIME), resolvers and inputs see the constants
 * themselves, so no second list or conversion table exists.
 */
export function enumOfConstants<const V extends string>(name: string, constants: readonly V[], description?: string) {
  return builder.enumType(name, {
    ...(description !== undefined && { description }),
    values: Object.fromEntries(constants.map((value) => [value.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase(), { value }])) as Record<string, { value: V }>,
  })
}

/** How every list's `first` argument is described, from the one page-size rule (federation/merged-list.ts). */
export const FIRST_ARG_DESCRIPTION = `Page size, 0-${PAGE_SIZE.max}; default ${PAGE_SIZE.default}.`

export const PageInfoRef = builder
  .objectRef<{ hasNextPage: boolean; endCursor: string | null; startCursor: string | null }>('PageInfo')
  .implement({
    description: 'Relay page info. Lists page forward only (first/after).',
    fields: (t) => ({
      hasNextPage: t.exposeBoolean('hasNextPage'),
      hasPreviousPage: t.boolean({ resolve: () => false }),
      startCursor: t.exposeString('startCursor', { nullable: true }),
      endCursor: t.exposeString('endCursor', { nullable: true }),
    }),
  })

/** A Relay connection type (and its edge type) over one node type. */
export function connectionOf<T>(name: string, nodeRef: ObjectRef<GatewayTypes, T>) {
  // Pothos cannot check a resolver's result against a generic T; the casts
  // below only say "this is the node type the ref was made for".
  const edgeRef = builder.objectRef<MergedEdge<T>>(`${name}Edge`).implement({
    fields: (t) => ({
      node: t.field({ type: nodeRef, resolve: (edge) => edge.node as never }),
      cursor: t.exposeString('cursor'),
    }),
  })
  return builder.objectRef<ListPage<T>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({ type: [edgeRef], resolve: (page) => page.edges }),
      nodes: t.field({ type: [nodeRef], resolve: (page) => page.edges.map((edge) => edge.node) as never }),
      pageInfo: t.field({
        type: PageInfoRef,
        resolve: (page) => ({
          hasNextPage: page.hasNextPage,
          startCursor: page.edges[0]?.cursor ?? null,
          endCursor: page.edges.at(-1)?.cursor ?? null,
        }),
      }),
      totalCount: t.int({
        nullable: true,
        description: 'Every item the list would page through; null when a backend cannot count cheaply.',
        resolve: (page) => page.totalCount(),
      }),
    }),
  })
}

export type GatewayTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never
