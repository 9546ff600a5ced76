import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createYoga } from 'graphql-yoga'
import { createBackend } from './adapters/registry.js'
import type { GatewayConfig } from './config.js'
import { type GatewayContext, createContext } from './context.js'
import { withCircuitBreaker } from './federation/circuit-breaker.js'
import { BackendRegistry, type GuardedBackend } from './federation/registry.js'
import { errorCodesPlugin, maskError, partialFailuresPlugin } from './http/graphql-errors.js'
import { handleHealthRoutes } from './http/health.js'
import { serveGraphqlWs } from './http/graphql-ws.js'
import { sharedSubscriptionEventsPlugin } from './http/shared-subscription-events.js'
import { sseResultsPlugin } from './http/sse-results.js'
import { type MlflowApi, createMlflowApi } from './mlflow-api/index.js'
import { schema } from './resolvers/index.js'

export interface Gateway {
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, GatewayContext>>
  server: Server
  registry: BackendRegistry
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number>
  /** Stops accepting, lets in-flight requests finish (bounded), closes every backend. Idempotent. */
  close(): Promise<void>
}

/** Connects every backend (migrating the native ones), then builds the GraphQL and HTTP layers. */
export async function createGateway(config: GatewayConfig): Promise<Gateway> {
  const backends: GuardedBackend[] = []
  try {
    for (const backendConfig of config.backends) {
      backends.push(withCircuitBreaker(await createBackend(backendConfig), backendConfig.circuitBreaker))
    }
  } catch (error) {
    await Promise.allSettled(backends.map((backend) => backend.close()))
    throw error
  }
  const registry = new BackendRegistry(backends)
  const shutdown = new AbortController()

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'mlgate' },
    // Subscriptions end when their client leaves (the request's signal) or the gateway shuts down.
    context: ({ request }) => createContext(registry, request?.signal ? [shutdown.signal, request.signal] : [shutdown.signal]),
    maskedErrors: { maskError },
    // maskError logs what is unexpected; client mistakes are not the operator's problem.
    logging: false,
    plugins: [partialFailuresPlugin(), errorCodesPlugin(), sharedSubscriptionEventsPlugin(), sseResultsPlugin()],
  })

  const mlflowApi = mlflowApiFor(config, registry)
  const server = createServer(async (request, response) => {
    if (await handleHealthRoutes(request, response, registry)) return
    if (mlflowApi && (await mlflowApi.handle(request, response))) return
    await yoga(request, response)
  })
  const webSockets = serveGraphqlWs(yoga, server)

  let closing: Promise<void> | null = null
  const close = () =>
    (closing ??= (async () => {
      // Subscriptions end first: their clients get a clean completion, not a cut connection.
      shutdown.abort()
      // Let the completions of the ended subscriptions reach the sockets before they close.
      await new Promise((resolve) => setTimeout(resolve, 50))
      await webSockets.close()
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          server.closeAllConnections()
          resolve()
        }, config.server.shutdownTimeoutMs)
      })
      await Promise.race([server.listening ? stopped : Promise.resolve(), deadline])
      clearTimeout(timer)
      await registry.closeAll()
    })())

  return {
    yoga,
    server,
    registry,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          resolve((server.address() as AddressInfo).port)
        })
      }),
    close,
  }
}

/** The MLflow API over the configured backend, or the first native one; none when disabled or there is no such backend. */
function mlflowApiFor(config: GatewayConfig, registry: BackendRegistry): MlflowApi | null {
  if (!config.mlflowApi.enabled) return null
  const backend = config.mlflowApi.backend ? registry.get(config.mlflowApi.backend) : registry.all.find((candidate) => candidate.kind === 'native')
  return backend ? createMlflowApi({ backend, artifactsDir: config.mlflowApi.artifactsDir }) : null
}
