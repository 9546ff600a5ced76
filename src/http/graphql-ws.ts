import type { Server } from 'node:http'
import type { ExecutionArgs } from 'graphql'
import type { YogaServerInstance } from 'graphql-yoga'
import { useServer } from 'graphql-ws/use/ws'
import { WebSocketServer } from 'ws'
import type { GatewayContext } from '../context.js'

type EnvelopedRoot = {
  execute: (args: ExecutionArgs) => unknown
  subscribe: (args: ExecutionArgs) => unknown
}

/**
 * GraphQL over WebSocket (the graphql-ws protocol) on yoga's endpoint,
 * beside SSE. Operations run through yoga's envelope, so the same context,
 * plugins and error masking apply as over HTTP.
 */
export function serveGraphqlWs(yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>, server: Server): { close(): Promise<void> } {
  const webSockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint })
  const protocol = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onSubscribe: async (context, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...context,
          req: context.extra.request,
          socket: context.extra.socket,
          params: payload,
        })
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName,
          document: parse(payload.query),
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        }
        const errors = validate(args.schema, args.document)
        return errors.length > 0 ? errors : args
      },
    },
    webSockets,
  )
  return {
    close: async () => {
      await protocol.dispose()
      await new Promise<void>((resolve) => webSockets.close(() => resolve()))
    },
  }
}
