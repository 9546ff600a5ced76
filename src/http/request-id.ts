import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** What an `X-Request-Id` from a caller (a load balancer, a client) may be to be kept: short, and nothing a log line or header could trip on. */
const ACCEPTED = /^[\w.:-]{1,128}$/

/**
 * The request's id: the caller's `X-Request-Id` when it is a plain token
 * (so one id follows a request through a load balancer and the gateway),
 * else a new UUID. It is answered in `X-Request-Id`, put in the extensions
 * of the request's errors, and on its log lines.
 */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id']
  return typeof given === 'string' && ACCEPTED.test(given) ? given : randomUUID()
}
