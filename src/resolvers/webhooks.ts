import type { GatewayContext } from '../context.js'
import type { Page } from '../contract/backend.js'
import { OUTBOX_STATES, WEBHOOK_STATUSES, type Webhook } from '../contract/automation-store.js'
import { EVENT_NAMES, type EventName } from '../federation/automation/events.js'
import type { RuleStatus } from '../federation/automation/registry-sync.js'
import type { Delivery, WebhookAdmin, WebhookTestResult } from '../federation/automation/webhooks.js'
import { PAGE_SIZE } from '../federation/merged-list.js'
import { badInput, unsupported } from '../errors.js'
import { FIRST_ARG_DESCRIPTION, builder, connectionOf, enumOfConstants } from './builder.js'

/** Webhooks (the same ones MLflow's webhook API manages), their delivery log, and the registry sync's standing. */

const WebhookEventEnum = builder.enumType('WebhookEvent', {
  description: "What a webhook is told of: MLflow 3's registry events, and mlgate's own from every backend.",
  values: Object.fromEntries(EVENT_NAMES.map((name) => [name.replace('.', '_').toUpperCase(), { value: name }])) as Record<string, { value: EventName }>,
})
const WebhookStatusEnum = enumOfConstants('WebhookStatus', WEBHOOK_STATUSES)
const DeliveryStateEnum = enumOfConstants('WebhookDeliveryState', OUTBOX_STATES, 'PENDING: queued or being retried; DONE: the receiver answered 2xx; FAILED: given up (redeliverable).')

const WebhookDeliveryRef = builder.objectRef<Delivery>('WebhookDelivery').implement({
  description: 'One event sent (or being sent) to one webhook.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'What redeliverWebhookDelivery takes.' }),
    deliveryId: t.exposeString('deliveryId', { description: 'The X-MLflow-Delivery-Id header: the same on every attempt and redelivery.' }),
    event: t.field({ type: WebhookEventEnum, resolve: (delivery) => delivery.event }),
    status: t.field({ type: DeliveryStateEnum, resolve: (delivery) => delivery.state }),
    attempts: t.exposeInt('attempts'),
    lastStatus: t.exposeInt('lastStatus', { nullable: true, description: "The receiver's last HTTP status." }),
    lastError: t.exposeString('lastError', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (delivery) => delivery.createdAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (delivery) => delivery.finishedAt }),
    nextAttemptAt: t.field({ type: 'DateTime', nullable: true, resolve: (delivery) => delivery.nextAttemptAt }),
  }),
})
const WebhookDeliveryConnection = connectionOf('WebhookDelivery', WebhookDeliveryRef)

const WebhookRef = builder.objectRef<Webhook>('Webhook').implement({
  description: 'Where events are POSTed, signed as MLflow signs them (X-MLflow-Signature) when it has a secret. The secret is never shown.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    url: t.exposeString('url'),
    events: t.field({ type: [WebhookEventEnum], resolve: (webhook) => webhook.events as EventName[] }),
    status: t.field({ type: WebhookStatusEnum, resolve: (webhook) => webhook.status }),
    signed: t.boolean({ resolve: (webhook) => webhook.encryptedSecret !== null }),
    createdAt: t.field({ type: 'DateTime', resolve: (webhook) => webhook.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (webhook) => webhook.updatedAt }),
    deliveries: t.field({
      type: WebhookDeliveryConnection,
      description: 'The delivery log, newest first.',
      args: { first: t.arg.int({ description: FIRST_ARG_DESCRIPTION }), after: t.arg.string() },
      resolve: async (webhook, args, context) => {
        const page = pageArgs(args)
        return connection(await adminOf(context).deliveries(context.identity, webhook.id, page), page)
      },
    }),
  }),
})
const WebhookConnection = connectionOf('Webhook', WebhookRef)

const WebhookTestResultRef = builder.objectRef<WebhookTestResult>('WebhookTestResult').implement({
  fields: (t) => ({
    success: t.exposeBoolean('success'),
    responseStatus: t.exposeInt('responseStatus', { nullable: true }),
    responseBody: t.exposeString('responseBody', { nullable: true, description: "The receiver's answer, cut at 4 KB." }),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
  }),
})

