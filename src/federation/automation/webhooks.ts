import type { AutomationStore, OutboxItem, Webhook, WebhookPatch, WebhookStatus } from '../../contract/automation-store.js'
import type { Page } from '../../contract/backend.js'
import type { Identity } from '../../auth/identity.js'
import { GatewayError, badInput, notFound } from '../../errors.js'
import { type DeliveryOutcome, deliver } from './delivery.js'
import { type EventName, isEventName } from './events.js'
import type { SecretBox } from './secrets.js'
import type { TargetPolicy } from './targets.js'
import { type DeliveryPayload, deliveryBody, parseDeliveryPayload } from './publisher.js'
import { exampleDataOf } from './examples.js'

/** MLflow's webhook name rule (mlflow/utils/validation.py). */
const WEBHOOK_NAME = /^(?=.{1,63}$)[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i
const MAX_DESCRIPTION = 1000
const MAX_SECRET = 1000
const MAX_PAGE = 1000

export interface WebhookInput {
  name: string
  url: string
  events: string[]
  description: string | null
  secret: string | null
  status: WebhookStatus | null
}

export interface Delivery {
  id: string
  webhookId: string
  event: EventName
  deliveryId: string
  state: OutboxItem['state']
  attempts: number
  lastStatus: number | null
  lastError: string | null
  createdAt: Date
  finishedAt: Date | null
  nextAttemptAt: Date | null
}

export interface WebhookTestResult {
  success: boolean
  responseStatus: number | null
  responseBody: string | null
  errorMessage: string | null
}

/**
 * Webhooks as every door manages them (MLflow's REST API and GraphQL): the
 * same checks, admins only when auth is on, secrets sealed before they are
 * stored and never answered.
 */
export class WebhookAdmin {
  constructor(
    private readonly store: AutomationStore,
    private readonly secrets: SecretBox,
    private readonly policy: TargetPolicy,
    private readonly timeoutMs: number,
    private readonly notify: {
      /** A delivery was queued again: the worker looks now. */
      queued: () => void
      /** Webhooks changed: what is watched for them may change. */
      changed: () => void
    },
  ) {}

  async create(caller: Identity | null, input: WebhookInput): Promise<Webhook> {
    requireAdmin(caller)
    const checked = await this.checked(input)
    const id = crypto.randomUUID()
    const created = await this.store.webhooks.create({
      id,
      name: checked.name,
      url: checked.url,
      events: checked.events,
      description: checked.description,
      encryptedSecret: checked.secret === null ? null : this.secrets.seal(checked.secret, id),
      status: checked.status ?? 'ACTIVE',
    })
    this.notify.changed()
    return created
  }

  async get(caller: Identity | null, id: string): Promise<Webhook> {
    requireAdmin(caller)
    const webhook = await this.store.webhooks.get(id)
    if (!webhook) throw notFound(`Webhook with ID ${id}`)
    return webhook
  }

  async list(caller: Identity | null, page: { first: number; token: string | null }): Promise<Page<Webhook>> {
    requireAdmin(caller)
    if (!Number.isInteger(page.first) || page.first < 0 || page.first > MAX_PAGE) throw badInput(`a page holds 0 to ${MAX_PAGE} webhooks`)
    return this.store.webhooks.list(page)
  }

  /** Absent fields stay; a secret of '' removes signing. */
  async update(caller: Identity | null, id: string, patch: Partial<WebhookInput>): Promise<Webhook> {
    requireAdmin(caller)
    const current = await this.get(caller, id)
    // The stored URL is not checked again (its host may not resolve now): a webhook can be disabled whatever its target does.
    const checked = await this.checked({ ...inputOf(current), ...patch, secret: patch.secret ?? null }, { url: patch.url !== undefined })
    const change: WebhookPatch = {
      ...(patch.name !== undefined && { name: checked.name }),
      ...(patch.url !== undefined && { url: checked.url }),
      ...(patch.events !== undefined && { events: checked.events }),
      ...(patch.description !== undefined && { description: checked.description }),
      ...(patch.status !== undefined && patch.status !== null && { status: patch.status }),
      ...(patch.secret !== undefined && { encryptedSecret: checked.secret ? this.secrets.seal(checked.secret, id) : null }),
    }
    const updated = await this.store.webhooks.update(id, change)
    if (!updated) throw notFound(`Webhook with ID ${id}`)
    this.notify.changed()
    return updated
  }

  async delete(caller: Identity | null, id: string): Promise<void> {
    requireAdmin(caller)
    if (!(await this.store.webhooks.delete(id))) throw notFound(`Webhook with ID ${id}`)
    this.notify.changed()
  }

  /** Sends an example of `event` (default: the webhook's first) now, outside the outbox, and says how the receiver answered. */
  async test(caller: Identity | null, id: string, event: string | null): Promise<WebhookTestResult> {
    const webhook = await this.get(caller, id)
    const name = event ?? webhook.events[0]
    if (!isEventName(name)) throw badInput(`unknown event "${event}"`)
    const payload: DeliveryPayload = { event: name, deliveryId: crypto.randomUUID(), body: deliveryBody(name, exampleDataOf(name)) }
    const outcome = await deliver({ url: webhook.url, secret: this.secretOf(webhook) }, payload, { policy: this.policy, timeoutMs: this.timeoutMs })
    return testResultOf(outcome)
  }

  /** The webhook's deliveries, newest first. */
  async deliveries(caller: Identity | null, id: string, page: { first: number; token: string | null }): Promise<Page<Delivery>> {
    requireAdmin(caller)
    const found = await this.store.outbox.list('webhook', id, page)
    return { items: found.items.map(deliveryOf), nextToken: found.nextToken }
  }

  /** Queues a delivery again (done, given up or pending alike); it keeps its delivery id, so receivers can tell it is a repeat. */
  async redeliver(caller: Identity | null, deliveryId: string): Promise<Delivery> {
    requireAdmin(caller)
    const item = await this.store.outbox.get(deliveryId)
    if (!item || item.topic !== 'webhook') throw notFound(`delivery ${deliveryId}`)
    const requeued = await this.store.outbox.requeue(item.id)
    if (!requeued) throw notFound(`delivery ${deliveryId}`)
    this.notify.queued()
    return deliveryOf(requeued)
  }

  /** The webhook's secret in the clear, for signing; null when it has none. */
  secretOf(webhook: Webhook): string | null {
    return webhook.encryptedSecret === null ? null : this.secrets.open(webhook.encryptedSecret, webhook.id)
  }

  private async checked(input: WebhookInput, check: { url: boolean } = { url: true }): Promise<WebhookInput> {
    if (!WEBHOOK_NAME.test(input.name)) {
      throw badInput(`Webhook name '${input.name.slice(0, 100)}' is invalid. It must start and end with a letter or digit, be less than 63 characters long, and contain only letters, digits, dots (.), underscores (_), and hyphens (-).`)
    }
    if (check.url) await this.policy.check(input.url)
    if (input.events.length === 0) throw badInput('Webhook events must be a non-empty list.')
    const unknown = input.events.find((event) => !isEventName(event))
    if (unknown !== undefined) throw badInput(`unknown webhook event "${unknown.slice(0, 100)}"`)
    if ((input.description?.length ?? 0) > MAX_DESCRIPTION) throw badInput(`description is longer than ${MAX_DESCRIPTION} characters`)
    if ((input.secret?.length ?? 0) > MAX_SECRET) throw badInput(`secret is longer than ${MAX_SECRET} characters`)
    if (input.secret && !this.secrets.enabled) throw badInput('webhook secrets need webhooks.secretKey in the gateway config (they are stored encrypted with it)')
    return { ...input, events: [...new Set(input.events)].sort(), description: input.description || null, secret: input.secret || null }
  }
}

function requireAdmin(caller: Identity | null): void {
  if (caller !== null && !caller.isAdmin) throw new GatewayError('FORBIDDEN', 'Permission denied: webhooks are managed by admins')
}

function inputOf(webhook: Webhook): WebhookInput {
  return { name: webhook.name, url: webhook.url, events: webhook.events, description: webhook.description, secret: null, status: webhook.status }
}

function deliveryOf(item: OutboxItem): Delivery {
  const payload = parseDeliveryPayload(item.payload)
  return {
    id: item.id,
    webhookId: item.orderingKey,
    event: payload.event,
    deliveryId: payload.deliveryId,
    state: item.state,
    attempts: item.attempts,
    lastStatus: item.lastStatus,
    lastError: item.lastError,
    createdAt: item.createdAt,
    finishedAt: item.finishedAt,
    nextAttemptAt: item.state === 'PENDING' ? item.nextAttemptAt : null,
  }
}

function testResultOf(outcome: DeliveryOutcome): WebhookTestResult {
  switch (outcome.kind) {
    case 'delivered':
      return { success: true, responseStatus: outcome.status, responseBody: outcome.answer, errorMessage: null }
    case 'rejected':
      return { success: false, responseStatus: outcome.status, responseBody: outcome.answer, errorMessage: outcome.status === null ? outcome.error : null }
    case 'retry':
      return { success: false, responseStatus: outcome.status, responseBody: null, errorMessage: `Failed to test webhook: ${outcome.error}` }
  }
}
