import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Limits } from '../config.js'
import type { ErrorCode } from '../errors.js'
import { currentRequestId } from '../request-scope.js'

/**
 * Answers the HTTP layer gives before GraphQL runs, in GraphQL's error
 * shape so every client reads `extensions.code` the same way.
 */
export function sendCodedError(response: ServerResponse, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, requestId: currentRequestId() } }] })
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers })
  response.end(body)
}

/**
 * A GraphQL request body the gateway will not read: past limits.requestBodyBytes
 * by its declared length, or of no declared length (chunked), which could
 * only be counted by reading it. Null when the body may be read.
 */
export function graphqlBodyRefusal(request: IncomingMessage, limits: Limits): { status: number; message: string } | null {
  if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return null
  const declared = request.headers['content-length']
  if (declared === undefined) {
    return request.headers['transfer-encoding'] ? { status: 411, message: 'a GraphQL request body needs a Content-Length' } : null
  }
  const length = Number(declared)
  if (!Number.isSafeInteger(length) || length < 0) return { status: 400, message: 'Content-Length is not a number' }
  if (length > limits.requestBodyBytes) return { status: 413, message: `the request body is ${length} bytes; the limit is ${limits.requestBodyBytes} (limits.requestBodyBytes)` }
  return null
}