const RegistrySyncStatusRef = builder.objectRef<RuleStatus>('RegistrySyncStatus').implement({
  description: 'Where one registrySync rule stands.',
  fields: (t) => ({
    rule: t.exposeString('rule'),
    from: t.exposeString('from', { description: 'The source backend.' }),
    to: t.exposeString('to', { description: 'The SageMaker backend.' }),
    models: t.exposeString('models', { description: 'The glob over model names.' }),
    pending: t.exposeInt('pending', { description: 'Steps queued and not yet done: versions to mirror, promotions to carry over.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'The newest failure among the pending steps.' }),
    lastSyncedAt: t.field({ type: 'DateTime', nullable: true, resolve: (status) => status.lastSyncedAt }),
    conflicts: t.exposeInt('conflicts', { description: 'Versions whose promotion changed on both sides since the last sync (see the registry_sync.conflict event).' }),
  }),
})

const WebhookInput = builder.inputType('WebhookInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Letters, digits, dots, underscores and hyphens; at most 63.' }),
    url: t.string({ required: true, description: 'http(s); private and loopback targets only when webhooks.allowedTargets names them.' }),
    events: t.field({ type: [WebhookEventEnum], required: true }),
    description: t.string(),
    secret: t.string({ description: 'Signs deliveries; stored encrypted (webhooks.secretKey).' }),
    status: t.field({ type: WebhookStatusEnum }),
  }),
})

const WebhookPatchInput = builder.inputType('WebhookPatchInput', {
  fields: (t) => ({
    name: t.string(),
    url: t.string(),
    events: t.field({ type: [WebhookEventEnum] }),
    description: t.string(),
    secret: t.string({ description: "'' removes the secret (deliveries go unsigned)." }),
    status: t.field({ type: WebhookStatusEnum }),
  }),
})

builder.queryFields((t) => ({
  webhooks: t.field({
    type: WebhookConnection,
    description: 'Every webhook, newest first (admins only when auth is on).',
    args: { first: t.arg.int({ description: FIRST_ARG_DESCRIPTION }), after: t.arg.string() },
    resolve: async (_, args, context) => {
      const page = pageArgs(args)
      return connection(await adminOf(context).list(context.identity, page), page)
    },
  }),
  webhook: t.field({
    type: WebhookRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, args, context) => adminOf(context).get(context.identity, String(args.id)),
  }),
  registrySyncStatus: t.field({
    type: [RegistrySyncStatusRef],
    description: 'Each registrySync rule of the config: what is pending, the last failure, the last sync, conflicts. Empty without rules.',
    resolve: async (_, __, context) => (await context.automation?.sync?.status()) ?? [],
  }),
}))

builder.mutationFields((t) => ({
  createWebhook: t.field({
    type: WebhookRef,
    args: { input: t.arg({ type: WebhookInput, required: true }) },
    resolve: (_, { input }, context) =>
      adminOf(context).create(context.identity, {
        name: input.name,
        url: input.url,
        events: input.events,
        description: input.description ?? null,
        secret: input.secret ?? null,
        status: input.status ?? null,
      }),
  }),
  updateWebhook: t.field({
    type: WebhookRef,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: WebhookPatchInput, required: true }) },
    resolve: (_, { id, input }, context) =>
      adminOf(context).update(context.identity, String(id), {
        ...(input.name != null && { name: input.name }),
        ...(input.url != null && { url: input.url }),
        ...(input.events != null && { events: input.events }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.secret !== undefined && { secret: input.secret }),
        ...(input.status != null && { status: input.status }),
      }),
  }),
  deleteWebhook: t.boolean({
    description: 'Deletes the webhook and its pending deliveries.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_, { id }, context) => {
      await adminOf(context).delete(context.identity, String(id))
      return true
    },
  }),
  testWebhook: t.field({
    type: WebhookTestResultRef,
    description: "Sends an example of the event (default: the webhook's first) now, outside the delivery log, and says how the receiver answered.",
    args: { id: t.arg.id({ required: true }), event: t.arg({ type: WebhookEventEnum }) },
    resolve: (_, { id, event }, context) => adminOf(context).test(context.identity, String(id), event ?? null),
  }),
  redeliverWebhookDelivery: t.field({
    type: WebhookDeliveryRef,
    description: 'Queues a delivery again, whatever became of it; it keeps its delivery id.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, context) => adminOf(context).redeliver(context.identity, String(id)),
  }),
}))

function adminOf(context: GatewayContext): WebhookAdmin {
  if (!context.automation) throw unsupported('webhooks need a native backend to keep them in; none is configured')
  return context.automation.webhooks
}

/** These lists page by offset: a cursor is the number of items before the next page. */
function pageArgs(args: { first?: number | null; after?: string | null }): { first: number; token: string | null } {
  const first = args.first ?? PAGE_SIZE.default
  if (!Number.isInteger(first) || first < 0 || first > PAGE_SIZE.max) throw badInput(`first must be between 0 and ${PAGE_SIZE.max}`)
  return { first, token: args.after ?? null }
}

function connection<T>(page: Page<T>, request: { token: string | null }) {
  const offset = request.token === null ? 0 : Number(request.token.slice(1))
  return {
    edges: page.items.map((node, index) => ({ node, cursor: `o${offset + index + 1}` })),
    hasNextPage: page.nextToken !== null,
    failures: [],
    totalCount: async () => null,
  }
}
