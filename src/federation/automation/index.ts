import type { GatewayConfig } from '../../config.js'
import { logUnexpected } from '../../log.js'
import type { Backends } from '../backends.js'
import type { EventSink } from './events.js'
import { WebhookPublisher, parseDeliveryPayload } from './publisher.js'
import { OutboxWorker, type WorkOutcome, nextAttemptAt } from './outbox-worker.js'
import { SecretBox } from './secrets.js'
import { TargetPolicy } from './targets.js'
import { WebhookAdmin } from './webhooks.js'
import { deliver } from './delivery.js'
import type { AutomationStore, OutboxItem } from '../../contract/automation-store.js'
import { RegistrySync } from './registry-sync.js'
import { MetricRules } from './metric-rules.js'
import { ChangeWatchers } from './change-watchers.js'

/** Deliveries worked at once per replica (one webhook's still go one at a time, in order). */
const DELIVERY_CONCURRENCY = 4
/** How often an idle worker looks anyway (woken otherwise: see OutboxWorker). */
const IDLE_MS = 30_000

export interface Automation {
  webhooks: WebhookAdmin
  /** Where the federation layer reports what happened (every write, every poller). */
  events: EventSink
  /** Null without `registrySync` rules. */
  sync: RegistrySync | null
  /** Waits for queued events and stops every worker. */
  close(): Promise<void>
}

/**
 * Webhooks, their deliveries and the registry sync, over the gateway's own
 * store (the first native backend); null when there is none, and then the
 * webhook APIs answer that they need one.
 */
export async function startAutomation(
  config: GatewayConfig,
  backends: Backends,
  observe: { delivery?: (outcome: 'delivered' | 'retried' | 'failed') => void } = {},
): Promise<Automation | null> {
  const storeBackend = backends.all.find((backend) => backend.automation !== null)
  if (!storeBackend?.automation) return null
  const store = storeBackend.automation
  const settings = config.webhooks
  const policy = new TargetPolicy(settings.allowedTargets)
  const secrets = new SecretBox(settings.secretKey)
  let deliveries: OutboxWorker | null = null
  const wakeDeliveries = () => deliveries?.wake()
  const publisher = new WebhookPublisher(store, wakeDeliveries)
  const watchers = new ChangeWatchers(backends, store, publisher)
  void watchers.refresh()
  const webhooks = new WebhookAdmin(store, secrets, policy, settings.timeoutMs, { queued: wakeDeliveries, changed: () => void watchers.refresh() })

  const workDelivery = async (item: OutboxItem): Promise<WorkOutcome> => {
    const payload = parseDeliveryPayload(item.payload)
    const webhook = await store.webhooks.get(item.orderingKey)
    if (!webhook) return { kind: 'failed', status: null, error: 'the webhook was deleted' }
    if (webhook.status !== 'ACTIVE') return { kind: 'failed', status: null, error: 'the webhook is disabled (redeliver once it is active)' }
    const outcome = await deliver({ url: webhook.url, secret: webhooks.secretOf(webhook) }, payload, { policy, timeoutMs: settings.timeoutMs })
    if (outcome.kind === 'delivered') {
      observe.delivery?.('delivered')
      return { kind: 'done', status: outcome.status }
    }
    if (outcome.kind === 'rejected' || item.attempts + 1 >= settings.maxAttempts) {
      observe.delivery?.('failed')
      return { kind: 'failed', status: outcome.status, error: outcome.error }
    }
    observe.delivery?.('retried')
    return { kind: 'retry', at: nextAttemptAt(item.attempts, settings, outcome.notBefore), status: outcome.status, error: outcome.error }
  }
  deliveries = new OutboxWorker(store.outbox, 'webhook', workDelivery, { leaseMs: settings.timeoutMs * 2 + 5_000, idleMs: IDLE_MS, concurrency: DELIVERY_CONCURRENCY })
  deliveries.start()

  const sync = config.registrySync.length > 0 ? new RegistrySync(config.registrySync, backends, store, publisher) : null
  sync?.start()
  const metricRules = settings.metricRules.length > 0 ? new MetricRules(settings.metricRules, backends, publisher) : null
  metricRules?.start()
  // Any replica's queuing or webhook change wakes this one's workers: idle, they ask the store nothing.
  const stopListening = await store.onChange((change) => {
    if (change === 'webhook') deliveries?.wake()
    else if (change === 'registry-sync') sync?.wake()
    else void watchers.refresh()
  })

  return {
    webhooks,
    events: publisher,
    sync,
    close: async () => {
      await stopListening().catch((error: unknown) => logUnexpected('stopping the automation channel failed', error))
      watchers.close()
      await metricRules?.close()
      await sync?.close()
      await publisher.settled()
      await deliveries?.close()
    },
  }
}

export type { AutomationStore }
