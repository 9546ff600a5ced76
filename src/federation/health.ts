import { redactSecrets } from '../redact.js'
import { GatewayError } from '../errors.js'
import type { CircuitState } from './circuit-breaker.js'
import type { GuardedBackend } from './backends.js'

export interface BackendHealth {
  up: boolean
  /** The backend's circuit breaker after this check. */
  circuit: CircuitState
  latencyMs: number | null
  lastError: string | null
  checkedAt: Date
}

/** Pings a backend (through its circuit breaker), bounded by `timeoutMs`; never throws. */
export async function checkBackendHealth(backend: GuardedBackend, timeoutMs = 2000): Promise<BackendHealth> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      backend.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new GatewayError('BACKEND_TIMEOUT', `no answer within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
    return { up: true, circuit: backend.circuit.state, latencyMs: Math.round((performance.now() - started) * 100) / 100, lastError: null, checkedAt: new Date() }
  } catch (error) {
    // Only our own messages leave this function, scrubbed of anything an upstream echoed back.
    const message = error instanceof GatewayError ? redactSecrets(error.message) : 'the backend did not answer'
    return { up: false, circuit: backend.circuit.state, latencyMs: null, lastError: message, checkedAt: new Date() }
  } finally {
    clearTimeout(timer)
  }
}
