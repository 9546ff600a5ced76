import { redactSecrets } from '../redact.js'
import type { Backend } from '../contract/backend.js'
import { GatewayError, isBackendFailure } from '../errors.js'

/**
 * A circuit breaker per backend. After `failureThreshold` consecutive
 * failures (down, too slow, refusing credentials) it opens: calls fail at
 * once with BACKEND_UNAVAILABLE instead of each waiting out a timeout. After
 * `openMs` it lets one call through (half-open); success closes it, failure
 * opens it again.
 */
export const CIRCUIT_STATES = ['CLOSED', 'OPEN', 'HALF_OPEN'] as const
export type CircuitState = (typeof CIRCUIT_STATES)[number]

export interface CircuitOptions {
  failureThreshold: number
  openMs: number
}


export class CircuitBreaker {
  state: CircuitState = 'CLOSED'
  lastError: string | null = null
  latencyMs: number | null = null
  checkedAt: Date | null = null
  private failures = 0
  private openedAt = 0
  private probing = false

  constructor(
    private readonly backendId: string,
    private readonly options: CircuitOptions,
  ) {}

  async run<T>(operation: () => Promise<T>): Promise<T> {
    this.admit()
    const started = performance.now()
    try {
      const result = await operation()
      this.succeeded(performance.now() - started)
      return result
    } catch (error) {
      if (isBackendFailure(error)) this.failed(error)
      else this.succeeded(performance.now() - started) // the backend answered; the request was wrong
      throw error
    } finally {
      this.probing = false
    }
  }

  /**
   * For calls that start something rather than ask something (a live
   * watch): refused while the circuit is open, without taking the half-open
   * probe or counting as a result.
   */
  refuseWhileOpen(): void {
    if (this.state === 'OPEN' && Date.now() - this.openedAt < this.options.openMs) throw this.openError()
  }

  private admit(): void {
    if (this.state === 'CLOSED') return
    if (this.state === 'OPEN' && Date.now() - this.openedAt >= this.options.openMs) this.state = 'HALF_OPEN'
    if (this.state === 'HALF_OPEN' && !this.probing) {
      this.probing = true
      return
    }
    throw this.openError()
  }

  private openError(): GatewayError {
    return new GatewayError('BACKEND_UNAVAILABLE', `backend "${this.backendId}" is failing; not asking it again for now (circuit open)`, {
      backend: this.backendId,
    })
  }

  private succeeded(latencyMs: number): void {
    this.state = 'CLOSED'
    this.failures = 0
    this.latencyMs = Math.round(latencyMs * 100) / 100
    this.lastError = null
    this.checkedAt = new Date()
  }

  private failed(error: GatewayError): void {
    this.failures += 1
    this.lastError = redactSecrets(error.message)
    this.checkedAt = new Date()
    if (this.state === 'HALF_OPEN' || this.failures >= this.options.failureThreshold) {
      this.state = 'OPEN'
      this.openedAt = Date.now()
    }
  }
}

/** The backend with every call to it going through its circuit breaker. */
export function withCircuitBreaker(backend: Backend, options: CircuitOptions, instrument: CallInstrument = (_call, _args, run) => run()): Backend & { circuit: CircuitBreaker } {
  const circuit = new CircuitBreaker(backend.id, options)
  const guarded = <T extends object>(target: T) => guardedBy(target, circuit, instrument)
  return {
    id: backend.id,
    kind: backend.kind,
    capabilities: backend.capabilities,
    circuit,
    live: backend.live && guarded(backend.live),
    modelEvents: backend.modelEvents && guarded(backend.modelEvents),
    tracking: backend.tracking && guarded(backend.tracking),
    writer: backend.writer && guarded(backend.writer),
    modelRegistry: backend.modelRegistry && guarded(backend.modelRegistry),
    modelRegistryWriter: backend.modelRegistryWriter && guarded(backend.modelRegistryWriter),
    loggedModels: backend.loggedModels && guarded(backend.loggedModels),
    identities: backend.identities && guarded(backend.identities),
    auditLog: backend.auditLog && guarded(backend.auditLog),
    automation: backend.automation && {
      webhooks: guarded(backend.automation.webhooks),
      outbox: guarded(backend.automation.outbox),
      syncLinks: guarded(backend.automation.syncLinks),
      onChange: backend.automation.onChange.bind(backend.automation),
    },
    ping: () => circuit.run(() => backend.ping()),
    poolStats: backend.poolStats?.bind(backend),
    close: () => backend.close(),
  }
}

/**
 * The same object with each asynchronous method run through the circuit.
 * Live watches (`watch`, `watchRuns`) are refused while it is open, so a
 * new subscription fails at once with a coded error; what a watch then
 * polls or listens to reports its own failures to its subscribers.
 * Synchronous bookkeeping (filter planning, counts, close) passes straight
 * through: it never reaches the backend.
 */
function guardedBy<T extends object>(target: T, circuit: CircuitBreaker, instrument: CallInstrument): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object)
      if (typeof value !== 'function') return value
      const method = value as (...args: unknown[]) => unknown
      if (typeof property !== 'string') return method.bind(object)
      if (PASSES_THROUGH.test(property)) return method.bind(object)
      if (STARTS_A_WATCH.test(property)) {
        return (...args: unknown[]) => {
          circuit.refuseWhileOpen()
          return method.apply(object, args)
        }
      }
      return (...args: unknown[]) => instrument(property, args, () => circuit.run(() => Promise.resolve(method.apply(object, args))))
    },
  })
}

/** Runs every call that goes through the circuit (telemetry: timing for /metrics, a span for traces): its method, arguments, and the call. */
export type CallInstrument = <T>(call: string, args: readonly unknown[], run: () => Promise<T>) => Promise<T>

const PASSES_THROUGH = /^(plan[A-Z]\w*|watcherCount|close)$/
const STARTS_A_WATCH = /^watch(Runs)?$/
