import { pino } from 'pino'
import { redactSecrets } from './redact.js'
import { currentRequestId } from './request-scope.js'

/**
 * The gateway's log: one JSON line per event (pino) on standard output,
 * with the request id where there is a request. Levels: `telemetry.logLevel`
 * (default info; debug adds a line per HTTP request). A line names what
 * happened and where, never data: database errors carry the failing SQL and
 * its parameter values (PGlite puts both on the error object, and
 * PostgreSQL's messages quote the offending value), so they are logged by
 * SQLSTATE alone; other messages are scrubbed of secrets; stacks stay out.
 */
export const log = pino({
  base: { service: 'mlgate' },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  level: 'info',
})

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export function setLogLevel(level: LogLevel): void {
  log.level = level
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? redactSecrets(error) : 'a non-Error value was thrown'
  const sqlState = 'code' in error && typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code) ? error.code : null
  if (sqlState || error.name === 'DatabaseError') return `database error (SQLSTATE ${sqlState ?? 'unknown'})`
  return `${error.name}: ${redactSecrets(error.message)}`
}

/** Logs an unexpected failure of `what` (a route, a poller, a subscription), safely. */
export function logUnexpected(what: string, error: unknown): void {
  log.error({ requestId: currentRequestId(), error: describeError(error) }, what)
}
