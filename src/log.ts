import { redactSecrets } from './redact.js'

/**
 * What the gateway writes about failures it did not expect. A log line
 * names the failure and where it happened, never its data: database errors
 * carry the failing SQL and its parameter values (PGlite puts both on the
 * error object, and PostgreSQL's messages quote the offending value), so
 * they are logged by SQLSTATE alone; other messages are scrubbed of secrets;
 * stacks stay out.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? redactSecrets(error) : 'a non-Error value was thrown'
  const sqlState = 'code' in error && typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code) ? error.code : null
  if (sqlState || error.name === 'DatabaseError') return `database error (SQLSTATE ${sqlState ?? 'unknown'})`
  return `${error.name}: ${redactSecrets(error.message)}`
}

/** Logs an unexpected failure of `what` (a route, a poller, a subscription), safely. */
export function logUnexpected(what: string, error: unknown): void {
  console.error(`mlgate: ${what}: ${describeError(error)}`)
}
