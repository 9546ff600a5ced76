import { BACKEND_KINDS } from '../domain.js'
import { CIRCUIT_STATES } from '../federation/circuit-breaker.js'
import { checkBackendHealth } from '../federation/health.js'
import { builder, enumOfConstants } from './builder.js'
import { BackendRef } from './refs.js'

/** The configured backends, what each can do, and whether it answers. */

const BackendKindEnum = enumOfConstants('BackendKind', BACKEND_KINDS)
const BackendStateEnum = builder.enumType('BackendState', {
  values: { UP: { description: 'Answered the last health check.' }, DOWN: { description: 'Did not answer the last health check.' } },
})

const CircuitStateEnum = builder.enumType('CircuitState', {
  description: "The backend's circuit breaker: OPEN fails fast after repeated failures, HALF_OPEN lets one probe through.",
  values: CIRCUIT_STATES,
})

const BackendHealthRef = builder.objectRef<Awaited<ReturnType<typeof checkBackendHealth>>>('BackendHealth').implement({
  fields: (t) => ({
    state: t.field({ type: BackendStateEnum, resolve: (health) => (health.up ? 'UP' : 'DOWN') }),
    circuit: t.field({ type: CircuitStateEnum, resolve: (health) => health.circuit }),
    latencyMs: t.float({ nullable: true, resolve: (health) => health.latencyMs }),
    lastError: t.exposeString('lastError', { nullable: true }),
    checkedAt: t.field({ type: 'DateTime', resolve: (health) => health.checkedAt }),
  }),
})

BackendRef.implement({
  description: 'A place experiments, runs and models live: the native store, an MLflow server, SageMaker.',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.field({ type: BackendKindEnum, resolve: (backend) => backend.kind }),
    capabilities: t.stringList({
      description: 'What this backend supports, e.g. "writes", "runs", "registry", "orderByMetric", "liveMetrics:push".',
      resolve: (backend) => [
        // The parts a backend has, then its declared capabilities.
        ...(backend.writer ? ['writes'] : []),
        ...(backend.tracking ? ['runs'] : []),
        ...(backend.modelRegistry ? ['registry'] : []),
        ...Object.entries(backend.capabilities).flatMap(([name, value]) =>
          value === true ? [name] : typeof value === 'string' && value !== 'none' ? [`${name}:${value}`] : [],
        ),
      ],
    }),
    readOnly: t.boolean({ resolve: (backend) => backend.writer === null }),
    liveWatchers: t.int({
      description: 'Live subscriptions this gateway replica holds on the backend (metric, run and model-version streams).',
      resolve: (backend) => (backend.live?.watcherCount() ?? 0) + (backend.modelEvents?.watcherCount() ?? 0),
    }),
    health: t.field({ type: BackendHealthRef, resolve: (backend) => checkBackendHealth(backend) }),
  }),
})

builder.queryFields((t) => ({
  backends: t.field({
    type: [BackendRef],
    description: 'Every configured backend, in config order.',
    resolve: (_, __, { federation }) => federation.allBackends(),
  }),
}))
