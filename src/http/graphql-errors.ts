import { GraphQLError } from 'graphql'
import { type Plugin, isAsyncIterable } from 'graphql-yoga'
import type { GatewayContext } from '../context.js'
import { type ErrorCode, GatewayError } from '../errors.js'
import { redactSecrets } from '../redact.js'
import { logUnexpected } from '../log.js'
import { currentRequestId } from '../request-scope.js'

/**
 * Every error a client sees carries `extensions.code`. A GatewayError keeps
 * its message, code and backend. Anything else (a driver error, a bug) is
 * logged here and reaches the client as INTERNAL with a fixed message, so no
 * SQL, stack trace, host or credential ever leaves the process.
 */
export function maskError(error: unknown): Error {
  // Match GraphQL errors by shape: graphql-js can be loaded twice (ESM and
  // CommonJS copies), and then `instanceof` fails across the copies.
  const graphQLError = isGraphQLError(error) ? error : undefined
  let original: unknown = error
  while (isGraphQLError(original) && original.originalError) original = original.originalError
  const location = graphQLError ? { nodes: graphQLError.nodes, path: graphQLError.path } : {}
  if (original instanceof GatewayError) {
    const retry = original.retryAfterSeconds
    return new GraphQLError(redactSecrets(original.message), {
      ...location,
      extensions: {
        code: original.code,
        ...(original.backend !== undefined && { backend: original.backend }),
        ...(original.position !== undefined && { position: original.position }),
        ...(retry !== undefined && { retryAfterSeconds: retry, http: { status: 429, headers: { 'retry-after': String(retry) } } }),
      },
    })
  }
  if (isGraphQLError(original)) {
    // GraphQL's own errors (syntax, validation, variable coercion, our scalars): the client's doing.
    return new GraphQLError(original.message, {
      ...location,
      extensions: { ...original.extensions, code: original.extensions?.code ?? 'BAD_USER_INPUT' },
    })
  }
  logUnexpected(`unexpected error while resolving ${graphQLError?.path?.join('.') ?? 'a request'}`, original)
  return new GraphQLError('Unexpected error.', { ...location, extensions: { code: 'INTERNAL' } })
}

function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError || (error instanceof Error && error.name === 'GraphQLError')
}

/**
 * Yoga hands request-level errors (unparsable documents, invalid variables)
 * straight to the response; this plugin gives those a code as well, and
 * every error the request's id (`extensions.requestId`, also its answer's
 * `X-Request-Id` and on its log lines).
 */
export function errorCodesPlugin(): Plugin {
  return {
    onExecutionResult({ result, setResult }) {
      if (!result || !('errors' in result) || !result.errors) return
      const coded = result.errors.every((error) => error.extensions?.code) ? result.errors : result.errors.map((error) => maskError(error) as GraphQLError)
      const requestId = currentRequestId()
      if (requestId === undefined && coded === result.errors) return
      setResult({ ...result, errors: requestId === undefined ? coded : coded.map((error) => withExtensions(error, { requestId })) })
    },
  }
}

function withExtensions(error: GraphQLError, extra: Record<string, unknown>): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions: { ...error.extensions, ...extra } })
}

/**
 * Adds the errors of backends that failed while their lists still resolved
 * (see `resolvers/partial-failures.ts`): the healthy backends' data plus one
 * error per failed backend, with `extensions: { code, backend }`.
 */
export function partialFailuresPlugin(): Plugin<GatewayContext> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const failures = (args.contextValue as GatewayContext).partialFailures
          if (failures.length === 0 || isAsyncIterable(result)) return
          const errors = failures.map(
            ({ error, path }) =>
              new GraphQLError(redactSecrets(error.message), { path, extensions: { code: error.code, ...(error.backend !== undefined && { backend: error.backend }) } }),
          )
          setResult({ ...result, errors: [...(result.errors ?? []), ...errors] })
        },
      }
    },
  }
}

const CODE_OF_STATUS: Record<number, ErrorCode> = { 403: 'FORBIDDEN', 404: 'NOT_FOUND', 429: 'RATE_LIMITED' }

/**
 * Yoga answers some requests itself before any GraphQL runs (405 for a
 * method, 406/415 for a media type), with an empty body. Those answers get
 * the same coded body as every other error, so a client reads
 * `errors[0].extensions.code` whatever went wrong.
 */
export function codedHttpErrorsPlugin(): Plugin {
  return {
    onResponse({ response, setResponse }) {
      if (response.status < 400 || (response.headers.get('content-type') ?? '').match(/json|event-stream/)) return
      const code = CODE_OF_STATUS[response.status] ?? (response.status >= 500 ? 'INTERNAL' : 'BAD_USER_INPUT')
      const headers = new Headers(response.headers)
      headers.set('content-type', 'application/json; charset=utf-8')
      headers.delete('content-length')
      const message = response.statusText || `HTTP ${response.status}`
      setResponse(new Response(JSON.stringify({ errors: [{ message, extensions: { code, requestId: currentRequestId() } }] }), { status: response.status, headers }))
    },
  }
}
