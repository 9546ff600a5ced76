import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention'
import { createYoga } from 'graphql-yoga'
import { createBackend } from './adapters/create-backend.js'
import type { GatewayConfig } from './config.js'
import { type GatewayContext, createContext } from './context.js'
import { withCircuitBreaker } from './federation/circuit-breaker.js'
import { Backends, type GuardedBackend } from './federation/backends.js'
import { codedHttpErrorsPlugin, errorCodesPlugin, maskError, partialFailuresPlugin } from './http/graphql-errors.js'
import { CostBudget, IN_PROCESS_CLIENT, clientKeyOf, costBudgetPlugin, rateLimited } from './http/cost-budget.js'
import { crossSitePolicy, crossSiteRefusal } from './http/cross-site.js'
import { graphqlLimitPlugins } from './http/graphql-limits.js'
import { handleHealthRoutes } from './http/health.js'
import { readJsonBody } from './http/json-body.js'
import { graphqlBodyRefusal, sendCodedError } from './http/coded-answers.js'
import { serveGraphqlWs, socketIdentityOf } from './http/graphql-ws.js'
import { sharedSubscriptionEventsPlugin } from './http/shared-subscription-events.js'
import { sseResultsPlugin } from './http/sse-results.js'
import { type MlflowApi, createMlflowApi, isMlflowApiPath } from './mlflow-api/index.js'
import { SubscriptionQuota } from './http/subscription-quota.js'
import { log, logUnexpected } from './log.js'
import { requestIdOf } from './http/request-id.js'
import { rememberSecrets } from './redact.js'
import { currentIdentity, runInRequestScope, setRequestIdentity } from './request-scope.js'
import { renderGraphiQL } from '@graphql-yoga/render-graphiql'
import { graphqlMetricsPlugin } from './telemetry/graphql-metrics.js'
import { GatewayMetrics } from './telemetry/metrics.js'
import { GatewayTracing } from './telemetry/tracing.js'
import { graphqlTracingPlugin } from './telemetry/graphql-tracing.js'
import { instrumentsOf } from './telemetry/instruments.js'
import { serveMetrics } from './http/metrics.js'
import { BUILT_DASHBOARD_DIR, dashboardHandler, isDashboardBuilt } from './http/dashboard.js'
import { type Auth, startAuth } from './auth/index.js'
import { type Automation, startAutomation } from './federation/automation/index.js'
import type { CallerAllowance } from './auth/role-limits.js'
import type { Identity } from './auth/identity.js'
import { admit } from './http/authentication.js'
import { schema } from './resolvers/index.js'

export interface Gateway {
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, GatewayContext>>
  server: Server
  backends: Backends
  /** Webhooks and the registry sync; null without a native backend to keep them. */
  automation: Automation | null
  /** What it serves beside GraphQL, for the start-up lines: the MLflow API's backend (null: off), whether a dashboard build is there, and /metrics. */
  serves: { mlflowApiBackend: string | null; dashboard: boolean; metrics: boolean }
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number>
  /** Stops accepting, lets in-flight requests finish (bounded), closes every backend. Idempotent. */
  close(): Promise<void>
}

