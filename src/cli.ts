import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ConfigError, type GatewayConfig, loadConfigFile, parseConfig } from './config.js'
import { isLoopbackHost } from './http/cross-site.js'
import { logUnexpected } from './log.js'
import { createGateway } from './server.js'

/**
 * mlgate's command line. Config: --config FILE, else $MLGATE_CONFIG, else
 * ./mlgate.yaml when present, else one native backend on embedded Postgres.
 * Port: --port, else $PORT, else server.port, else 4000. Host: --host, else
 * server.host, else 127.0.0.1 (loopback only until you say otherwise).
 */

const USAGE = `usage: mlgate [--config FILE] [--port N] [--host ADDR]`

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
    },
  })
  if (values.help) {
    console.log(USAGE)
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

  const gateway = await createGateway(config)
  const bound = await gateway.listen(port, host)
  guardTheProcess()
  if (!isLoopbackHost(host) && config.auth?.mode === 'none') {
    console.warn(
      `mlgate: WARNING: listening on ${host}, beyond this machine, with auth: { mode: none }. Anyone who can reach it can read every backend, ` +
        'write runs, models and artifacts, and promote model versions with the gateway\'s own credentials: there is no access control. ' +
        'Bind to 127.0.0.1, turn auth on, or put it behind an authenticating proxy.',
    )
  }
  const shownHost = host.includes(':') ? `[${host}]` : host
  console.log(`mlgate: config from ${source}`)
  console.log(`mlgate: backends ${config.backends.map((backend) => `${backend.id} (${backend.kind})`).join(', ')}`)
  console.log(`mlgate: auth ${config.auth?.mode === 'on' ? `on (users in ${config.auth.store ?? 'the first native backend'}${config.auth.oidc ? `, tokens from ${config.auth.oidc.issuer}` : ''})` : 'off'}`)
  console.log(`mlgate: dashboard at http://${shownHost}:${bound}/`)
  console.log(`mlgate: GraphQL and GraphiQL at http://${shownHost}:${bound}/graphql`)

  let stopping = false
  const shutdown = async (signal: string) => {
    // Ctrl-C under `npm start` arrives twice (the terminal signals the process group, and npm
    // forwards its own copy): later signals must not cut the graceful stop short. It is
    // bounded anyway, by server.shutdownTimeoutMs.
    if (stopping) return
    stopping = true
    console.log(`mlgate: ${signal} received, finishing in-flight requests`)
    await gateway.close()
    console.log('mlgate: stopped')
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
