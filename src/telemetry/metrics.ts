import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { RunBatch } from '../contract/backend.js'
import type { MetricWrite } from '../domain.js'
import { GatewayError } from '../errors.js'
import type { Backends } from '../federation/backends.js'
import { CIRCUIT_STATES, type CallInstrument } from '../federation/circuit-breaker.js'
import { currentDoor } from '../request-scope.js'

/**
 * What `GET /metrics` shows, in Prometheus's text format (prom-client),
 * one registry per gateway. Every label is bounded: backend ids come from
 * the config, calls from the code (contract methods, MLflow REST paths,
 * SageMaker commands), outcomes from the error codes; an operation name is
 * the client's word, so only the first OPERATION_NAMES distinct ones are
 * kept and the rest count as "other". No id, parameter value or credential
 * is a label.
 */
const OPERATION_NAMES = 200
const OPERATION_NAME_LENGTH = 64

/** Seconds: from a cached read to a slow upstream's timeout. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/** A call's result as a label: "ok" or its error code (INTERNAL for what is not a coded error). */
export function outcomeOf(error: unknown): string {
  if (error === null || error === undefined) return 'ok'
  return error instanceof GatewayError ? error.code : 'INTERNAL'
}

/** Reports one call to a backend's upstream (an MLflow REST path, a SageMaker command). */
export type UpstreamObserver = (call: string, seconds: number, error: unknown) => void

let processRegistry: Registry | null = null

/** The process's own metrics, collected once however many gateways a process runs (tests run many). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry, prefix: 'mlgate_' })
  }
  return processRegistry
}

/** What /metrics shows of a registry sync rule. */
interface SyncRuleStanding {
  rule: string
  pending: number
  conflicts: number
  lastSyncedAt: Date | null
}

export class GatewayMetrics {
  readonly registry = new Registry()
  private readonly operationNames = new Set<string>()
  private readonly graphqlDuration: Histogram<'operation' | 'type' | 'outcome'>
  private readonly graphqlActiveSubscriptions: Gauge
  private readonly backendCalls: Histogram<'backend' | 'call' | 'outcome'>
  private readonly upstreamCalls: Histogram<'backend' | 'call' | 'outcome'>
  private readonly loaderBatches: Histogram<'loader'>
  private readonly pointsIngested: Counter<'api'>
  private readonly mlflowApiRequests: Histogram<'endpoint' | 'status'>

