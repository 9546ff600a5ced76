import type { IncomingMessage, ServerResponse } from 'node:http'
import type { GatewayMetrics } from '../telemetry/metrics.js'
import { sendCodedError } from './coded-answers.js'

/**
 * `GET /metrics`: the gateway's metrics in Prometheus's text format. Open
 * like /health (a scraper carries no credentials): the labels hold backend
 * ids, calls and error codes, never ids, values or secrets.
 */
export async function serveMetrics(request: IncomingMessage, response: ServerResponse, metrics: GatewayMetrics): Promise<boolean> {
  if ((request.url ?? '').split('?')[0] !== '/metrics') return false
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendCodedError(response, 405, 'BAD_USER_INPUT', `${request.method ?? ''} is not served here; /metrics answers GET`, { allow: 'GET, HEAD' })
    return true
  }
  const text = await metrics.render()
  response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' })
  response.end(request.method === 'HEAD' ? undefined : text)
  return true
}
