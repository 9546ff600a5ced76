import { type GraphQLResolveInfo, responsePathAsArray } from 'graphql'
import type { GatewayContext } from '../context.js'
import type { GatewayError } from '../errors.js'

/**
 * Records the backends that failed while a list still resolved with the
 * others' items, at the list's path; the response then carries one error
 * per failed backend beside the data.
 */
export function reportFailures<T extends { failures: GatewayError[] }>(page: T, context: GatewayContext, info: GraphQLResolveInfo): T {
  for (const error of page.failures) context.partialFailures.push({ error, path: responsePathAsArray(info.path) })
  return page
}
