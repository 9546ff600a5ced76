import { createHmac } from 'node:crypto'
import { GatewayError } from '../../errors.js'
import type { TargetPolicy } from './targets.js'

/** MLflow's webhook headers (mlflow/webhooks/constants.py). */
export const SIGNATURE_HEADER = 'X-MLflow-Signature'
export const TIMESTAMP_HEADER = 'X-MLflow-Timestamp'
export const DELIVERY_ID_HEADER = 'X-MLflow-Delivery-Id'

/** How much of a receiver's answer is kept (the test call shows it; the log keeps its status). */
const ANSWER_BYTES = 4096

/** MLflow's signature: `v1,<base64 HMAC-SHA256 of "{delivery id}.{timestamp}.{body}">`. */
export function signatureOf(secret: string, deliveryId: string, timestamp: string, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${deliveryId}.${timestamp}.${body}`).digest('base64')}`
}

export type DeliveryOutcome =
  | { kind: 'delivered'; status: number; answer: string }
  /** Worth another attempt: 408, 429, 5xx, a connection failure or a timeout. `notBefore`: the receiver's Retry-After. */
  | { kind: 'retry'; status: number | null; error: string; notBefore: Date | null }
  /** Another attempt would get the same answer (a 4xx, a redirect, a refused target). */
  | { kind: 'rejected'; status: number | null; error: string; answer: string | null }

/**
 * One POST of a delivery, signed when the webhook has a secret. The body
 * is sent as queued (the same bytes on every attempt); the timestamp and
 * signature are made per attempt, as MLflow makes them. Redirects are not
 * followed: a receiver cannot bounce a delivery to an address the policy refuses.
 */
export async function deliver(
  target: { url: string; secret: string | null },
  delivery: { deliveryId: string; body: string },
  options: { policy: TargetPolicy; timeoutMs: number },
): Promise<DeliveryOutcome> {
  try {
    await options.policy.check(target.url)
  } catch (error) {
    return { kind: 'rejected', status: null, error: error instanceof GatewayError ? error.message : 'the target was refused', answer: null }
  }
  const timestamp = String(Math.floor(Date.now() / 1000))
  const headers: Record<string, string> = { 'content-type': 'application/json', [DELIVERY_ID_HEADER]: delivery.deliveryId, [TIMESTAMP_HEADER]: timestamp }
  if (target.secret !== null) headers[SIGNATURE_HEADER] = signatureOf(target.secret, delivery.deliveryId, timestamp, delivery.body)
  let response: Response
  try {
    response = await fetch(target.url, { method: 'POST', body: delivery.body, headers, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) })
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError'
    return { kind: 'retry', status: null, error: timedOut ? `no answer within ${options.timeoutMs} ms` : `could not connect (${connectionErrorOf(error)})`, notBefore: null }
  }
  const answer = await answerText(response)
  if (response.status >= 200 && response.status < 300) return { kind: 'delivered', status: response.status, answer }
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    return { kind: 'retry', status: response.status, error: `answered ${response.status}`, notBefore: retryAfterOf(response.headers.get('retry-after')) }
  }
  return { kind: 'rejected', status: response.status, error: `answered ${response.status}`, answer }
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterOf(header: string | null, now = Date.now()): Date | null {
  if (header === null) return null
  const text = header.trim()
  if (/^\d{1,9}$/.test(text)) return new Date(now + Number(text) * 1000)
  const at = Date.parse(text)
  return Number.isNaN(at) ? null : new Date(Math.max(at, now))
}

async function answerText(response: Response): Promise<string> {
  const reader = response.body?.getReader()
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < ANSWER_BYTES) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } catch {
    // A receiver that breaks its answer off still answered with its status.
  } finally {
    await reader.cancel().catch(() => {})
  }
  return Buffer.concat(chunks).subarray(0, ANSWER_BYTES).toString('utf8')
}

/** The system error's code (ECONNREFUSED, ...) without addresses or stack. */
function connectionErrorOf(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined
  return typeof cause?.code === 'string' ? cause.code : 'network error'
}
