import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ConfigError, type GatewayConfig, loadConfigFile, parseConfig } from './config.js'
import { isLoopbackHost } from './http/cross-site.js'
import { log, logUnexpected, setLogLevel } from './log.js'
import { createGateway } from './server.js'

/**
 * mlgate's command line. Config: --config FILE, else $MLGATE_CONFIG, else
 * ./mlgate.yaml when present, else one native backend on embedded Postgres.
 * Port: --port, else $PORT, else server.port, else 4000. Host: --host, else
 * server.host, else 127.0.0.1 (loopback only until you say otherwise).
 */

const USAGE = `usage: mlgate [options]

One GraphQL graph (and MLflow's REST API, and a dashboard) over a native
store, MLflow tracking servers and SageMaker Model Registry.

Options:
  -c, --config FILE   the config file (YAML or JSON); see README.md#configuration
  -p, --port N        the port to listen on (0: any free port)
      --host ADDR     the address to listen on; beyond loopback only with auth: in the config
  -h, --help          this text
  -v, --version       the version

Environment:
  MLGATE_CONFIG       the config file, when --config is not given
  PORT                the port, when --port is not given
  NODE_ENV            default "production" (graphql-js skips its development checks)
  \${NAME}             any variable a config file names as \${NAME} (credentials, URLs)
  AWS_*               SageMaker backends' credentials and region, by the AWS SDK's default chain
                      when a backend's config names none

Config file, in this order: --config, $MLGATE_CONFIG, ./mlgate.yaml when present,
else one native backend on embedded PostgreSQL (PGlite) under ./.mlgate/.
Port: --port, $PORT, server.port, else 4000. Host: --host, server.host, else 127.0.0.1.`

/** The version in the package.json beside src/ (or dist/, when compiled). */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return manifest.version
}

function readConfig(path: string | undefined): { config: GatewayConfig; source: string } {
  const file = path ?? process.env.MLGATE_CONFIG ?? (existsSync('mlgate.yaml') ? 'mlgate.yaml' : undefined)
  if (file) return { config: loadConfigFile(file), source: file }
  return { config: parseConfig({}), source: 'the embedded default (PGlite under ./.mlgate/)' }
}

function parsePort(value: string, from: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535) throw new ConfigError(`${from} must be a port number (0-65535); got "${value}"`)
  return port
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  if (values.version) {
    console.log(`mlgate ${version()}`)
    return
  }
  const { config, source } = readConfig(values.config)
  const port =
    values.port !== undefined
      ? parsePort(values.port, '--port')
      : process.env.PORT
        ? parsePort(process.env.PORT, 'PORT')
        : config.server.port
  const host = values.host ?? config.server.host
  if (!isLoopbackHost(host) && !config.auth) {
    throw new ConfigError(
      `refusing to listen on ${host}, beyond this machine, without auth: anyone who could reach it could read every backend and write to it. ` +
        'Configure auth: (users, API tokens or an identity provider), or say `auth: { mode: none }` to expose it without access control.',
    )
  }

  setLogLevel(config.telemetry.logLevel)
  const gateway = await createGateway(config)
  const bound = await gateway.listen(port, host).catch(async (error: unknown) => {
    await gateway.close()
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigError(`port ${port} on ${host} is in use: choose another with --port (or PORT)`)
    if ((error as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') throw new ConfigError(`${host} is not an address of this machine: choose another with --host`)
    throw error
  })
  guardTheProcess()
  if (!isLoopbackHost(host) && config.auth?.mode === 'none') {
    log.warn(
      `WARNING: listening on ${host}, beyond this machine, with auth: { mode: none }. Anyone who can reach it can read every backend, ` +
        'write runs, models and artifacts, and promote model versions with the gateway\'s own credentials: there is no access control. ' +
        'Bind to 127.0.0.1, turn auth on, or put it behind an authenticating proxy.',
    )
  }
  const shownHost = host.includes(':') ? `[${host}]` : host
  // Each a log event (JSON, like every line the running gateway writes), its message what an operator reads.
  log.info(`config from ${source}`)
  log.info(`backends ${config.backends.map((backend) => `${backend.id} (${backend.kind})`).join(', ')}`)
  log.info(`auth ${config.auth?.mode === 'on' ? `on (users in ${config.auth.store ?? 'the first native backend'}${config.auth.oidc ? `, tokens from ${config.auth.oidc.issuer}` : ''})` : 'off'}`)
  const origin = `http://${shownHost}:${bound}`
  log.info(`GraphQL and GraphiQL at ${origin}/graphql`)
  if (gateway.serves.mlflowApiBackend !== null) log.info(`MLflow's REST API at ${origin}/api/2.0/mlflow/ (MLFLOW_TRACKING_URI=${origin}), on backend ${gateway.serves.mlflowApiBackend}`)
  log.info(gateway.serves.dashboard ? `dashboard at ${origin}/` : `no dashboard build (npm run build:web); ${origin}/ says so`)
  if (gateway.serves.metrics) log.info(`metrics at ${origin}/metrics`)
  log.info(`health at ${origin}/health and ${origin}/ready`)

  let stopping = false
  const shutdown = async (signal: string) => {
    // Ctrl-C under `npm start` arrives twice (the terminal signals the process group, and npm
    // forwards its own copy): later signals must not cut the graceful stop short. It is
    // bounded anyway, by server.shutdownTimeoutMs.
    if (stopping) return
    stopping = true
    log.info(`${signal} received, finishing in-flight requests`)
    await gateway.close()
    log.info('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

/**
 * Once the gateway is serving, a rejection nobody awaited is a bug in some
 * request's or poller's work: it is logged (without its data) and the
 * gateway keeps serving everyone else. Before this point (config, migrations,
 * listening) a failure ends the process with a message, as it must.
 */
function guardTheProcess(): void {
  process.on('unhandledRejection', (reason) => logUnexpected('unhandled failure in background work (the gateway keeps serving)', reason))
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`mlgate: ${error.message}`)
  } else {
    console.error('mlgate: could not start:', error instanceof Error ? error.message : error)
  }
  process.exit(1)
})
