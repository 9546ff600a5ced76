import { GatewayError } from '../errors.js'

/**
 * How many live subscriptions one client (a signed-in user, else an
 * address) holds, over SSE and graphql-ws together. Each distinct
 * subscription costs the gateway work on every event (it executes its
 * selection per event), so one client opening hundreds slowed logging for
 * everyone 30-fold; past its allowance (limits.subscriptionsPerClient, or
 * its role's in auth.roleLimits) a new one is refused with RATE_LIMITED.
 */
export class SubscriptionQuota {
  private readonly held = new Map<string, number>()

  /** Takes one of `client`'s `allowed` slots, or refuses; returns the release (idempotent). */
  acquire(client: string, allowed: number): () => void {
    const count = this.held.get(client) ?? 0
    if (count >= allowed) {
      throw new GatewayError('RATE_LIMITED', `this client already holds ${count} subscriptions; the limit is ${allowed} (limits.subscriptionsPerClient, or its role's in auth.roleLimits)`, {
        retryAfterSeconds: 5,
      })
    }
    this.held.set(client, count + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.held.get(client) ?? 1) - 1
      if (left <= 0) this.held.delete(client)
      else this.held.set(client, left)
    }
  }
}
