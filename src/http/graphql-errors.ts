import { GraphQLError } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { GatewayError } from '../errors.js'

/**
 * Every error a client sees carries `extensions.code`. A GatewayError keeps
 * its message, code and backend. Anything else (a driver error, a bug) is
 * logged here and reaches the client as INTERNAL with a fixed message, so no
 * SQL, stack trace, host or credential ever leaves the process.
 */
export function maskError(error: unknown): Error {
  const graphQLError = error instanceof GraphQLError ? error : undefined
  const original = graphQLError ? (graphQLError.originalError ?? graphQLError) : error
  const location = graphQLError ? { nodes: graphQLError.nodes, path: graphQLError.path } : {}
  if (original instanceof GatewayError) {
    return new GraphQLError(original.message, {
      ...location,
      extensions: { code: original.code, ...(original.backend !== undefined && { backend: original.backend }) },
    })
  }
  if (original instanceof GraphQLError) {
    // GraphQL's own errors (syntax, validation, variable coercion, our scalars): the client's doing.
    return new GraphQLError(original.message, {
      ...location,
      extensions: { ...original.extensions, code: original.extensions.code ?? 'BAD_USER_INPUT' },
    })
  }
  console.error('mlgate: unexpected error while resolving', graphQLError?.path?.join('.') ?? '', original)
  return new GraphQLError('Unexpected error.', { ...location, extensions: { code: 'INTERNAL' } })
}

/**
 * Yoga hands request-level errors (unparsable documents, invalid variables)
 * straight to the response; this plugin gives those a code as well.
 */
export function errorCodesPlugin(): Plugin {
  return {
    onExecutionResult({ result, setResult }) {
      if (!result || !('errors' in result) || !result.errors) return
      if (result.errors.every((error) => error.extensions?.code)) return
      setResult({ ...result, errors: result.errors.map((error) => maskError(error) as GraphQLError) })
    },
  }
}
