import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { type ExecutionArgs, GraphQLError, type DocumentNode } from 'graphql'
import type { YogaServerInstance } from 'graphql-yoga'
import { useServer } from 'graphql-ws/use/ws'
import { type WebSocket, WebSocketServer } from 'ws'
import type { Limits } from '../config.js'
import type { GatewayContext } from '../context.js'
import { maskError } from './graphql-errors.js'
import type { Authenticator } from '../auth/authenticator.js'
import type { Identity } from '../auth/identity.js'

/** Where the socket's identity rides in yoga's initial context, for the context factory (socketIdentityOf). */
const SOCKET_IDENTITY = Symbol('socket identity')

/** The identity of the graphql-ws socket an operation came over; undefined for one over HTTP. */
export function socketIdentityOf(initialContext: object): Identity | null | undefined {
  return (initialContext as { [SOCKET_IDENTITY]?: Identity | null })[SOCKET_IDENTITY]
}

type EnvelopedRoot = {
  execute: (args: ExecutionArgs) => unknown
  subscribe: (args: ExecutionArgs) => unknown
}

/**
 * Runs an operation through yoga's envelope. A failure before any result (a
 * plugin refusing the variables, say) becomes that operation's coded error:
 * thrown, graphql-ws would close the whole socket.
 */
async function runEnveloped(args: ExecutionArgs, which: keyof EnvelopedRoot): Promise<unknown> {
  try {
    return await (args.rootValue as EnvelopedRoot)[which](args)
  } catch (error) {
    return { errors: [maskError(error)] }
  }
}

/**
 * GraphQL over WebSocket (the graphql-ws protocol) on yoga's endpoint,
 * beside SSE. Operations run through yoga's envelope, so the same context,
 * plugins, limits and error masking apply as over HTTP. A socket is opened
 * only for an allowed Host and Origin (`allows`), a message is at most
 * limits.wsMessageBytes, a socket holds at most
 * limits.subscriptionsPerConnection operations, and a bad operation (a
 * syntax error, say) fails that operation alone: the socket's other
 * subscriptions go on.
 */
export function serveGraphqlWs(
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>,
  server: Server,
  options: { limits: Limits; allows: (request: IncomingMessage) => boolean; authenticator: Authenticator | null },
): { close(): Promise<void> } {
  const { limits } = options
  // Upgrades handed over by hand (noServer): attached to the server, ws would re-emit the
  // server's own errors (a port in use) as its own, and graphql-ws logs those with a stack.
  const webSockets = new WebSocketServer({
    noServer: true,
    path: yoga.graphqlEndpoint,
    maxPayload: limits.wsMessageBytes,
    verifyClient: ({ req }: { req: IncomingMessage }) => options.allows(req),
  })
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!webSockets.shouldHandle(request)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
      return
    }
    webSockets.handleUpgrade(request, socket, head, (webSocket) => webSockets.emit('connection', webSocket, request))
  })
  /** The operations each socket has running, by operation id. */
  const running = new WeakMap<WebSocket, Set<string>>()
  const operationsOf = (socket: WebSocket) => {
    let ids = running.get(socket)
    if (!ids) {
      ids = new Set()
      running.set(socket, ids)
    }
    return ids
  }
  /** Who each socket is from, checked once at connection_init (browsers cannot set headers on a WebSocket). */
  const identities = new WeakMap<WebSocket, Identity>()
  const protocol = useServer(
    {
      onConnect: async (context) => {
        if (!options.authenticator) return true
        const params = context.connectionParams ?? {}
        const given = params.authorization ?? params.Authorization ?? (typeof params.token === 'string' ? `Bearer ${params.token}` : undefined)
        const authorization = typeof given === 'string' ? given : context.extra.request.headers.authorization
        try {
          const identity = await options.authenticator.identify(authorization)
          if (!identity) return false
          identities.set(context.extra.socket, identity)
          return true
        } catch {
          // graphql-ws closes the socket 4403 Forbidden: the credentials are not told apart (as over HTTP).
          return false
        }
      },
      execute: (args) => runEnveloped(args, 'execute') as never,
      subscribe: (args) => runEnveloped(args, 'subscribe') as never,
      onSubscribe: async (context, id, payload) => {
        const operations = operationsOf(context.extra.socket)
        if (operations.size >= limits.subscriptionsPerConnection) {
          return [
            new GraphQLError(`this socket already runs ${operations.size} operations; the limit is ${limits.subscriptionsPerConnection} (limits.subscriptionsPerConnection)`, {
              extensions: { code: 'RATE_LIMITED' },
            }),
          ]
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...context,
          req: context.extra.request,
          socket: context.extra.socket,
          params: payload,
          [SOCKET_IDENTITY]: identities.get(context.extra.socket) ?? null,
        })
        let document: DocumentNode
        try {
          document = parse(payload.query)
        } catch (error) {
          // Returned, not thrown: a thrown error closes the whole socket in graphql-ws.
          return [maskError(error) as GraphQLError]
        }
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        }
        const errors = validate(args.schema, args.document)
        if (errors.length > 0) return errors.map((error: GraphQLError) => maskError(error) as GraphQLError)
        operations.add(id)
        return args
      },
      onComplete: (context, id) => {
        running.get(context.extra.socket)?.delete(id)
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