/** Connects every backend (migrating the native ones), then builds the GraphQL and HTTP layers. */
export async function createGateway(config: GatewayConfig): Promise<Gateway> {
  rememberSecrets(config)
  const connected: GuardedBackend[] = []
  let backends: Backends | null = null
  const metrics = config.telemetry.metrics ? new GatewayMetrics(() => backends) : null
  const { otlp } = config.telemetry
  const tracing = otlp ? new GatewayTracing(otlp) : null
  try {
    for (const backendConfig of config.backends) {
      const backend = await createBackend(backendConfig, { statementTimeoutMs: config.limits.statementTimeoutMs, observeUpstream: metrics?.upstreamObserver(backendConfig.id) })
      connected.push(withCircuitBreaker(backend, backendConfig.circuitBreaker, instrumentsOf([metrics?.backendCallInstrument(backendConfig.id), tracing?.backendCallInstrument(backendConfig.id)])))
    }
  } catch (error) {
    await Promise.allSettled(connected.map((backend) => backend.close()))
    throw error
  }
  backends = new Backends(connected)
  if (metrics) backends.observeLoaderBatch = (loader, size) => metrics.loaderBatch(loader, size)
  let auth: Awaited<ReturnType<typeof startAuth>>
  try {
    auth = await startAuth(config, backends)
  } catch (error) {
    await backends.closeAll()
    throw error
  }
  const authenticator = auth?.authenticator ?? null
  let observeDelivery: ((outcome: 'delivered' | 'retried' | 'failed') => void) | undefined
  let automation: Automation | null
  try {
    automation = await startAutomation(config, backends, { delivery: (outcome) => observeDelivery?.(outcome) })
  } catch (error) {
    await backends.closeAll()
    throw error
  }
  if (automation) backends.events = automation.events
  const sync = automation?.sync
  if (metrics && automation) observeDelivery = metrics.watchAutomation(sync ? () => sync.status() : null)
  const shutdown = new AbortController()

  const { limits } = config
  const subscriptionQuota = new SubscriptionQuota()
  const costBudget = new CostBudget()
  const generalAllowance: CallerAllowance = { queryCostPerMinute: limits.queryCostPerClientPerMinute, subscriptions: limits.subscriptionsPerClient }
  const allowanceOf = (identity: Identity | null) => (auth ? auth.allowanceOf(identity) : Promise.resolve(generalAllowance))
  let policy = crossSitePolicy({ boundHost: config.server.host, allowedHosts: config.server.allowedHosts, corsOrigins: config.server.corsOrigins })

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'mlgate' },
    // GraphiQL with its code and styles inline: yoga's default page loads them from a CDN, a blank page offline.
    renderGraphiQL,
    // Same origin only unless origins are listed (server.corsOrigins); the Origin check in front refuses the rest.
    cors: config.server.corsOrigins.length > 0 ? { origin: config.server.corsOrigins, credentials: true } : false,
    // Subscriptions end when their client leaves (the request's signal) or the gateway shuts down.
    context: (initial) =>
      createContext({
        backends,
        limits,
        signals: initial.request?.signal ? [shutdown.signal, initial.request.signal] : [shutdown.signal],
        // Over HTTP the admitted request's (request scope); over graphql-ws the socket's, checked at connection_init.
        identity: socketIdentityOf(initial) ?? currentIdentity(),
        users: auth?.users ?? null,
        permissionAdmin: auth?.permissionAdmin ?? null,
        auditLog: auth?.auditLog ?? null,
        automation,
        access: auth?.accessFor(socketIdentityOf(initial) ?? currentIdentity()),
        // `req` is Node's request over HTTP and graphql-ws alike (see http/graphql-ws.ts); yoga.fetch in tests has none.
        clientAddress: (initial.req as IncomingMessage | undefined)?.socket?.remoteAddress ?? IN_PROCESS_CLIENT,
        subscriptionQuota,
        allowance: () => allowanceOf(socketIdentityOf(initial) ?? currentIdentity()),
      }),
    maskedErrors: { maskError },
    // maskError logs what is unexpected; client mistakes are not the operator's problem.
    logging: false,
    plugins: [
      // Browsers post forms and text/plain without a preflight: those need a header no form can set.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'x-mlgate-csrf'] }),
      ...graphqlLimitPlugins(limits),
      costBudgetPlugin(costBudget, limits),
      partialFailuresPlugin(),
      errorCodesPlugin(),
      codedHttpErrorsPlugin(),
      sharedSubscriptionEventsPlugin(),
      sseResultsPlugin(),
      ...(metrics ? [graphqlMetricsPlugin(metrics)] : []),
      ...(tracing ? [graphqlTracingPlugin(tracing)] : []),
    ],
  })

  const mlflowApi = mlflowApiFor(config, backends, auth, metrics, automation)
  const dashboardDir = config.dashboard.dir ?? BUILT_DASHBOARD_DIR
  const dashboard = dashboardHandler({ dir: dashboardDir, mlflowApiBackend: mlflowApiBackendOf(config, backends)?.id ?? null })
  const routeRequest = async (request: IncomingMessage, response: ServerResponse) => {
    const refusal = crossSiteRefusal(request, policy)
    if (refusal) return sendCodedError(response, 403, 'FORBIDDEN', refusal)
    if (await handleHealthRoutes(request, response, backends)) return
    if (metrics && (await serveMetrics(request, response, metrics))) return
    // The dashboard's files hold no data (the page asks /graphql, signed in, for that): served to anyone, so the page can ask for credentials.
    if (dashboard(request, response)) return
    const admission = await admit(request, response, authenticator)
    if (!admission.admitted) return
    setRequestIdentity(admission.identity, isMlflowApiPath((request.url ?? '').split('?')[0]) ? 'mlflow-api' : 'graphql')
    if (mlflowApi && (await mlflowApi.handle(request, response))) return
    if ((request.url ?? '').split('?')[0] !== yoga.graphqlEndpoint) return sendCodedError(response, 404, 'NOT_FOUND', 'no such route')
    // A client out of budget is refused before its body is read: refusing it stays cheap.
    const { queryCostPerMinute } = await allowanceOf(admission.identity)
    const { waitSeconds } = await costBudget.standing(clientKeyOf(admission.identity, request.socket.remoteAddress ?? IN_PROCESS_CLIENT), queryCostPerMinute)
    if (waitSeconds > 0) {
      return sendCodedError(response, 429, 'RATE_LIMITED', rateLimited(waitSeconds).message, { 'retry-after': String(waitSeconds) })
    }
    const bodyRefusal = graphqlBodyRefusal(request, limits)
    if (bodyRefusal) {
      // Close rather than read a refused body to its end: a 17 MB body costs its sender, not the gateway.
      response.once('finish', () => request.destroy())
      return sendCodedError(response, bodyRefusal.status, 'BAD_USER_INPUT', bodyRefusal.message, { connection: 'close' })
    }
    const read = await readJsonBody(request)
    if (read === 'client left') return void response.destroy()
    if (read === 'not JSON') return sendCodedError(response, 400, 'BAD_USER_INPUT', 'the request body is not valid JSON')
    await yoga(request, response)
  }
  const server = createServer((request, response) => {
    // Every request has an owner for its failure: a coded answer, and a log line without its data.
    // The request's work can see when its client leaves (request-scope.ts): the native store then cancels its statements.
    const left = new AbortController()
    const started = performance.now()
    const requestId = requestIdOf(request)
    response.setHeader('x-request-id', requestId)
    response.once('close', () => {
      if (!response.writableFinished) left.abort()
      // Built only when debug is on: the access line would otherwise cost every request an object.
      if (log.isLevelEnabled('debug')) log.debug({ requestId, method: request.method, path: (request.url ?? '').split('?')[0].slice(0, 200), status: response.statusCode, ms: Math.round(performance.now() - started), finished: response.writableFinished }, 'request')
    })
    const handle = () => runInRequestScope(left.signal, requestId, () => routeRequest(request, response))
    ;(tracing ? tracing.serveRequest(request, response, handle) : handle()).catch((error: unknown) => {
      logUnexpected(`${request.method} ${(request.url ?? '').split('?')[0].slice(0, 200)} failed`, error)
      if (!response.headersSent) sendCodedError(response, 500, 'INTERNAL', 'Unexpected error.')
      else response.destroy()
    })
  })
  // Requests Node cannot parse as HTTP get a coded answer too (Node's default is an empty 400).
  server.on('clientError', (_error, socket) => {
    if (socket.writable) {
      const body = JSON.stringify({ errors: [{ message: 'malformed HTTP request', extensions: { code: 'BAD_USER_INPUT' } }] })
      socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
    } else socket.destroy()
  })
  const webSockets = serveGraphqlWs(yoga, server, { limits, allows: (request) => crossSiteRefusal(request, policy) === null, authenticator })

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
      await automation?.close().catch((error: unknown) => logUnexpected('stopping webhooks and registry sync failed', error))
      await backends.closeAll()
      // What is traced so far reaches the collector (bounded by the exporter's own timeout).
      await tracing?.shutdown().catch((error: unknown) => logUnexpected('sending the last traces failed', error))
    })())

  return {
    yoga,
    server,
    backends,
    automation,
    serves: { mlflowApiBackend: mlflowApi ? (mlflowApiBackendOf(config, backends)?.id ?? null) : null, dashboard: isDashboardBuilt(dashboardDir), metrics: metrics !== null },
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        policy = crossSitePolicy({ boundHost: host, allowedHosts: config.server.allowedHosts, corsOrigins: config.server.corsOrigins })
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          resolve((server.address() as AddressInfo).port)
        })
      }),
    close,
  }
}

