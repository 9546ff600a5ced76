import { getOperationAST } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { GatewayTracing } from './tracing.js'

/**
 * A span per GraphQL operation (`query Runs`, `mutation LogMetrics`),
 * active while it executes, so each backend call it makes nests under it.
 */
export function graphqlTracingPlugin(tracing: GatewayTracing): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName)
      const type = operation?.operation ?? 'query'
      const name = operation?.name?.value ?? 'anonymous'
      setExecuteFn((executeArgs) =>
        tracing.inSpan(`${type} ${name.slice(0, 64)}`, { 'graphql.operation.type': type, 'graphql.operation.name': name.slice(0, 64) }, async (span) => {
          const result = await executeFn(executeArgs)
          const errors = 'errors' in result ? result.errors : undefined
          if (errors?.length) span.setAttribute('mlgate.errors', errors.length)
          return result
        }),
      )
    },
  }
}
