import type { Page, PageRequest } from './page.js'

/**
 * What the gateway's automation keeps durably (the native store keeps it):
 * webhooks, the outbox of work every replica shares (webhook deliveries,
 * registry sync steps) and the registry sync's links between versions.
 */
export interface AutomationStore {
  readonly webhooks: WebhookStore
  readonly outbox: Outbox
  readonly syncLinks: SyncLinkStore
  /**
   * Calls `listener` when any replica queues outbox items of a topic or
   * changes webhooks (and with every kind after a lost connection is back),
   * so idle replicas wait for work instead of polling for it.
   */
  onChange(listener: (change: AutomationChange) => void): Promise<() => Promise<void>>
}

export type AutomationChange = OutboxTopic | 'webhooks'
export const AUTOMATION_CHANGES: readonly AutomationChange[] = ['webhook', 'registry-sync', 'webhooks']

export const WEBHOOK_STATUSES = ['ACTIVE', 'DISABLED'] as const
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number]

export interface NewWebhook {
  /** Chosen by the caller, since the secret is sealed to it before the row exists. */
  id: string
  name: string
  description: string | null
  url: string
  /** Event names, `<entity>.<action>` (see federation/automation/events.ts). */
  events: string[]
  /** The signing secret as stored: encrypted (federation/automation/secrets.ts); null when unsigned. */
  encryptedSecret: string | null
  status: WebhookStatus
}

export interface Webhook extends NewWebhook {
  createdAt: Date
  updatedAt: Date
}

/** A change to a webhook: absent fields stay as they are. */
export type WebhookPatch = Partial<Omit<NewWebhook, 'id'>>

export interface WebhookStore {
  create(webhook: NewWebhook): Promise<Webhook>
  get(id: string): Promise<Webhook | null>
  /** Newest first, as MLflow lists them. */
  list(page: PageRequest): Promise<Page<Webhook>>
  update(id: string, patch: WebhookPatch): Promise<Webhook | null>
  /** False when there was no such webhook. Its pending deliveries are dropped with it. */
  delete(id: string): Promise<boolean>
  /** The active webhooks subscribed to this event. */
  subscribedTo(event: string): Promise<Webhook[]>
}

export const OUTBOX_TOPICS = ['webhook', 'registry-sync'] as const
export type OutboxTopic = (typeof OUTBOX_TOPICS)[number]

export const OUTBOX_STATES = ['PENDING', 'DONE', 'FAILED'] as const
export type OutboxState = (typeof OUTBOX_STATES)[number]

export interface NewOutboxItem {
  topic: OutboxTopic
  /** Items with one ordering key are worked one at a time, oldest first (a webhook's deliveries; one version's sync). */
  orderingKey: string
  /** An item whose key was ever queued under its topic and ordering key is not queued again (replicas noticing one change). */
  dedupeKey: string | null
  /** JSON; its consumer parses it. */
  payload: unknown
}

export interface OutboxItem {
  id: string
  topic: OutboxTopic
  orderingKey: string
  payload: unknown
  state: OutboxState
  attempts: number
  /** The last attempt's answer status (HTTP), when it had one. */
  lastStatus: number | null
  lastError: string | null
  createdAt: Date
  /** When it was done or given up; null while pending. */
  finishedAt: Date | null
  nextAttemptAt: Date
}

export interface Outbox {
  /** Queues the items (one statement); returns how many were new. */
  enqueue(items: readonly NewOutboxItem[]): Promise<number>
  /**
   * Leases the oldest due item of the topic whose ordering key has nothing
   * older pending, for `leaseMs` (a replica that dies lets it go when the
   * lease ends); null when none is due. Replicas never lease the same item.
   */
  claim(topic: OutboxTopic, leaseMs: number): Promise<OutboxItem | null>
  /** Lets a claimed item go unworked (its replica is stopping): claimable again at once, no attempt counted. */
  release(id: string): Promise<void>
  /** When the next item of the topic could be claimed (the earliest head of an ordering key, its lease considered); null when none is pending. */
  nextDue(topic: OutboxTopic): Promise<Date | null>
  /** Done: never worked again. */
  complete(id: string, lastStatus: number | null): Promise<void>
  /** Worked again at `at` (the lease ends), with the attempt counted. */
  retryAt(id: string, at: Date, failure: { status: number | null; error: string }): Promise<void>
  /** Given up: kept for the log, never worked again. */
  fail(id: string, failure: { status: number | null; error: string }): Promise<void>
  /** Pending again now, attempts kept (redelivery on demand); null when there is no such item. */
  requeue(id: string): Promise<OutboxItem | null>
  get(id: string): Promise<OutboxItem | null>
  /** One ordering key's items, newest first (a webhook's delivery log). */
  list(topic: OutboxTopic, orderingKey: string, page: PageRequest): Promise<Page<OutboxItem>>
  /** Pending items per ordering-key prefix (`prefixes[i]`), and the newest failure among them. */
  pending(topic: OutboxTopic, prefixes: readonly string[]): Promise<{ count: number; lastError: string | null }[]>
}

/** Where a synced version stands: both sides' promotions as last agreed. */
export interface SyncLink {
  rule: string
  sourceBackend: string
  sourceVersion: string
  targetBackend: string
  targetVersion: string
  sourcePromotion: string
  targetPromotion: string
  /** Both sides changed since the last sync, to different promotions: what each says. */
  conflict: string | null
  syncedAt: Date
}

export interface SyncLinkStore {
  get(rule: string, sourceBackend: string, sourceVersion: string): Promise<SyncLink | null>
  put(link: SyncLink): Promise<void>
  list(rule: string): Promise<SyncLink[]>
  /** Per rule: the newest sync and how many links are in conflict. */
  summary(rules: readonly string[]): Promise<{ lastSyncedAt: Date | null; conflicts: number }[]>
}
