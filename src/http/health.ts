import type { IncomingMessage, ServerResponse } from 'node:http'
import { checkBackendHealth } from '../federation/health.js'
import type { Backends } from '../federation/backends.js'

/**
 * `GET /health`: the process is up (liveness). `GET /ready`: every backend
 * answers (readiness), with each backend's status (no error text: see
 * `backends { health }` in GraphQL for that), 503 when any does not.
 * Returns false for any other request.
 */
export async function handleHealthRoutes(request: IncomingMessage, response: ServerResponse, backends: Backends): Promise<boolean> {
  const path = (request.url ?? '').split('?')[0]
  if (request.method !== 'GET' && request.method !== 'HEAD') return false
  if (path === '/health') {
    sendJson(response, 200, { status: 'ok' })
    return true
  }
  if (path === '/ready') {
    const checks = await Promise.all(backends.all.map(async (backend) => [backend.id, await checkBackendHealth(backend)] as const))
    const ready = checks.every(([, health]) => health.up)
    sendJson(response, ready ? 200 : 503, {
      status: ready ? 'ready' : 'unavailable',
      backends: Object.fromEntries(
        checks.map(([id, health]) => [
          id,
          // Status only: /ready answers anyone, and an upstream's error text is no one's business here.
          { state: health.up ? 'UP' : 'DOWN', circuit: health.circuit, latencyMs: health.latencyMs },
        ]),
      ),
    })
    return true
  }
  return false
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  response.end(JSON.stringify(body))
}