/** The backend MLflow clients write to: the configured one, or the first native one; none when the API is off. */
function mlflowApiBackendOf(config: GatewayConfig, backends: Backends) {
  if (!config.mlflowApi.enabled) return undefined
  return config.mlflowApi.backend ? backends.get(config.mlflowApi.backend) : backends.all.find((candidate) => candidate.kind === 'native')
}

/** The MLflow API over the configured backend, or the first native one; none when disabled or there is no such backend. */
function mlflowApiFor(config: GatewayConfig, backends: Backends, auth: Auth | null, metrics: GatewayMetrics | null, automation: Automation | null): MlflowApi | null {
  const backend = mlflowApiBackendOf(config, backends)
  if (!backend) return null
  return createMlflowApi({
    backend,
    artifacts: config.mlflowApi.artifacts ?? { kind: 'local', dir: config.mlflowApi.artifactsDir },
    limits: config.limits,
    users: auth?.users ?? null,
    permissionAdmin: auth?.permissionAdmin ?? null,
    access: auth ? () => auth.accessFor(currentIdentity()) : null,
    observe: metrics ? (endpoint, status, seconds) => metrics.mlflowApiRequest(endpoint, status, seconds) : undefined,
    webhooks: automation?.webhooks ?? null,
    events: automation?.events,
  })
}
