import { z } from 'zod'
import type { Webhook } from '../contract/automation-store.js'
import { WEBHOOK_STATUSES } from '../contract/automation-store.js'
import { actionOf, entityOf, isEventName } from '../federation/automation/events.js'
import type { WebhookAdmin } from '../federation/automation/webhooks.js'
import { currentIdentity } from '../request-scope.js'
import { invalidParameter } from './errors.js'
import { parseParams } from './params.js'
import type { Route } from './route.js'

const eventWire = z.object({ entity: z.string(), action: z.string() })
const status = z.enum(WEBHOOK_STATUSES)

/**
 * MLflow 3's webhook API (`/api/2.0/mlflow/webhooks`), so tools written for
 * it manage mlgate's webhooks: MLflow's paths, bodies and answers. Events
 * are MLflow's `{entity, action}` in upper case; mlgate's own events
 * (`{"entity": "RUN", "action": "FINISHED"}`, ...) are spelled the same way.
 */
export function webhookRoutes(webhooks: WebhookAdmin): Route[] {
  return [
    {
      method: 'POST',
      path: 'webhooks',
      async handle(params) {
        const request = parseParams(
          z.object({ name: z.string().min(1), url: z.string().min(1), events: z.array(eventWire).min(1), description: z.string().optional(), secret: z.string().optional(), status: status.optional() }),
          params,
        )
        const webhook = await webhooks.create(currentIdentity(), {
          name: request.name,
          url: request.url,
          events: eventNamesOf(request.events),
          description: request.description ?? null,
          secret: request.secret ?? null,
          status: request.status ?? null,
        })
        return { webhook: webhookJson(webhook) }
      },
    },
    {
      method: 'GET',
      path: 'webhooks',
      async handle(params) {
        const request = parseParams(z.object({ max_results: z.coerce.number().int().optional(), page_token: z.string().optional() }), params)
        // MLflow's store: 0 or absent means 100; otherwise 1 to 1,000.
        const first = request.max_results || 100
        if (first < 1 || first > 1000) throw invalidParameter('max_results must be between 1 and 1000.')
        const page = await webhooks.list(currentIdentity(), { first, token: request.page_token || null })
        return { webhooks: page.items.map(webhookJson), ...(page.nextToken && { next_page_token: page.nextToken }) }
      },
    },
    {
      method: 'GET',
      path: 'webhooks/:webhook_id',
      async handle(params) {
        return { webhook: webhookJson(await webhooks.get(currentIdentity(), idOf(params))) }
      },
    },
    {
      method: 'PATCH',
      path: 'webhooks/:webhook_id',
      async handle(params) {
        const request = parseParams(
          z.object({ name: z.string().optional(), url: z.string().optional(), events: z.array(eventWire).optional(), description: z.string().optional(), secret: z.string().optional(), status: status.optional() }),
          params,
        )
        // MLflow leaves a field as it is when it is absent or empty, but for description and secret, which '' clears.
        const webhook = await webhooks.update(currentIdentity(), idOf(params), {
          ...(request.name && { name: request.name }),
          ...(request.url && { url: request.url }),
          ...(request.events && request.events.length > 0 && { events: eventNamesOf(request.events) }),
          ...(request.description !== undefined && { description: request.description }),
          ...(request.secret !== undefined && { secret: request.secret }),
          ...(request.status && { status: request.status }),
        })
        return { webhook: webhookJson(webhook) }
      },
    },
    {
      method: 'DELETE',
      path: 'webhooks/:webhook_id',
      async handle(params) {
        await webhooks.delete(currentIdentity(), idOf(params))
        return {}
      },
    },
    {
      method: 'POST',
      path: 'webhooks/:webhook_id/test',
      async handle(params) {
        const request = parseParams(z.object({ event: eventWire.optional() }), params)
        const result = await webhooks.test(currentIdentity(), idOf(params), request.event ? eventNamesOf([request.event])[0] : null)
        return {
          result: {
            success: result.success,
            ...(result.responseStatus !== null && { response_status: result.responseStatus }),
            ...(result.responseBody && { response_body: result.responseBody }),
            ...(result.errorMessage !== null && { error_message: result.errorMessage }),
          },
        }
      },
    },
  ]
}

function idOf(params: Record<string, unknown>): string {
  return parseParams(z.object({ webhook_id: z.string().min(1) }), params).webhook_id
}

/** MLflow's `{entity: "MODEL_VERSION", action: "CREATED"}` → `model_version.created`, refused in MLflow's words when unknown. */
function eventNamesOf(wire: { entity: string; action: string }[]): string[] {
  return wire.map(({ entity, action }) => {
    const name = `${entity.toLowerCase()}.${action.toLowerCase()}`
    if (!isEventName(name)) throw invalidParameter(`Invalid action '${action.toLowerCase().slice(0, 100)}' for entity '${entity.toLowerCase().slice(0, 100)}'.`)
    return name
  })
}

export function webhookJson(webhook: Webhook) {
  return {
    webhook_id: webhook.id,
    name: webhook.name,
    ...(webhook.description && { description: webhook.description }),
    url: webhook.url,
    events: webhook.events.flatMap((name) => (isEventName(name) ? [{ entity: entityOf(name).toUpperCase(), action: actionOf(name).toUpperCase() }] : [])),
    status: webhook.status,
    creation_timestamp: webhook.createdAt.getTime(),
    last_updated_timestamp: webhook.updatedAt.getTime(),
  }
}
