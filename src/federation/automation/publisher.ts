import { z } from 'zod'
import type { AutomationStore } from '../../contract/automation-store.js'
import { logUnexpected } from '../../log.js'
import { EVENT_NAMES, type EventData, type EventName, type EventSink, type GatewayEvent, actionOf, entityOf } from './events.js'

/** What a queued delivery holds: the body is fixed when queued, so every attempt sends the same bytes. */
export const deliveryPayloadSchema = z.object({ event: z.enum(EVENT_NAMES), deliveryId: z.string(), body: z.string() })
export type DeliveryPayload = z.infer<typeof deliveryPayloadSchema>

export function parseDeliveryPayload(payload: unknown): DeliveryPayload {
  return deliveryPayloadSchema.parse(payload)
}

/** MLflow's envelope: `{entity, action, timestamp, data}`. */
export function deliveryBody(event: EventName, data: EventData, at = new Date()): string {
  return JSON.stringify({ entity: entityOf(event), action: actionOf(event), timestamp: at.toISOString(), data })
}

/**
 * Queues each event for every active webhook subscribed to it, one outbox
 * item per webhook (its ordering key: deliveries of one webhook go out in
 * order). Publishing never fails its caller: the write it reports on has
 * already happened, so a failure to queue is logged.
 */
export class WebhookPublisher implements EventSink {
  private readonly inFlight = new Set<Promise<void>>()

  constructor(
    private readonly store: AutomationStore,
    private readonly queued: () => void,
  ) {}

  publish(events: readonly GatewayEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve()
    const queuing: Promise<void> = this.queue(events)
      .then(() => {})
      .catch((error: unknown) => logUnexpected('queuing webhook deliveries failed', error))
      .finally(() => this.inFlight.delete(queuing))
    this.inFlight.add(queuing)
    return queuing
  }

  async queue(events: readonly GatewayEvent[]): Promise<number> {
    const items = []
    for (const event of events) {
      const at = new Date()
      for (const webhook of await this.store.webhooks.subscribedTo(event.name)) {
        const payload: DeliveryPayload = { event: event.name, deliveryId: crypto.randomUUID(), body: deliveryBody(event.name, event.data, at) }
        items.push({ topic: 'webhook' as const, orderingKey: webhook.id, dedupeKey: `${event.name}:${event.dedupeKey}`, payload })
      }
    }
    const added = await this.store.outbox.enqueue(items)
    if (added > 0) this.queued()
    return added
  }

  /** Waits for what is being queued (shutdown, tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight])
  }
}