  constructor(backends: () => Backends | null) {
    const registers = [this.registry]
    this.graphqlDuration = new Histogram({
      name: 'mlgate_graphql_operation_duration_seconds',
      help: 'GraphQL operations by name, type and outcome (ok or the first error code); a subscription counts its set-up.',
      labelNames: ['operation', 'type', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    })
    this.graphqlActiveSubscriptions = new Gauge({ name: 'mlgate_graphql_subscriptions', help: 'GraphQL subscriptions open now (SSE and WebSocket).', registers })
    this.backendCalls = new Histogram({
      name: 'mlgate_backend_call_duration_seconds',
      help: 'Calls into each backend through the adapter contract, by call and outcome (error codes: BACKEND_UNAVAILABLE, NOT_FOUND, ...).',
      labelNames: ['backend', 'call', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    })
    this.upstreamCalls = new Histogram({
      name: 'mlgate_upstream_request_duration_seconds',
      help: "Requests to a backend's own API (an MLflow server's REST paths, SageMaker's commands), by call and outcome.",
      labelNames: ['backend', 'call', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    })
    this.loaderBatches = new Histogram({
      name: 'mlgate_dataloader_batch_size',
      help: 'Keys per batched lookup (one call per backend per batch), by record type.',
      labelNames: ['loader'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers,
    })
    this.pointsIngested = new Counter({ name: 'mlgate_points_ingested_total', help: 'Metric points written, by the API they came through (graphql, mlflow-api).', labelNames: ['api'], registers })
    this.mlflowApiRequests = new Histogram({
      name: 'mlgate_mlflow_api_request_duration_seconds',
      help: "Requests to the MLflow REST API mlgate serves, by endpoint (its route, not the URL) and HTTP status.",
      labelNames: ['endpoint', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    })
    new Gauge({
      name: 'mlgate_backend_circuit_state',
      help: "Each backend's circuit breaker: 1 for its current state, 0 for the others.",
      labelNames: ['backend', 'state'],
      registers,
      collect() {
        for (const backend of backends()?.all ?? []) {
          for (const state of CIRCUIT_STATES) this.set({ backend: backend.id, state }, backend.circuit.state === state ? 1 : 0)
        }
      },
    })
    new Gauge({
      name: 'mlgate_backend_live_watchers',
      help: 'Live watches this replica holds on each backend (metric, run and model-version streams, each shared by its subscribers).',
      labelNames: ['backend'],
      registers,
      collect() {
        for (const backend of backends()?.all ?? []) this.set({ backend: backend.id }, (backend.live?.watcherCount() ?? 0) + (backend.modelEvents?.watcherCount() ?? 0))
      },
    })
    new Gauge({
      name: 'mlgate_database_connections',
      help: "Each native backend's database connections: in use, and requests waiting for one (PGlite: its one connection).",
      labelNames: ['backend', 'state'],
      registers,
      collect() {
        for (const backend of backends()?.all ?? []) {
          const pool = backend.poolStats?.()
          if (!pool) continue
          this.set({ backend: backend.id, state: 'in_use' }, pool.inUse)
          this.set({ backend: backend.id, state: 'waiting' }, pool.waiting)
        }
      },
    })
  }

  /** The registry sync's standing per rule (read at each scrape) and each webhook delivery attempt's outcome. */
  watchAutomation(syncStatus: (() => Promise<SyncRuleStanding[]>) | null): (outcome: 'delivered' | 'retried' | 'failed') => void {
    const registers = [this.registry]
    if (syncStatus) {
      // One read of the status serves the three gauges of a scrape (they are collected at once).
      let read: { at: number; status: Promise<SyncRuleStanding[]> } | null = null
      const status = () => {
        if (!read || Date.now() - read.at > 1_000) read = { at: Date.now(), status: syncStatus() }
        return read.status
      }
      const perRule = (name: string, help: string, value: (rule: SyncRuleStanding) => number) =>
        new Gauge({
          name,
          help,
          labelNames: ['rule'],
          registers,
          async collect() {
            for (const rule of await status()) this.set({ rule: rule.rule }, value(rule))
          },
        })
      perRule('mlgate_registry_sync_pending', 'Registry sync steps queued and not yet done, per rule.', (rule) => rule.pending)
      perRule('mlgate_registry_sync_conflicts', 'Versions whose promotion changed on both sides since the last sync, per rule.', (rule) => rule.conflicts)
      perRule('mlgate_registry_sync_last_synced_timestamp_seconds', 'When each rule last synced a version (Unix seconds; 0: never).', (rule) => (rule.lastSyncedAt ? rule.lastSyncedAt.getTime() / 1000 : 0))
    }
    const attempts = new Counter({ name: 'mlgate_webhook_delivery_attempts_total', help: 'Webhook delivery attempts by outcome: delivered, retried (429, 5xx, no answer) or failed (given up).', labelNames: ['outcome'], registers })
    return (outcome) => attempts.inc({ outcome })
  }

  /** One GraphQL operation done (or a subscription set up). */
  graphqlOperation(name: string | null | undefined, type: string, seconds: number, outcome: string): void {
    this.graphqlDuration.observe({ operation: this.boundedName(name), type, outcome }, seconds)
  }

  /** A subscription now streaming; the returned function ends it (once, however often called). */
  subscriptionOpened(): () => void {
    this.graphqlActiveSubscriptions.inc()
    let open = true
    return () => {
      if (open) this.graphqlActiveSubscriptions.dec()
      open = false
    }
  }

  backendCallInstrument(backendId: string): CallInstrument {
    return async (call, args, run) => {
      const started = performance.now()
      try {
        const result = await run()
        this.backendCalls.observe({ backend: backendId, call, outcome: 'ok' }, (performance.now() - started) / 1000)
        this.countPoints(call, args)
        return result
      } catch (error) {
        this.backendCalls.observe({ backend: backendId, call, outcome: outcomeOf(error) }, (performance.now() - started) / 1000)
        throw error
      }
    }
  }

  upstreamObserver(backendId: string): UpstreamObserver {
    return (call, seconds, error) => this.upstreamCalls.observe({ backend: backendId, call, outcome: outcomeOf(error) }, seconds)
  }

  loaderBatch(loader: string, size: number): void {
    this.loaderBatches.observe({ loader }, size)
  }

  mlflowApiRequest(endpoint: string, status: number, seconds: number): void {
    this.mlflowApiRequests.observe({ endpoint, status: String(status) }, seconds)
  }

  /** The text `GET /metrics` answers: this gateway's metrics and the process's (CPU, memory, event-loop lag, GC). */
  render(): Promise<string> {
    return Registry.merge([processMetrics(), this.registry]).metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }

  /** Points a write committed, by the API its request came through. */
  private countPoints(call: string, args: readonly unknown[]): void {
    const points = call === 'logMetrics' ? (args[1] as MetricWrite[]).length : call === 'logBatch' ? (args[1] as RunBatch).metrics.length : 0
    if (points > 0) this.pointsIngested.inc({ api: currentDoor() }, points)
  }

  private boundedName(name: string | null | undefined): string {
    if (!name) return 'anonymous'
    const clipped = name.slice(0, OPERATION_NAME_LENGTH)
    if (this.operationNames.has(clipped)) return clipped
    if (this.operationNames.size >= OPERATION_NAMES) return 'other'
    this.operationNames.add(clipped)
    return clipped
  }
}
