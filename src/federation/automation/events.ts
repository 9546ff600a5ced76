import { type ModelVersion, type Promotion, type RegisteredModel, type Run, promotionOf } from '../../domain.js'

/**
 * The events webhooks subscribe to, `<entity>.<action>`: MLflow 3's
 * registry events (payloads as MLflow's `webhooks/types.py` has them) and
 * mlgate's own, from every backend.
 */
export const MLFLOW_EVENTS = [
  'registered_model.created',
  'model_version.created',
  'model_version_tag.set',
  'model_version_tag.deleted',
  'model_version_alias.created',
  'model_version_alias.deleted',
] as const

export const GATEWAY_EVENTS = ['run.created', 'run.finished', 'model_version.promoted', 'registry_sync.conflict', 'metric.threshold_crossed'] as const

export const EVENT_NAMES = [...MLFLOW_EVENTS, ...GATEWAY_EVENTS] as const
export type EventName = (typeof EVENT_NAMES)[number]

export function isEventName(name: string): name is EventName {
  return (EVENT_NAMES as readonly string[]).includes(name)
}

export function entityOf(event: EventName): string {
  return event.slice(0, event.indexOf('.'))
}

export function actionOf(event: EventName): string {
  return event.slice(event.indexOf('.') + 1)
}

/** JSON an event carries as its `data`. */
export type EventData = Record<string, string | number | boolean | null | Record<string, string | number | null>>

/**
 * One thing that happened, ready to deliver. `dedupeKey` names it so that
 * two observers of one change (the write that made it and a poller that
 * notices it, or two replicas' pollers) queue it once.
 */
export interface GatewayEvent {
  name: EventName
  data: EventData
  dedupeKey: string
}

/**
 * Anything that can be told of events; `federation/automation/publisher.ts`
 * queues them for webhooks. `publish` resolves once they are queued and
 * never rejects: a write awaits it before answering, so a client that
 * writes again after the answer (through any replica) has its events
 * queued, and delivered, after the first write's.
 */
export interface EventSink {
  publish(events: readonly GatewayEvent[]): Promise<void>
}

export const IGNORE_EVENTS: EventSink = { publish: async () => {} }

const tagsOf = (tags: Record<string, string>) => ({ ...tags })

export const events = {
  registeredModelCreated: (model: RegisteredModel): GatewayEvent => ({
    name: 'registered_model.created',
    data: { name: model.name, tags: tagsOf(model.tags), description: model.description, backend: model.backendId },
    dedupeKey: `${model.backendId}:${model.nativeId}:${model.createdAt.getTime()}`,
  }),
  modelVersionCreated: (version: ModelVersion): GatewayEvent => ({
    name: 'model_version.created',
    data: {
      name: version.modelNativeId,
      version: String(version.version),
      source: version.source ?? '',
      run_id: version.runId,
      tags: tagsOf(version.tags),
      description: version.description,
      backend: version.backendId,
    },
    dedupeKey: `${version.backendId}:${version.nativeId}:${version.createdAt.getTime()}`,
  }),
  modelVersionTagSet: (version: ModelVersion, key: string, value: string): GatewayEvent => ({
    name: 'model_version_tag.set',
    data: { name: version.modelNativeId, version: String(version.version), key, value, backend: version.backendId },
    dedupeKey: `${version.backendId}:${version.nativeId}:${key}:${version.updatedAt.getTime()}:${crypto.randomUUID()}`,
  }),
  modelVersionTagDeleted: (version: ModelVersion, key: string): GatewayEvent => ({
    name: 'model_version_tag.deleted',
    data: { name: version.modelNativeId, version: String(version.version), key, backend: version.backendId },
    dedupeKey: `${version.backendId}:${version.nativeId}:${key}:${crypto.randomUUID()}`,
  }),
  aliasCreated: (model: RegisteredModel, alias: string, version: number): GatewayEvent => ({
    name: 'model_version_alias.created',
    data: { name: model.name, alias, version: String(version), backend: model.backendId },
    dedupeKey: `${model.backendId}:${model.nativeId}:${alias}:${crypto.randomUUID()}`,
  }),
  aliasDeleted: (model: RegisteredModel, alias: string): GatewayEvent => ({
    name: 'model_version_alias.deleted',
    data: { name: model.name, alias, backend: model.backendId },
    dedupeKey: `${model.backendId}:${model.nativeId}:${alias}:${crypto.randomUUID()}`,
  }),
  /** Keyed by the version's state, so the write that promoted and a poller that saw it agree. */
  modelVersionPromoted: (version: ModelVersion): GatewayEvent => ({
    name: 'model_version.promoted',
    data: {
      name: version.modelNativeId,
      version: String(version.version),
      promotion: promotionOf(version),
      stage: version.stage,
      approval_status: version.approvalStatus,
      backend: version.backendId,
    },
    dedupeKey: `${version.backendId}:${version.nativeId}:${promotionOf(version)}:${version.updatedAt.getTime()}`,
  }),
  runCreated: (run: Run): GatewayEvent => ({
    name: 'run.created',
    data: { run_id: run.nativeId, experiment_id: run.experimentNativeId, run_name: run.name, backend: run.backendId },
    dedupeKey: `${run.backendId}:${run.nativeId}`,
  }),
  runFinished: (run: Run): GatewayEvent => ({
    name: 'run.finished',
    data: { run_id: run.nativeId, experiment_id: run.experimentNativeId, status: run.status, end_time: run.endTime?.getTime() ?? null, backend: run.backendId },
    dedupeKey: `${run.backendId}:${run.nativeId}:${run.status}`,
  }),
  syncConflict: (rule: string, source: { backend: string; version: string; promotion: Promotion }, target: { backend: string; version: string; promotion: Promotion }): GatewayEvent => ({
    name: 'registry_sync.conflict',
    data: { rule, source: { ...source }, target: { ...target } },
    dedupeKey: `${rule}:${source.backend}:${source.version}:${source.promotion}:${target.promotion}`,
  }),
  thresholdCrossed: (crossing: { rule: string; backend: string; runId: string; key: string; condition: string; window: number; value: number; step: number; timestamp: number }): GatewayEvent => ({
    name: 'metric.threshold_crossed',
    data: {
      rule: crossing.rule,
      backend: crossing.backend,
      run_id: crossing.runId,
      key: crossing.key,
      condition: crossing.condition,
      window: crossing.window,
      value: crossing.value,
      step: crossing.step,
      timestamp: crossing.timestamp,
    },
    dedupeKey: `${crossing.rule}:${crossing.backend}:${crossing.runId}:${crossing.step}:${crossing.timestamp}`,
  }),
}

/** Run statuses that end a run. */
export const FINISHED_STATUSES = new Set(['FINISHED', 'FAILED', 'KILLED'])
