import type { Backend, Capabilities, ModelRegistryReader, ModelRegistryWriter, TrackingReader, TrackingWriter } from '../adapters/backend.js'
import { GatewayError } from '../errors.js'
import type { CircuitBreaker } from './circuit-breaker.js'

/** A backend as the gateway holds it: behind its circuit breaker. */
export type GuardedBackend = Backend & { circuit: CircuitBreaker }

/** Every configured backend by id, in config order; built once at start-up. */
export class BackendRegistry {
  private readonly byId: Map<string, GuardedBackend>

  constructor(readonly all: readonly GuardedBackend[]) {
    this.byId = new Map(all.map((backend) => [backend.id, backend]))
  }

  get(id: string): GuardedBackend {
    const backend = this.byId.get(id)
    if (!backend) throw new GatewayError('BAD_USER_INPUT', `no backend "${id}" is configured`)
    return backend
  }

  /**
   * The backends a list spans: the named ones (each must exist and have the
   * capability), or by default every backend that has it.
   */
  select(ids: readonly string[] | null | undefined, capability: keyof Capabilities): Backend[] {
    if (!ids) return this.all.filter((backend) => backend.capabilities[capability])
    return [...new Set(ids)].map((id) => {
      const backend = this.get(id)
      if (!backend.capabilities[capability]) {
        throw new GatewayError('UNSUPPORTED', `backend "${id}" does not support ${capability}`, { backend: id })
      }
      return backend
    })
  }

  /** The backend a write goes to when the caller names none: the first native one. */
  defaultWriteTarget(): Backend {
    const backend = this.all.find((candidate) => candidate.kind === 'native') ?? this.all.find((b) => b.writer)
    if (!backend) throw new GatewayError('UNSUPPORTED', 'no configured backend accepts writes')
    return backend
  }

  /** Where a new registered model goes when the caller names no backend: the first native one. */
  defaultModelWriteTarget(): Backend {
    const backend = this.all.find((candidate) => candidate.kind === 'native') ?? this.all.find((b) => b.modelRegistryWriter)
    if (!backend) throw new GatewayError('UNSUPPORTED', 'no configured backend accepts registry writes')
    return backend
  }

  trackingOf(backend: Backend): TrackingReader {
    if (!backend.tracking) throw unsupported(backend, 'keeps no experiments or runs')
    return backend.tracking
  }

  writerOf(backend: Backend): TrackingWriter {
    if (!backend.writer) throw unsupported(backend, backend.tracking ? 'is read-only' : 'keeps no experiments or runs')
    return backend.writer
  }

  modelRegistryOf(backend: Backend): ModelRegistryReader {
    if (!backend.modelRegistry) throw unsupported(backend, 'has no model registry')
    return backend.modelRegistry
  }

  modelWriterOf(backend: Backend): ModelRegistryWriter {
    if (!backend.modelRegistryWriter) throw unsupported(backend, backend.modelRegistry ? 'has a read-only model registry' : 'has no model registry')
    return backend.modelRegistryWriter
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.all.map((backend) => backend.close()))
  }
}

const unsupported = (backend: Backend, what: string) =>
  new GatewayError('UNSUPPORTED', `backend "${backend.id}" ${what}`, { backend: backend.id })
