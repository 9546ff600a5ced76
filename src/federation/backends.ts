import type { Backend } from '../contract/backend.js'
import { GatewayError, unsupported } from '../errors.js'
import type { CircuitBreaker } from './circuit-breaker.js'
import { type RecordKey, nativeIdsByBackend } from './record-key.js'
import { type EventSink, IGNORE_EVENTS } from './automation/events.js'

/** A backend as the gateway holds it: behind its circuit breaker. */
export type GuardedBackend = Backend & { circuit: CircuitBreaker }

/** Every configured backend by id, in config order; built once at start-up. */
export class Backends {
  private readonly byId: Map<string, GuardedBackend>
  /** Told the size of every batched lookup (for /metrics); set by the gateway. */
  observeLoaderBatch: (loader: string, size: number) => void = () => {}
  /** Told what every write did, for webhooks (federation/automation/); set by the gateway. */
  events: EventSink = IGNORE_EVENTS

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
   * part the list reads), or by default every backend that has it.
   */
  select(ids: readonly string[] | null | undefined, part: 'tracking' | 'modelRegistry'): Backend[] {
    if (!ids) return this.all.filter((backend) => backend[part])
    return [...new Set(ids)].map((id) => {
      const backend = this.get(id)
      if (!backend[part]) throw unsupported(`backend "${id}" does not support ${PART_NAMES[part]}`, id)
      return backend
    })
  }

  /**
   * The backends a list spans when it is scoped to some records (runs of
   * these experiments, versions of these models): those of `select` that
   * hold one of them, with the native ids each must filter by. Unscoped
   * (`scope` null), every selected backend, and no ids.
   */
  selectScoped(
    ids: readonly string[] | null | undefined,
    part: 'tracking' | 'modelRegistry',
    scope: readonly RecordKey[] | null,
  ): { backends: Backend[]; scopeOf: (backend: Backend) => string[] | null } {
    const selected = this.select(ids, part)
    if (!scope) return { backends: selected, scopeOf: () => null }
    for (const key of scope) this.get(key.backendId)
    const byBackend = nativeIdsByBackend(scope)
    return { backends: selected.filter((backend) => byBackend.has(backend.id)), scopeOf: (backend) => byBackend.get(backend.id) ?? [] }
  }

  /** The backend a write goes to when the caller names none: the first that is the gateway's own store, else the first that takes `part`'s writes. */
  defaultWriteTarget(part: 'writer' | 'modelRegistryWriter'): Backend {
    const backend = this.all.find((candidate) => candidate.capabilities.ownStore) ?? this.all.find((candidate) => candidate[part])
    if (!backend) throw unsupported(`no configured backend accepts ${part === 'writer' ? 'writes' : 'registry writes'}`)
    return backend
  }

  /** The backend's part (the backend given, or by id), or UNSUPPORTED naming the backend and what it lacks. */
  partOf<P extends BackendPart>(backendOrId: Backend | string, part: P): NonNullable<Backend[P]> {
    const backend = typeof backendOrId === 'string' ? this.get(backendOrId) : backendOrId
    const found = backend[part]
    if (!found) throw unsupported(`backend "${backend.id}" ${MISSING_PART[part](backend)}`, backend.id)
    return found
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.all.map((backend) => backend.close()))
  }
}

/** The parts of a backend callers ask for by name. */
type BackendPart = 'tracking' | 'writer' | 'modelRegistry' | 'modelRegistryWriter' | 'loggedModels' | 'identities' | 'auditLog' | 'automation'

/** What a backend without the part is told it lacks. */
const MISSING_PART: Record<BackendPart, (backend: Backend) => string> = {
  tracking: () => 'keeps no experiments or runs',
  writer: (backend) => (backend.tracking ? 'is read-only' : 'keeps no experiments or runs'),
  modelRegistry: () => 'has no model registry',
  modelRegistryWriter: (backend) => (backend.modelRegistry ? 'has a read-only model registry' : 'has no model registry'),
  loggedModels: () => 'keeps no logged models',
  identities: () => 'keeps no users (only a native backend does)',
  auditLog: () => 'keeps no audit trail (only a native backend does)',
  automation: () => 'keeps no webhooks or sync state (only a native backend does)',
}

/** How lists and errors name the parts of a backend. */
const PART_NAMES = { tracking: 'runs', modelRegistry: 'registry' } as const
