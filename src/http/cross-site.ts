import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'

/**
 * Browser-borne attacks. The gateway usually listens on loopback, so the
 * attacker is a web page the user visits: it can post forms and `text/plain`
 * bodies without a preflight, open WebSockets to any address, and point a
 * DNS name it owns at 127.0.0.1 (rebinding). Three checks stop that:
 * - Host: only names the gateway is reached by (loopback names when bound to loopback).
 * - Origin: a browser request from another origin is refused unless allow-listed.
 * - For GraphQL, yoga's CSRF prevention additionally requires a header on simple requests.
 */
export interface CrossSitePolicy {
  /** Lowercased host names (no port); null: any host. */
  allowedHosts: ReadonlySet<string> | null
  /** Origins (`scheme://host[:port]`) allowed besides the gateway's own. */
  allowedOrigins: ReadonlySet<string>
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1', '[::1]']

export function isLoopbackHost(host: string): boolean {
  const bare = stripBrackets(host.toLowerCase())
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'))
}

export function crossSitePolicy(options: { boundHost: string; allowedHosts: readonly string[] | undefined; corsOrigins: readonly string[] }): CrossSitePolicy {
  const configured = options.allowedHosts ?? (isLoopbackHost(options.boundHost) ? [...LOOPBACK_NAMES, options.boundHost] : null)
  return {
    allowedHosts: configured ? new Set(configured.map((host) => stripBrackets(host.toLowerCase()))) : null,
    allowedOrigins: new Set(options.corsOrigins.map((origin) => origin.toLowerCase())),
  }
}

/** Null when the request may proceed; otherwise why not (answered 403, code FORBIDDEN). */
export function crossSiteRefusal(request: IncomingMessage, policy: CrossSitePolicy): string | null {
  const host = request.headers.host
  if (policy.allowedHosts) {
    if (!host || !policy.allowedHosts.has(stripBrackets(hostName(host)))) return 'this Host is not served here (server.allowedHosts)'
  }
  const origin = request.headers.origin
  // No Origin: not a browser's cross-site request (curl, the MLflow client, a same-origin GET).
  if (origin === undefined) return null
  if (origin !== 'null' && host && sameHost(origin, host)) return null
  if (policy.allowedOrigins.has(origin.toLowerCase())) return null
  return 'cross-origin requests from this origin are not allowed (server.corsOrigins)'
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase()
  } catch {
    return false
  }
}

/** The name part of a Host header: `[::1]:4000` → `[::1]`, `localhost:4000` → `localhost`. */
function hostName(host: string): string {
  const lower = host.toLowerCase()
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1)
  const colon = lower.lastIndexOf(':')
  return colon < 0 ? lower : lower.slice(0, colon)
}

function stripBrackets(host: string): string {
  return host.replace(/^\[|\]$/g, '')
}
