import type { Backend } from '../adapters/backend.js'
import { GatewayError } from '../errors.js'

export interface BackendHealth {
  up: boolean
  latencyMs: number | null
  lastError: string | null
  checkedAt: Date
}

/** Pings a backend, bounded by `timeoutMs`; never throws. */
export async function checkBackendHealth(backend: Backend, timeoutMs = 2000): Promise<BackendHealth> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      backend.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new GatewayError('BACKEND_TIMEOUT', `no answer within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
    return { up: true, latencyMs: Math.round((performance.now() - started) * 100) / 100, lastError: null, checkedAt: new Date() }
  } catch (error) {
    // Only our own messages, which name no host or credential, leave this function.
    const message = error instanceof GatewayError ? error.message : 'the backend did not answer'
    return { up: false, latencyMs: null, lastError: message, checkedAt: new Date() }
  } finally {
    clearTimeout(timer)
  }
}
