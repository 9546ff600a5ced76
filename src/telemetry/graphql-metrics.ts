import { type GraphQLError, getOperationAST } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { GatewayError } from '../errors.js'
import type { GatewayMetrics } from './metrics.js'

/**
 * Times every GraphQL operation for /metrics: by operation name, type and
 * outcome ("ok", or the first error's code). A subscription counts its
 * set-up as one operation, and is counted open until its stream ends.
 */
export function graphqlMetricsPlugin(metrics: GatewayMetrics): Plugin {
  return {
    onExecute({ args }) {
      const started = performance.now()
      const operation = getOperationAST(args.document, args.operationName)
      return {
        onExecuteDone({ result }) {
          const errors = 'errors' in result ? result.errors : undefined
          metrics.graphqlOperation(operation?.name?.value, operation?.operation ?? 'query', (performance.now() - started) / 1000, outcomeOfErrors(errors))
        },
      }
    },
    onSubscribe({ args }) {
      const started = performance.now()
      const operation = getOperationAST(args.document, args.operationName)
      return {
        onSubscribeResult({ result }) {
          const errors = 'errors' in result ? result.errors : undefined
          metrics.graphqlOperation(operation?.name?.value, 'subscription', (performance.now() - started) / 1000, outcomeOfErrors(errors))
          if (errors?.length) return
          const closed = metrics.subscriptionOpened()
          return { onEnd: closed }
        },
        onSubscribeError() {
          metrics.graphqlOperation(operation?.name?.value, 'subscription', (performance.now() - started) / 1000, 'INTERNAL')
        },
      }
    },
  }
}

/** The first error's code, as the client will see it: a coded error's own, GraphQL's own errors BAD_USER_INPUT, anything else INTERNAL. */
function outcomeOfErrors(errors: readonly GraphQLError[] | undefined): string {
  const first = errors?.[0]
  if (!first) return 'ok'
  if (first.originalError instanceof GatewayError) return first.originalError.code
  if (typeof first.extensions?.code === 'string') return first.extensions.code
  return first.originalError ? 'INTERNAL' : 'BAD_USER_INPUT'
}
